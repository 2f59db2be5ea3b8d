package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// Issue 12 §3: oauth2's config.provision_key, which Kong's schema marks encrypted, is a secret through backup,
// diff, drift and restore; and the password of an admin_url with credentials shows nowhere.
func TestSchemaSecretsAndURLPasswordStaySecret(t *testing.T) {
	ctx := context.Background()
	const (
		provisionKey = "provision-key-committed-in-plaintext-before"
		changedKey   = "provision-key-changed-on-the-live-gateway"
		password     = "url-pa55word-of-the-admin-api"
	)
	gw := newGateway(t)
	plugin, err := gw.kong.Plugins.Create(ctx, &kong.Plugin{Name: kong.String("oauth2"),
		Config: kong.Configuration{"provision_key": provisionKey, "enable_client_credentials": true}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, ok := r.BasicAuth(); !ok || pass != password {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		gw.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	adminURL := strings.Replace(srv.URL, "http://", "http://ops:"+password+"@", 1)
	remoteDir, remoteURL := gittest.NewBare(t)
	repo := filepath.Join(t.TempDir(), "repo")
	env := newEnv(t, connectionsYAML(repo, remoteURL, map[string]string{"prod": adminURL,
		"down": "http://ops:" + password + "@127.0.0.1:1"}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})

	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "prod"); r.Status != report.Completed {
		t.Fatalf("backup: %+v", r)
	}
	committed := gittest.Git(t, remoteDir, "show", "kong/prod:plugins.yaml")
	if strings.Contains(committed, provisionKey) || !strings.Contains(committed, "provision_key: kongsnap:v1:") {
		t.Errorf("plugins.yaml does not hold provision_key encrypted:\n%s", committed)
	}

	if _, err := gw.kong.Plugins.Update(ctx, &kong.Plugin{ID: plugin.ID, Name: kong.String("oauth2"),
		Config: kong.Configuration{"provision_key": changedKey, "enable_client_credentials": true}}); err != nil {
		t.Fatal(err)
	}
	d, err := Diff(ctx, env.Env, DiffOptions{Connection: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Drift || len(d.Changes) != 1 || len(d.Changes[0].Fields) != 1 || !d.Changes[0].Fields[0].Secret {
		t.Errorf("diff = %+v; want one plugin whose one field, a secret, changed", d.Changes)
	}
	renderDir := t.TempDir()
	if _, err := Drift(ctx, env.Env, DriftOptions{All: true, RenderDir: renderDir}); err != nil {
		t.Fatal(err)
	}
	rendered, _ := os.ReadFile(filepath.Join(renderDir, "prod.md"))
	if !strings.Contains(string(rendered), "provision_key") {
		t.Errorf("drift body does not name the changed secret field:\n%s", rendered)
	}
	if _, err := Restore(ctx, env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	restored, err := gw.kong.Plugins.Get(ctx, plugin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Config["provision_key"] != provisionKey {
		t.Errorf("restored provision_key = %v; want the snapshot's, decrypted", restored.Config["provision_key"])
	}

	gw.sim.AddFault(kongsim.Fault{Method: http.MethodGet, PathPrefix: "/routes", Status: http.StatusInternalServerError})
	rep, err = Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "prod"); r.Status != report.Failed {
		t.Fatalf("backup with a failing read: %+v", r)
	}
	if r := status(t, rep, "down"); r.Status != report.Failed || !strings.Contains(r.Reason, "ops:xxxxx@127.0.0.1:1") {
		t.Errorf("unreachable gateway: %+v; want failed naming the URL without its password", r)
	}
	var table strings.Builder
	_ = rep.WriteTable(&table)
	history := gittest.Git(t, remoteDir, "log", "--all", "--format=%B")
	for name, text := range map[string]string{"stdout": env.stdout.String(), "stderr": env.stderr.String(),
		"logs": env.logs.String(), "report": table.String(), "commit messages": history, "drift body": string(rendered),
		"diff": strings.Join(changeTexts(d), "\n")} {
		for _, secret := range []string{password, provisionKey, changedKey} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows %q:\n%s", name, secret, text)
			}
		}
	}
}

func changeTexts(d *DiffResult) []string {
	var out []string
	for _, c := range d.Changes {
		for _, f := range c.Fields {
			out = append(out, c.Identity, f.Path, toString(f.From), toString(f.To))
		}
	}
	return out
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

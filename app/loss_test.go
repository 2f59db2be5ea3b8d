package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// Issue 12 §1: a 404 on a collection the gateway has, or a 403, fails the connection's backup, naming the path and
// status, and commits nothing; before, the backup recorded "502 key-auth credentials removed" and exited 0.
func TestBackupFailsOnAPartialRead(t *testing.T) {
	tests := []struct {
		name   string
		paths  []string
		status int
		want   string
	}{
		{"404 on key-auths", []string{"/key-auths"}, http.StatusNotFound, "GET /key-auths answered HTTP 404"},
		{"404 on vaults", []string{"/vaults"}, http.StatusNotFound, "GET /vaults answered HTTP 404"},
		{"403 on keys and key-sets", []string{"/keys", "/key-sets"}, http.StatusForbidden, "answered HTTP 403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			gw := newGateway(t)
			gw.seed(t)
			remoteDir, remoteURL := gittest.NewBare(t)
			env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL,
				map[string]string{"prod": gw.url}, ""), map[string]string{"KONGSNAP_KEY": testKey})
			if _, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil {
				t.Fatal(err)
			}
			before := gittest.Branch(t, remoteDir, "kong/prod")
			for _, p := range tt.paths {
				gw.sim.AddFault(kongsim.Fault{Method: http.MethodGet, PathPrefix: p, Status: tt.status})
			}
			rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
			if err != nil {
				t.Fatal(err)
			}
			r := status(t, rep, "prod")
			if r.Status != report.Failed || !strings.Contains(r.Reason, tt.want) || !strings.Contains(r.Reason, `connection "prod"`) {
				t.Fatalf("backup with %v answering %d: %+v; want failed naming the path and status", tt.paths, tt.status, r)
			}
			if after := gittest.Branch(t, remoteDir, "kong/prod"); after != before {
				t.Errorf("kong/prod moved from %s to %s; a partial read must commit nothing", before, after)
			}
		})
	}
}

// Issue 12 §1: a kind that held entities and now reads as absent (the gateway says it lacks the plugin) is not
// recorded as deleted.
func TestBackupRefusesToRecordTheLossOfAnAbsentKind(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	consumer, err := gw.kong.Consumers.Create(ctx, &kong.Consumer{Username: kong.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 501 {
		if _, err := gw.kong.KeyAuths.Create(ctx, consumer.ID, &kong.KeyAuth{Key: kong.String(fmt.Sprintf("bob-key-%04d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var uninstalled atomic.Bool
	srv := httptest.NewServer(keyAuthUninstallable(gw.sim, &uninstalled))
	t.Cleanup(srv.Close)
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL,
		map[string]string{"prod": srv.URL}, ""), map[string]string{"KONGSNAP_KEY": testKey})
	if rep, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil || rep.Failed() {
		t.Fatalf("first backup: %v %+v", err, rep.Snapshot())
	}
	before := gittest.Branch(t, remoteDir, "kong/prod")

	uninstalled.Store(true)
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	r := status(t, rep, "prod")
	const want = "refusing to record the loss of 502 key-auth credentials: the gateway answered 404 on /key-auths"
	if r.Status != report.Failed || !strings.Contains(r.Reason, want) {
		t.Fatalf("backup after key-auth left the gateway: %+v; want failed with %q", r, want)
	}
	if after := gittest.Branch(t, remoteDir, "kong/prod"); after != before {
		t.Errorf("kong/prod moved from %s to %s", before, after)
	}
}

// keyAuthUninstallable serves sim, and once uninstalled is set answers as a Kong without the key-auth plugin: not
// in GET /'s plugins.available_on_server, 404 on /key-auths.
func keyAuthUninstallable(sim *kongsim.Server, uninstalled *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !uninstalled.Load():
		case strings.HasPrefix(r.URL.Path, "/key-auths"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Not found"}`))
			return
		case r.Method == http.MethodGet && r.URL.Path == "/":
			rec := httptest.NewRecorder()
			sim.ServeHTTP(rec, r)
			var root map[string]any
			_ = json.Unmarshal(rec.Body.Bytes(), &root)
			delete(root["plugins"].(map[string]any)["available_on_server"].(map[string]any), "key-auth")
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(root)
			return
		}
		sim.ServeHTTP(w, r)
	})
}

package app

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
)

// backedUp is a seeded gateway with one snapshot on its branch, and that snapshot's commit.
type backedUp struct {
	gw        *gatewayFixture
	env       *testEnv
	remoteDir string
	sha       string
}

func newBackedUp(t *testing.T, vars map[string]string) *backedUp {
	t.Helper()
	gw := newGateway(t)
	gw.seed(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	if vars == nil {
		vars = map[string]string{"KONGSNAP_KEY": testKey}
	}
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, ""), vars)
	rep, err := Backup(context.Background(), env.Env, BackupOptions{All: true})
	if err != nil || rep.Failed() {
		t.Fatalf("backup: %v %+v", err, rep.Snapshot())
	}
	return &backedUp{gw: gw, env: env, remoteDir: remoteDir, sha: status(t, rep, "prod").Commit}
}

func (b *backedUp) writes() int {
	n := 0
	for _, r := range b.gw.sim.Requests() {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

func TestRestoreConvergesRecordsAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	b := newBackedUp(t, nil)
	// A later snapshot moves the branch past the one restored, so the restore has something to record.
	b.gw.addService(t, "later")
	if rep, err := Backup(ctx, b.env.Env, BackupOptions{All: true}); err != nil || rep.Failed() {
		t.Fatalf("second backup: %v", err)
	}
	// Drift: a changed service, an extra one, a deleted consumer (with its secret credential).
	if _, err := b.gw.kong.Services.Update(ctx, &kong.Service{ID: kong.String(serviceID(t, b.gw, "billing")), Retries: kong.Int(9)}); err != nil {
		t.Fatal(err)
	}
	b.gw.addService(t, "rogue")
	if err := b.gw.kong.Consumers.Delete(ctx, kong.String("alice")); err != nil {
		t.Fatal(err)
	}

	rep, err := Restore(ctx, b.env.Env, RestoreOptions{Connection: "prod", To: b.sha, Yes: true})
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, b.env.stdout.String())
	}
	res := status(t, rep, "prod")
	if res.Status != report.Completed || res.Commit == "" {
		t.Fatalf("restore result: %+v", res)
	}
	if !strings.Contains(b.env.stdout.String(), "verified:") {
		t.Errorf("no verification reported:\n%s", b.env.stdout.String())
	}
	msg := gittest.Git(t, b.remoteDir, "log", "-1", "--format=%B", "kong/prod")
	if !strings.Contains(msg, "Kongsnap-Restored-From: "+b.sha) || !strings.Contains(msg, "Kongsnap-Trigger: restore") {
		t.Errorf("restore commit trailers:\n%s", msg)
	}
	key, err := b.gw.kong.KeyAuths.Get(ctx, kong.String("alice"), kong.String("alice-secret-key-123"))
	if err != nil || key == nil {
		t.Errorf("alice's key-auth credential was not restored with its secret: %v", err)
	}

	// The branch equals live again: no drift. A second restore writes nothing.
	drift, err := Drift(ctx, b.env.Env, DriftOptions{All: true, RenderDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, drift, "prod"); r.Drift {
		t.Errorf("drift after restore: %+v", r)
	}
	before := b.writes()
	if _, err := Restore(ctx, b.env.Env, RestoreOptions{Connection: "prod", To: b.sha, Yes: true}); err != nil {
		t.Fatal(err)
	}
	if n := b.writes() - before; n != 0 {
		t.Errorf("second restore issued %d writes", n)
	}
}

func serviceID(t *testing.T, gw *gatewayFixture, name string) string {
	t.Helper()
	svc, err := gw.kong.Services.Get(context.Background(), kong.String(name))
	if err != nil {
		t.Fatal(err)
	}
	return *svc.ID
}

func TestRestoreWithoutYesIsADryRun(t *testing.T) {
	b := newBackedUp(t, nil)
	b.gw.addService(t, "rogue")
	before := b.writes()
	rep, err := Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: b.sha})
	if err != nil || status(t, rep, "prod").Status != report.Planned {
		t.Fatalf("err = %v, result %+v, want the status planned", err, rep.Snapshot())
	}
	if n := b.writes() - before; n != 0 {
		t.Errorf("dry run issued %d writes", n)
	}
	out := b.env.stdout.String()
	for _, want := range []string{"not an interactive terminal and no --yes", `delete service "rogue"`, "nothing was written"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A person who answers no at the prompt gets the same.
	asked := ""
	rep, err = Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: b.sha,
		Confirm: func(p string) bool { asked = p; return false }})
	if err != nil || status(t, rep, "prod").Status != report.Planned || !strings.Contains(asked, "Apply 1 operations to prod?") {
		t.Errorf("declined prompt: err=%v prompt=%q", err, asked)
	}
}

func TestRestoreRefusals(t *testing.T) {
	tests := []struct {
		name string
		opts RestoreOptions
		vars map[string]string
		want string
	}{
		{name: "unknown sha", opts: RestoreOptions{To: "0123456789abcdef"}, want: "kongsnap log --connection prod"},
		{name: "wrong key", opts: RestoreOptions{},
			vars: map[string]string{"KONGSNAP_KEY": "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
			want: "key-auth credential"},
		{name: "no key", opts: RestoreOptions{}, vars: map[string]string{}, want: "key"},
		{name: "unknown section", opts: RestoreOptions{Sections: []string{"plugns"}}, want: `unknown section "plugns"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackedUp(t, nil)
			b.gw.addService(t, "rogue")
			if tt.vars != nil {
				b.env.Getenv = func(k string) string { return tt.vars[k] }
			}
			opts := tt.opts
			opts.Connection, opts.Yes = "prod", true
			if opts.To == "" {
				opts.To = b.sha
			}
			before := b.writes()
			_, err := Restore(context.Background(), b.env.Env, opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "prod") {
				t.Fatalf("err = %v, want it to name the connection and contain %q", err, tt.want)
			}
			if n := b.writes() - before; n != 0 {
				t.Errorf("a refused restore issued %d writes", n)
			}
		})
	}
}

func TestRestoreRefusesATamperedSnapshot(t *testing.T) {
	b := newBackedUp(t, nil)
	// Edit services.yaml on the branch by hand without updating the manifest's checksum.
	work := t.TempDir()
	gittest.Git(t, work, "clone", "-q", "--branch", "kong/prod", b.remoteDir, "clone")
	clone := filepath.Join(work, "clone")
	gittest.Git(t, clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "--allow-empty", "-m", "noop")
	appendFile(t, filepath.Join(clone, "services.yaml"), "# edited by hand\n")
	gittest.Git(t, clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "hand edit")
	gittest.Git(t, clone, "push", "-q", "origin", "kong/prod")

	_, err := Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true})
	if err == nil || !strings.Contains(err.Error(), "integrity") {
		t.Fatalf("err = %v, want an integrity refusal", err)
	}

	// Deleting the manifest of a kongsnap snapshot (a branch kongsnap wrote) is tampering too, refused before any
	// write.
	gittest.Git(t, clone, "checkout", "-q", "HEAD~1", "--", "services.yaml")
	gittest.Git(t, clone, "rm", "-q", "MANIFEST.kongsnap")
	gittest.Git(t, clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "no manifest")
	gittest.Git(t, clone, "push", "-q", "origin", "kong/prod")
	before := b.writes()
	_, err = Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true})
	if !errors.Is(err, snapshot.ErrIntegrity) || !strings.Contains(err.Error(), "the manifest was removed") {
		t.Fatalf("err = %v, want the removed manifest refused", err)
	}
	if n := b.writes() - before; n != 0 {
		t.Errorf("a refused restore issued %d writes", n)
	}

	// Without a manifest on a branch kongsnap never wrote (decK files committed by hand) there is nothing to check
	// against: said, not refused.
	gittest.Git(t, clone, "checkout", "-q", "--orphan", "hand/deck")
	gittest.Git(t, clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "plain decK files")
	gittest.Git(t, clone, "push", "-q", "origin", "hand/deck")
	if _, err := Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: "hand/deck", Yes: true}); err != nil {
		t.Fatalf("restore without a manifest: %v", err)
	}
	if !strings.Contains(b.env.stdout.String(), "file checksums not verified") {
		t.Errorf("no note about the missing manifest:\n%s", b.env.stdout.String())
	}
}

// TestRestoreRecordsWhatVerificationRead: a restore that writes reads the gateway twice, once to plan and once to
// verify, and records what verification read, not a third read.
func TestRestoreRecordsWhatVerificationRead(t *testing.T) {
	ctx := context.Background()
	b := newBackedUp(t, nil)
	b.gw.addService(t, "rogue")
	b.gw.sim.ResetRequests()
	rep, err := Restore(ctx, b.env.Env, RestoreOptions{Connection: "prod", To: b.sha, Yes: true})
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, b.env.stdout.String())
	}
	if res := status(t, rep, "prod"); res.Status != report.Completed || res.Commit == "" {
		t.Fatalf("restore result: %+v", res)
	}
	reads := 0
	for _, r := range b.gw.sim.Requests() {
		if r.Method == http.MethodGet && r.Path == "/services" {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("the restore listed /services %d times, want 2 (plan and verification)", reads)
	}
	// What was recorded is the gateway: the branch shows no drift.
	drift, err := Drift(ctx, b.env.Env, DriftOptions{All: true, RenderDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, drift, "prod"); r.Drift {
		t.Errorf("drift after restore: %+v", r)
	}
}

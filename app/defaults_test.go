package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
)

// commitDeckFile commits a decK file, with a manifest so that restore accepts it, to a branch of the remote, as a
// person would with git.
func commitDeckFile(t *testing.T, remoteDir, branch string, deck []byte) {
	t.Helper()
	sum := sha256.Sum256(deck)
	// The file's secrets are plaintext and the manifest says so; it counts what the file holds, as kongsnap's do.
	held, err := snapshot.Read(snapshot.Files{"kong.yaml": deck}, snapshot.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	manifest := (&snapshot.Manifest{Connection: "prod", Secrets: snapshot.SecretsPlain, Counts: held.Count(),
		Files: map[string]string{"kong.yaml": hex.EncodeToString(sum[:])}}).Marshal()
	work := t.TempDir()
	gittest.Git(t, work, "clone", "-q", remoteDir, "clone")
	clone := filepath.Join(work, "clone")
	gittest.Git(t, clone, "checkout", "-q", "-b", branch)
	for name, data := range map[string][]byte{"kong.yaml": deck, snapshot.ManifestName: manifest} {
		if err := os.WriteFile(filepath.Join(clone, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gittest.Git(t, clone, "add", ".")
	gittest.Git(t, clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "decK file without defaults")
	gittest.Git(t, clone, "push", "-q", "origin", branch)
}

// TestRestoreOfADeckFileWithoutDefaultsVerifiesClean restores the rich decK fixture, which leaves Kong's defaults
// out, into an empty gateway: the restore verifies clean, the branch holding the file shows no drift and no diff
// against the gateway, and restoring it again writes nothing.
func TestRestoreOfADeckFileWithoutDefaultsVerifiesClean(t *testing.T) {
	ctx := context.Background()
	deck, err := os.ReadFile(filepath.Join("..", "testdata", "rich", "kong.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The file's basic-auth password is plaintext and Kong answers a hash: restore verifies that pair, but drift and
	// diff see them differ, which has nothing to do with defaults.
	basicAuth := "    basicauth_credentials:\n      - id: b2000000-0000-4000-8000-000000000001\n        username: alice\n" +
		"        password: alice-password-1\n"
	if !strings.Contains(string(deck), basicAuth) {
		t.Fatal("the rich fixture's basic-auth credential moved; update this test")
	}
	deck = []byte(strings.Replace(string(deck), basicAuth, "", 1))
	gw := newGateway(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	commitDeckFile(t, remoteDir, "kong/prod", deck)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})

	// NoRecord keeps the decK file on the branch, so drift and diff below compare the gateway with it.
	rep, err := Restore(ctx, env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true, NoRecord: true})
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, env.stdout.String())
	}
	if res := status(t, rep, "prod"); res.Status != report.Completed {
		t.Fatalf("restore result: %+v", res)
	}
	if !strings.Contains(env.stdout.String(), "verified:") {
		t.Errorf("no clean verification reported:\n%s", env.stdout.String())
	}

	drift, err := Drift(ctx, env.Env, DriftOptions{All: true, RenderDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, drift, "prod"); r.Drift || r.Status != report.Unchanged {
		t.Errorf("drift between the decK file and the gateway it was restored into: %+v", r)
	}
	d, err := Diff(ctx, env.Env, DiffOptions{Connection: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Drift {
		t.Errorf("diff between the decK file and the gateway it was restored into: %s %+v", d.Summary, d.Changes)
	}

	gw.sim.ResetRequests()
	env.stdout.b.Reset()
	if _, err := Restore(ctx, env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true, NoRecord: true}); err != nil {
		t.Fatalf("second restore: %v", err)
	}
	for _, r := range gw.sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("second restore wrote %s %s", r.Method, r.Path)
		}
	}
	if !strings.Contains(env.stdout.String(), "already matches") {
		t.Errorf("second restore did not find the gateway matching:\n%s", env.stdout.String())
	}
}

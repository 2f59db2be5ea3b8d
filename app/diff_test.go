package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/snapshot"
)

// The stored snapshot is read beside the live gateway; when it cannot be read, that is the error diff reports
// (naming the ref), whatever the gateway does meanwhile.
func TestDiffReportsTheStoredSnapshotErrorFirst(t *testing.T) {
	gw := newGateway(t)
	gw.seed(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), "", map[string]string{"prod": gw.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	if rep, err := Backup(context.Background(), env.Env, BackupOptions{All: true}); err != nil || rep.Failed() {
		t.Fatalf("backup: %v %+v", err, rep)
	}
	tests := []struct {
		name, ref string
	}{
		{"unknown ref, gateway up", "kong/nowhere"},
		{"unknown tag, gateway up", "kongsnap/prod/2020-01-01T000000.000Z-00000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Diff(context.Background(), env.Env, DiffOptions{Connection: "prod", Ref: tt.ref})
			if !errors.Is(err, gitstore.ErrUnknownRef) || !strings.Contains(err.Error(), `connection "prod"`) {
				t.Errorf("Diff(%s): err = %v, want the unknown ref, naming the connection", tt.ref, err)
			}
		})
	}
	// The gateway going away does not hide a missing ref either.
	down := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo2"), "", map[string]string{"prod": "http://127.0.0.1:1"}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	if _, err := Diff(context.Background(), down.Env, DiffOptions{Connection: "prod"}); !errors.Is(err, gitstore.ErrUnknownRef) {
		t.Errorf("Diff with no branch and no gateway: err = %v, want the unknown ref", err)
	}
}

// Diff and the drift check answer "no drift" without reading the stored snapshot when live, written as files, is
// the stored tree. That agrees with comparing only because a snapshot read back from the files it was written as
// compares equal to it, in every secrets mode, with and without Kong's defaults: this test holds that line on the
// rich fixture (every kind, secrets of each sort).
func TestSnapshotReadBackComparesEqualToLive(t *testing.T) {
	ctx := context.Background()
	gw, live := richGateway(t)
	keys, err := snapshot.ParseKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []snapshot.SecretMode{snapshot.SecretsEncrypt, snapshot.SecretsRedact, snapshot.SecretsPlain} {
		t.Run(string(mode), func(t *testing.T) {
			files, err := snapshot.Write(live, snapshot.WriteOptions{Connection: "prod", KongVersion: gw.Version(),
				Secrets: mode, Keyring: keys})
			if err != nil {
				t.Fatal(err)
			}
			back, err := snapshot.Read(files, snapshot.ReadOptions{Keyring: keys})
			if err != nil {
				t.Fatal(err)
			}
			defaults, err := gw.Defaults(ctx, back, live)
			if err != nil {
				t.Fatal(err)
			}
			for name, opts := range map[string]diff.Options{"plain": {}, "with defaults": {Defaults: defaults}} {
				if changes := diff.Compare(back, live, opts); !changes.Empty() {
					t.Errorf("%s: read back differs from live: %s (%+v)", name, changes.Summary(), changes[0])
				}
			}
		})
	}
}

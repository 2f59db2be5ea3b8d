package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore"
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

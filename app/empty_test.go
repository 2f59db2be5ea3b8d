package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// Issue 12 §5: an empty gateway's backup is a readable snapshot: diff against the empty gateway is clean, and a
// restore of it with allow-empty empties a gateway that has since gained entities.
func TestEmptyGatewaySnapshotDiffsCleanAndRestores(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "prod"); r.Status != report.Completed {
		t.Fatalf("backup of an empty gateway: %+v", r)
	}
	if got := gittest.Git(t, remoteDir, "show", "kong/prod:services.yaml"); strings.TrimSpace(got) != `_format_version: "3.0"` {
		t.Errorf("services.yaml = %q; want only _format_version", got)
	}
	d, err := Diff(ctx, env.Env, DiffOptions{Connection: "prod"})
	if err != nil {
		t.Fatalf("diff of an empty snapshot: %v", err)
	}
	if d.Drift {
		t.Errorf("empty snapshot against the empty gateway: %+v", d.Changes)
	}
	gw.addService(t, "late")
	if _, err := Restore(ctx, env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true, AllowEmpty: true}); err != nil {
		t.Fatalf("restore --allow-empty: %v", err)
	}
	if services, _, err := gw.kong.Services.List(ctx, nil); err != nil || len(services) != 0 {
		t.Errorf("after restoring the empty snapshot the gateway holds %d services (%v)", len(services), err)
	}
}

package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// Issue 12 §5: a select-tag snapshot whose route belongs to an untagged service restores when the gateway holds
// that service, and is refused before any write, naming it, when the gateway does not.
func TestPartialSnapshotRestoreChecksOutsideReferences(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	svc, err := gw.kong.Services.Create(ctx, &kong.Service{Name: kong.String("core"), Host: kong.String("core.internal")})
	if err != nil {
		t.Fatal(err)
	}
	route, err := gw.kong.Routes.Create(ctx, &kong.Route{Name: kong.String("pay"), Paths: kong.StringSlice("/pay"),
		Service: &kong.Service{ID: svc.ID}, Tags: kong.StringSlice("team-payments")})
	if err != nil {
		t.Fatal(err)
	}
	_, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url},
		"    select_tags: [team-payments]\n"), map[string]string{"KONGSNAP_KEY": testKey})
	if rep, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil || status(t, rep, "prod").Status != report.Completed {
		t.Fatalf("backup: %v %+v", err, rep)
	}

	if err := gw.kong.Routes.Delete(ctx, route.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true}); err != nil {
		t.Fatalf("restore with the untagged service present: %v\n%s", err, env.stdout.String())
	}
	if got, err := gw.kong.Routes.Get(ctx, route.ID); err != nil || *got.Service.ID != *svc.ID {
		t.Fatalf("route not restored onto its service: %v %v", got, err)
	}

	if err := gw.kong.Routes.Delete(ctx, route.ID); err != nil {
		t.Fatal(err)
	}
	if err := gw.kong.Services.Delete(ctx, svc.ID); err != nil {
		t.Fatal(err)
	}
	gw.sim.ResetRequests()
	_, err = Restore(ctx, env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true})
	if err == nil || !strings.Contains(err.Error(), "service "+*svc.ID) || !strings.Contains(err.Error(), `route "pay"`) {
		t.Fatalf("restore without the service = %v; want a refusal naming the route and the service id", err)
	}
	for _, r := range gw.sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("refused restore wrote %s %s", r.Method, r.Path)
		}
	}
}

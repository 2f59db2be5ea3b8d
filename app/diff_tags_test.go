package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kong/go-kong/kong"
)

// diff --select-tag compares only the entities carrying the tags, on both sides, as decK's does.
func TestDiffWithSelectTagsComparesOnlyTaggedEntities(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	for _, s := range []*kong.Service{
		{Name: kong.String("payments"), Host: kong.String("payments.internal"), Tags: kong.StringSlice("team-a")},
		{Name: kong.String("search"), Host: kong.String("search.internal")},
	} {
		if _, err := gw.kong.Services.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), "", map[string]string{"prod": gw.url}, ""), nil)
	if rep, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil || rep.Failed() {
		t.Fatalf("backup: %v %+v", err, rep)
	}
	gw.addService(t, "untagged-by-hand")
	d, err := Diff(ctx, env.Env, DiffOptions{Connection: "prod", SelectTags: []string{"team-a"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Drift {
		t.Errorf("an untagged change shows under --select-tag team-a: %+v", d.Changes)
	}
	if _, err := gw.kong.Services.Create(ctx, &kong.Service{Name: kong.String("ledger"), Host: kong.String("l.internal"),
		Tags: kong.StringSlice("team-a")}); err != nil {
		t.Fatal(err)
	}
	d, err = Diff(ctx, env.Env, DiffOptions{Connection: "prod", SelectTags: []string{"team-a"}})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Drift || len(d.Changes) != 1 || d.Changes[0].Name != "ledger" {
		t.Errorf("tagged change: %+v", d.Changes)
	}
	if d, _ := Diff(ctx, env.Env, DiffOptions{Connection: "prod"}); len(d.Changes) != 2 {
		t.Errorf("without tags the diff shows both changes: %+v", d.Changes)
	}
}

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

// Issue 12 §4: a connection with select_tags writes _info.select_tags in every file and the tags in the manifest,
// so that decK syncing the backup leaves the gateway's other entities alone.
func TestSelectTagBackupCarriesItsTagsInEveryFile(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	svc, err := gw.kong.Services.Create(ctx, &kong.Service{Name: kong.String("payments"), Host: kong.String("pay.internal"),
		Tags: kong.StringSlice("team-payments")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gw.kong.Plugins.Create(ctx, &kong.Plugin{Name: kong.String("cors"), Service: &kong.Service{ID: svc.ID},
		Tags: kong.StringSlice("team-payments")}); err != nil {
		t.Fatal(err)
	}
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url},
		"    select_tags: [team-payments]\n"), map[string]string{"KONGSNAP_KEY": testKey})
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "prod"); r.Status != report.Completed || r.Entities != 2 {
		t.Fatalf("select-tag backup: %+v", r)
	}
	files := strings.Fields(gittest.Git(t, remoteDir, "ls-tree", "--name-only", "kong/prod"))
	for _, name := range files {
		content := gittest.Git(t, remoteDir, "show", "kong/prod:"+name)
		if name == "MANIFEST.kongsnap" {
			if !strings.Contains(content, `select_tag "team-payments"`) {
				t.Errorf("manifest does not record the select tag:\n%s", content)
			}
			continue
		}
		if !strings.Contains(content, "_info:\n  select_tags:\n    - team-payments\n") {
			t.Errorf("%s lacks _info.select_tags:\n%s", name, content)
		}
	}
	if len(files) < 2 {
		t.Errorf("backup holds %v", files)
	}
}

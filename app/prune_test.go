package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

func TestPruneDeletesOnlyOutsideRetentionAndEverywhere(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url},
		"    retention: {days: 3, weeks: 2, months: 2}\n"), map[string]string{"KONGSNAP_KEY": testKey})
	// 16 daily snapshots, one change a day, ending on Tuesday 2026-11-17.
	start := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	for day := range 16 {
		env.clock.Set(start.AddDate(0, 0, day))
		gw.addService(t, fmt.Sprintf("svc-%02d", day))
		if rep, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil || rep.Failed() {
			t.Fatalf("day %d: %v", day, err)
		}
	}
	if n := len(gittest.Tags(t, remoteDir, "kongsnap/prod/")); n != 16 {
		t.Fatalf("%d tags before pruning", n)
	}
	env.clock.Set(time.Date(2026, 11, 17, 12, 0, 0, 0, time.UTC))

	if _, err := Prune(ctx, env.Env, PruneOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if n := len(gittest.Tags(t, remoteDir, "kongsnap/prod/")); n != 16 {
		t.Fatalf("dry run deleted tags: %d left", n)
	}
	if rep, err := Prune(ctx, env.Env, PruneOptions{}); err != nil || rep.Failed() {
		t.Fatalf("prune: %v %+v", err, rep.Snapshot())
	}
	// Days: Nov 15, 16, 17. ISO weeks: the newest of this week (Nov 17) and last week (Sunday Nov 15). Months: the
	// newest of November (Nov 17) and of October (none). The rest go, on the remote too.
	var kept []string
	for name := range gittest.Tags(t, remoteDir, "kongsnap/prod/") {
		kept = append(kept, name[len("kongsnap/prod/"):len("kongsnap/prod/")+10])
	}
	sort.Strings(kept)
	if got, want := strings.Join(kept, ","), "2026-11-15,2026-11-16,2026-11-17"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
	if count := strings.TrimSpace(gittest.Git(t, remoteDir, "rev-list", "--count", "kong/prod")); count != "16" {
		t.Errorf("pruning touched the branch history: %s commits", count)
	}
}

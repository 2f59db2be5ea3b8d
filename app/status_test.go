package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/history"
	"github.com/kongsnap/kongsnap/report"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files")

func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./app -run Status -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// craftedRun is one record of the crafted history.
func craftedRun(run, conn, status string, start time.Time, d time.Duration, entities int, err string) history.Record {
	r := history.Record{RunID: run, Trigger: TriggerSchedule, Command: "backup", Connection: conn, Status: status,
		Started: start, Finished: start.Add(d), DurationMS: d.Milliseconds(), Entities: entities, Error: err}
	if status == history.Completed {
		r.Commit = strings.Repeat(run[len(run)-1:], 40)
	}
	return r
}

func TestStatusFromACraftedHistoryOnTheRemote(t *testing.T) {
	ctx := context.Background()
	_, remoteURL := gittest.NewBare(t)
	day := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	records := []history.Record{
		craftedRun("1", "prod", history.Completed, day, 4*time.Second, 120, ""),
		craftedRun("2", "prod", history.Failed, day.Add(24*time.Hour), 31*time.Second, 0, "admin API at https://kong-admin.prod: GET /services: 503"),
		craftedRun("3", "prod", history.Completed, day.Add(48*time.Hour), 5*time.Second, 124, ""),
		craftedRun("4", "staging", history.Completed, day.Add(-72*time.Hour), 2*time.Second, 40, ""),
	}
	// Another machine recorded the history and pushed it.
	writer := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "writer"), remoteURL, map[string]string{"prod": "http://x:1"}, ""), nil)
	store, err := writer.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := history.Lines(records)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AppendLog(ctx, gitstore.Append{Branch: history.Branch, Lines: lines, Derive: history.Render, Summary: "crafted"}); err != nil {
		t.Fatal(err)
	}
	if err := store.PushLog(ctx, history.Branch, history.Render); err != nil {
		t.Fatal(err)
	}

	cfg := connectionsYAML(filepath.Join(t.TempDir(), "reader"), remoteURL,
		map[string]string{"prod": "http://x:1", "staging": "http://y:1", "legacy": "http://z:1"}, "")
	cfg = strings.Replace(cfg, "  - name: legacy\n", "  - name: legacy\n    enabled: false\n", 1)
	for _, tc := range []struct {
		name   string
		opts   StatusOptions
		golden string
		stale  string
	}{
		{"text", StatusOptions{}, "status/status.txt", ""},
		{"json", StatusOptions{JSON: true}, "status/status.json", ""},
		{"one connection", StatusOptions{Connections: []string{"prod"}, Since: 24 * time.Hour}, "status/prod-24h.txt", ""},
		{"fail if older", StatusOptions{FailIfOlder: 26 * time.Hour}, "status/status.txt", "no successful backup within 1d2h for staging"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, cfg, nil)
			env.clock.Set(time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC))
			err := Status(ctx, env.Env, tc.opts)
			if tc.stale == "" && err != nil {
				t.Fatal(err)
			}
			if tc.stale != "" && (!errors.Is(err, ErrStale) || !strings.Contains(err.Error(), tc.stale)) {
				t.Fatalf("Status: %v, want ErrStale saying %q", err, tc.stale)
			}
			goldenFile(t, tc.golden, []byte(env.stdout.String()))
		})
	}
}

func TestStatusAfterRealBackups(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	_, remoteURL := gittest.NewBare(t)
	cfg := connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, "")
	env := newEnv(t, cfg, map[string]string{"KONGSNAP_KEY": testKey})
	if _, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if err := Status(ctx, env.Env, StatusOptions{FailIfOlder: time.Hour}); err != nil {
		t.Fatalf("status right after a backup: %v", err)
	}
	out := env.stdout.String()
	for _, want := range []string{"prod: passing", "1 of 1 backups in the last 7d (100%)", "latest snapshot  5 entities, ", "retention        30 daily, 12 weekly, 12 monthly"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	env.clock.Set(env.now().Add(2 * time.Hour))
	if err := Status(ctx, env.Env, StatusOptions{FailIfOlder: time.Hour}); !errors.Is(err, ErrStale) {
		t.Errorf("status two hours later with --fail-if-older 1h: %v, want ErrStale", err)
	}
}

func TestHistoryJSONSharesTheReportSchemaVersion(t *testing.T) {
	if history.SchemaVersion != report.SchemaVersion {
		t.Errorf("history.SchemaVersion = %d, report.SchemaVersion = %d: every JSON document shares one", history.SchemaVersion, report.SchemaVersion)
	}
}

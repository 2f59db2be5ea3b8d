package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

func status(t *testing.T, rep *report.Report, conn string) report.Result {
	t.Helper()
	for _, r := range rep.Snapshot() {
		if r.Connection == conn {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", conn, rep.Snapshot())
	return report.Result{}
}

func TestBackupCommitsOnlyWhenSomethingChanged(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	repo := filepath.Join(t.TempDir(), "repo")
	env := newEnv(t, connectionsYAML(repo, remoteURL, map[string]string{"prod": gw.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})

	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	first := status(t, rep, "prod")
	if first.Status != report.Completed || first.Commit == "" || first.Tag == "" {
		t.Fatalf("first backup: %+v", first)
	}
	if got := gittest.Branch(t, remoteDir, "kong/prod"); got != first.Commit {
		t.Errorf("remote kong/prod = %q, want %q", got, first.Commit)
	}
	msg := gittest.Git(t, remoteDir, "log", "-1", "--format=%B", "kong/prod")
	for _, want := range []string{"prod: first snapshot", "Kongsnap-Connection: prod", "Kongsnap-Kong-Version: 3.9.1",
		"Kongsnap-Entities: 5", "Kongsnap-Trigger: manual", "Kongsnap-Run-Id: run-1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("commit message lacks %q:\n%s", want, msg)
		}
	}

	rep, err = Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if again := status(t, rep, "prod"); again.Status != report.Unchanged || again.Commit != "" {
		t.Fatalf("unchanged gateway: %+v", again)
	}
	if n := len(gittest.Tags(t, remoteDir, "kongsnap/prod/")); n != 1 {
		t.Errorf("unchanged run left %d tags, want 1", n)
	}

	gw.addService(t, "orders")
	rep, err = Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	changed := status(t, rep, "prod")
	if changed.Status != report.Completed || changed.Summary != "prod: 1 service added" {
		t.Fatalf("changed gateway: %+v", changed)
	}
	if count := gittest.Git(t, remoteDir, "rev-list", "--count", "kong/prod"); strings.TrimSpace(count) != "2" {
		t.Errorf("kong/prod has %s commits, want 2", count)
	}
	if n := len(gittest.Tags(t, remoteDir, "kongsnap/prod/")); n != 2 {
		t.Errorf("%d tags after a change, want 2", n)
	}
}

func TestBackupOneFailingConnectionDoesNotStopTheOthers(t *testing.T) {
	ctx := context.Background()
	a, b, broken := newGateway(t), newGateway(t), newGateway(t)
	a.seed(t)
	b.addService(t, "only")
	broken.seed(t)
	// Every read of routes fails: the dump must fail for this connection alone.
	broken.sim.AddFault(kongsim.Fault{Method: "GET", PathPrefix: "/routes", Status: 503})
	remoteDir, remoteURL := gittest.NewBare(t)
	repo := filepath.Join(t.TempDir(), "repo")
	env := newEnv(t, connectionsYAML(repo, remoteURL, map[string]string{"alpha": a.url, "beta": b.url, "gamma": broken.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})

	var seen []string
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true, OnChange: func(r report.Result) {}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Snapshot() {
		seen = append(seen, r.Connection+"="+string(r.Status))
	}
	if got := strings.Join(seen, ","); got != "alpha=completed,beta=completed,gamma=failed" {
		t.Fatalf("statuses = %s", got)
	}
	failed := status(t, rep, "gamma")
	if !strings.Contains(failed.Reason, `connection "gamma"`) || !strings.Contains(failed.Reason, "routes") {
		t.Errorf("failure reason should name the connection and kind: %q", failed.Reason)
	}
	if !rep.Failed() {
		t.Error("report.Failed() = false")
	}
	refs := gittest.Refs(t, remoteDir)
	if _, ok := refs["refs/heads/kong/gamma"]; ok {
		t.Error("the failed connection got a branch")
	}
	for _, name := range []string{"refs/heads/kong/alpha", "refs/heads/kong/beta"} {
		if _, ok := refs[name]; !ok {
			t.Errorf("missing %s; refs: %v", name, refs)
		}
	}
}

func TestBackupNeverShowsATokenOrHeaderValue(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	gw.sim.AddFault(kongsim.Fault{Method: "GET", PathPrefix: "/plugins", Status: 500})
	const token = "kong-admin-token-s3cr3t"
	remoteDir, remoteURL := gittest.NewBare(t)
	repo := filepath.Join(t.TempDir(), "repo")
	cfg := connectionsYAML(repo, remoteURL, map[string]string{"prod": gw.url, "stage": gw.url},
		"    headers:\n      Kong-Admin-Token: ${ADMIN_TOKEN}\n")
	env := newEnv(t, cfg, map[string]string{"KONGSNAP_KEY": testKey, "ADMIN_TOKEN": token})
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	reportFile := filepath.Join(t.TempDir(), "report.json")
	if err := rep.WriteJSONFile(reportFile); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(reportFile)
	var table syncBuffer
	_ = rep.WriteTable(&table)
	history := gittest.Git(t, remoteDir, "log", "--all", "--format=%B")
	for name, text := range map[string]string{"report": string(data), "table": table.String(), "logs": env.logs.String(),
		"stdout": env.stdout.String(), "stderr": env.stderr.String(), "commit messages": history} {
		if strings.Contains(text, token) {
			t.Errorf("%s contains the admin token:\n%s", name, text)
		}
	}
	var parsed map[string]any
	if err := json.Unmarshal(data, &parsed); err != nil {
		t.Fatal(err)
	}
}

func TestBackupSkipsConnectionsNotDue(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	repo := filepath.Join(t.TempDir(), "repo")
	cfg := connectionsYAML(repo, "", map[string]string{"nightly": gw.url}, "    schedule: \"0 2 * * *\"\n") +
		"  - name: always\n    admin_url: " + gw.url + "\n"
	env := newEnv(t, cfg, map[string]string{"KONGSNAP_KEY": testKey})
	rep, err := Backup(ctx, env.Env, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "nightly"); r.Status != report.Skipped || !strings.Contains(r.Reason, "not due") {
		t.Errorf("nightly at 14:30: %+v", r)
	}
	if r := status(t, rep, "always"); r.Status != report.Completed {
		t.Errorf("unscheduled connection: %+v", r)
	}
	// Naming a connection runs it whatever its schedule.
	rep, err = Backup(ctx, env.Env, BackupOptions{Connections: []string{"nightly"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "nightly"); r.Status != report.Completed {
		t.Errorf("named connection: %+v", r)
	}
}

func TestBackupRefusesSecretsWithoutAKey(t *testing.T) {
	gw := newGateway(t)
	gw.seed(t)
	repo := filepath.Join(t.TempDir(), "repo")
	env := newEnv(t, connectionsYAML(repo, "", map[string]string{"prod": gw.url}, ""), nil)
	rep, err := Backup(context.Background(), env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	r := status(t, rep, "prod")
	if r.Status != report.Failed || !strings.Contains(r.Reason, "key") {
		t.Fatalf("secrets without a key must fail clearly: %+v", r)
	}
	if strings.Contains(env.logs.String(), "alice-secret-key-123") || strings.Contains(r.Reason, "alice-secret-key-123") {
		t.Error("the plaintext secret leaked")
	}
}

func TestBackupRacingRunsBothLand(t *testing.T) {
	ctx := context.Background()
	a, b := newGateway(t), newGateway(t)
	a.seed(t)
	b.seed(t)
	b.addService(t, "extra")
	remoteDir, remoteURL := gittest.NewBare(t)
	// Two machines back up the same connection name into the same remote from separate clones.
	envA := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "a"), remoteURL, map[string]string{"prod": a.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	envB := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "b"), remoteURL, map[string]string{"prod": b.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	if _, err := Backup(ctx, envA.Env, BackupOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	done := make(chan *report.Report, 2)
	a.addService(t, "from-a")
	for _, env := range []*testEnv{envA, envB} {
		go func() {
			rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
			if err != nil {
				t.Error(err)
			}
			done <- rep
		}()
	}
	for range 2 {
		rep := <-done
		if rep != nil && rep.Failed() {
			t.Errorf("a racing run failed: %+v", rep.Snapshot())
		}
	}
	if count := strings.TrimSpace(gittest.Git(t, remoteDir, "rev-list", "--count", "kong/prod")); count != "3" {
		t.Errorf("kong/prod has %s commits, want 3 (no snapshot lost)", count)
	}
}

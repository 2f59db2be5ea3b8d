package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/history"
	"github.com/kongsnap/kongsnap/notify"
	"github.com/kongsnap/kongsnap/report"
)

// remoteHistory reads every record on the remote's status branch.
func remoteHistory(t *testing.T, remoteDir string) []history.Record {
	t.Helper()
	files := map[string][]byte{}
	names := gittest.Git(t, remoteDir, "ls-tree", "-r", "--name-only", history.Branch)
	for _, name := range strings.Split(names, "\n") {
		files[name] = []byte(gittest.Git(t, remoteDir, "show", history.Branch+":"+name) + "\n")
	}
	records, err := history.Read(files)
	if err != nil {
		t.Fatal(err)
	}
	return records
}

func describeRecords(records []history.Record) string {
	var out []string
	for _, r := range records {
		out = append(out, fmt.Sprintf("%s %s %s %s", r.RunID, r.Command, r.Connection, r.Status))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func TestEveryRunLeavesARecordOnTheStatusBranch(t *testing.T) {
	ctx := context.Background()
	good, broken := newGateway(t), newGateway(t)
	good.seed(t)
	broken.sim.AddFault(kongsim.Fault{Method: "GET", PathPrefix: "/routes", Status: 503})
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL,
		map[string]string{"good": good.url, "broken": broken.url}, ""), map[string]string{"KONGSNAP_KEY": testKey})

	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	env.RunID = "run-2"
	if _, err := Prune(ctx, env.Env, PruneOptions{Connections: []string{"good"}}); err != nil {
		t.Fatal(err)
	}
	env.RunID = "run-3"
	if _, err := Restore(ctx, env.Env, RestoreOptions{Connection: "good", To: "kong/good", DryRun: true}); err != nil {
		t.Fatal(err)
	}
	records := remoteHistory(t, remoteDir)
	want := "run-1 backup broken failed\nrun-1 backup good completed\nrun-2 prune good unchanged\nrun-3 restore good unchanged"
	if got := describeRecords(records); got != want {
		t.Fatalf("remote history:\n%s\nwant:\n%s", got, want)
	}
	completed := status(t, rep, "good")
	for _, r := range records {
		switch {
		case r.Connection == "good" && r.Command == "backup":
			if r.Commit != completed.Commit || r.Tag != completed.Tag || r.Entities != completed.Entities || r.Entities == 0 ||
				r.Trigger != TriggerManual || r.KongVersion == "" || r.DurationMS <= 0 || !r.Finished.After(r.Started) {
				t.Errorf("completed record %+v does not match the report's result %+v", r, completed)
			}
		case r.Connection == "broken":
			if !strings.Contains(r.Error, "routes") || r.Commit != "" {
				t.Errorf("failed record %+v: want the reason naming routes and no commit", r)
			}
		}
	}
	page := gittest.Git(t, remoteDir, "show", history.Branch+":STATUS.md")
	if !strings.Contains(page, "| broken | ![broken: failing](badges/broken.svg)") ||
		!strings.Contains(page, "| good | ![good: passing](badges/good.svg)") {
		t.Errorf("STATUS.md on the remote:\n%s", page)
	}
	for _, svg := range []string{"badges/good.svg", "badges/broken.svg", "badges/good-entities.svg"} {
		gittest.Git(t, remoteDir, "cat-file", "-e", history.Branch+":"+svg)
	}
}

func TestConcurrentRunsBothLeaveTheirRecords(t *testing.T) {
	ctx := context.Background()
	a, b := newGateway(t), newGateway(t)
	a.seed(t)
	b.seed(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	// Two machines back up into the same remote from separate clones, at the same time.
	envA := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "a"), remoteURL, map[string]string{"prod": a.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	envB := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "b"), remoteURL, map[string]string{"staging": b.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	envA.RunID, envB.RunID = "run-a", "run-b"
	var wg sync.WaitGroup
	for _, env := range []*testEnv{envA, envB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
			if err != nil || rep.Failed() {
				t.Errorf("backup: %v %+v", err, rep)
			}
		}()
	}
	wg.Wait()
	if got, want := describeRecords(remoteHistory(t, remoteDir)), "run-a backup prod completed\nrun-b backup staging completed"; got != want {
		t.Errorf("remote history:\n%s\nwant both runs' records:\n%s", got, want)
	}
	for _, logs := range []string{envA.logs.String(), envB.logs.String()} {
		if strings.Contains(logs, "run history not") {
			t.Errorf("a run warned about its history:\n%s", logs)
		}
	}
	page := gittest.Git(t, remoteDir, "show", history.Branch+":STATUS.md")
	if !strings.Contains(page, "| prod |") || !strings.Contains(page, "| staging |") {
		t.Errorf("STATUS.md does not show both runs' connections:\n%s", page)
	}
}

// hookRecorder is a webhook endpoint that keeps every payload, answering with status.
type hookRecorder struct {
	mu       sync.Mutex
	status   int
	payloads []notify.Payload
	raw      []string
}

func newHook(t *testing.T) (*hookRecorder, *httptest.Server) {
	h := &hookRecorder{status: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.raw = append(h.raw, string(body))
		var p notify.Payload
		if err := json.Unmarshal(body, &p); err == nil {
			h.payloads = append(h.payloads, p)
		}
		w.WriteHeader(h.status)
	}))
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *hookRecorder) take() ([]notify.Payload, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, raw := h.payloads, h.raw
	h.payloads, h.raw = nil, nil
	return p, raw
}

func TestWebhooksFireOnceWithTheRecordAndNeverASecret(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	hook, srv := newHook(t)
	const token = "kong-admin-token-SECRET-1"
	extra := "    headers:\n      Kong-Admin-Token: " + token + "\n"
	cfg := connectionsYAML(filepath.Join(t.TempDir(), "repo"), "", map[string]string{"prod": gw.url}, extra) +
		"notify:\n  - name: ops\n    url: " + srv.URL + "/hooks/T0/B0/HOOKSECRET\n    format: json\n" +
		"    on: [failed, recovered, drift, slow]\n    slow_after: 1h\n"
	env := newEnv(t, cfg, map[string]string{"KONGSNAP_KEY": testKey})

	run := func(id string) *report.Report {
		t.Helper()
		env.RunID = id
		rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	run("run-1")
	if got, _ := hook.take(); len(got) != 0 {
		t.Errorf("a first successful backup posted %+v", got)
	}

	// The connection now reaches a gateway that fails every request with a message quoting the admin token back.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"message":"rejected token %s"}`, r.Header.Get("Kong-Admin-Token"))
	}))
	t.Cleanup(echo.Close)
	env.Config.Connections[0].AdminURL = echo.URL
	run("run-2")
	got, raw := hook.take()
	if len(got) > 0 && !strings.Contains(got[0].Record.Error, "rejected token") {
		t.Errorf("the failed record's error %q lost the gateway's message", got[0].Record.Error)
	}
	if len(got) != 1 || got[0].Event != notify.Failed || got[0].Record.RunID != "run-2" || got[0].Record.Connection != "prod" ||
		got[0].Record.Status != history.Failed || got[0].Record.Error == "" {
		t.Fatalf("after a failed backup the webhook got %+v, want one failed event with the run's record", got)
	}
	run("run-3")
	if got, _ := hook.take(); len(got) != 1 || got[0].Event != notify.Failed {
		t.Errorf("a second failure posted %+v, want one failed event", got)
	}

	env.Config.Connections[0].AdminURL = gw.url
	run("run-4")
	got2, raw2 := hook.take()
	if len(got2) != 1 || got2[0].Event != notify.Recovered || got2[0].Record.Status != history.Completed && got2[0].Record.Status != history.Unchanged {
		t.Fatalf("the first success after failures posted %+v, want one recovered event", got2)
	}
	run("run-5")
	if got, _ := hook.take(); len(got) != 0 {
		t.Errorf("a second success posted %+v", got)
	}
	for _, body := range append(raw, raw2...) {
		for _, secret := range []string{token, "HOOKSECRET", testKey} {
			if strings.Contains(body, secret) {
				t.Errorf("a webhook payload holds a secret (%s): %s", secret, body)
			}
		}
	}
}

func TestSlowRunsAreReported(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	hook, srv := newHook(t)
	// The test clock moves a second per reading, so every backup takes seconds: past a 500ms limit.
	cfg := connectionsYAML(filepath.Join(t.TempDir(), "repo"), "", map[string]string{"prod": gw.url}, "") +
		"notify:\n  - url: " + srv.URL + "\n    format: slack\n    on: [slow]\n    slow_after: 500ms\n"
	env := newEnv(t, cfg, map[string]string{"KONGSNAP_KEY": testKey})
	if _, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	_, raw := hook.take()
	if len(raw) != 1 || !strings.Contains(raw[0], `:hourglass: kongsnap backup of *prod* took`) {
		t.Errorf("slow run posted %q, want one Slack message saying how long it took", raw)
	}
}

func TestAFailingWebhookLeavesTheBackupCompletedWithAWarning(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	hook, srv := newHook(t)
	hook.status = http.StatusInternalServerError
	remoteDir, remoteURL := gittest.NewBare(t)
	cfg := connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, "") +
		"notify:\n  - name: ops\n    url: " + srv.URL + "/hooks/HOOKSECRET\n    on: [slow]\n    slow_after: 1ms\n"
	env := newEnv(t, cfg, map[string]string{"KONGSNAP_KEY": testKey})
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := status(t, rep, "prod"); res.Status != report.Completed || rep.Failed() {
		t.Errorf("backup with a failing webhook: %+v, want completed", res)
	}
	if _, raw := hook.take(); len(raw) != 1 {
		t.Errorf("the webhook was called %d times, want once", len(raw))
	}
	logs := env.logs.String()
	if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "notification not delivered") ||
		!strings.Contains(logs, "webhook ops") || !strings.Contains(logs, "500") {
		t.Errorf("want a warning naming the webhook and its answer; logs:\n%s", logs)
	}
	if strings.Contains(logs, "HOOKSECRET") {
		t.Error("the warning shows the webhook URL")
	}
	if got := describeRecords(remoteHistory(t, remoteDir)); got != "run-1 backup prod completed" {
		t.Errorf("remote history: %s", got)
	}
}

func TestDriftIsToldOnceAndDriftRunsAreRecorded(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	hook, srv := newHook(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	cfg := connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, "") +
		"notify:\n  - url: " + srv.URL + "\n    format: json\n    on: [drift, failed, recovered]\n"
	env := newEnv(t, cfg, map[string]string{"KONGSNAP_KEY": testKey})
	if _, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	gw.addService(t, "changed-by-hand")
	for i, id := range []string{"drift-1", "drift-2"} {
		env.RunID = id
		rep, err := Drift(ctx, env.Env, DriftOptions{All: true, RenderDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if r := status(t, rep, "prod"); !r.Drift {
			t.Fatalf("run %s found no drift: %+v", id, r)
		}
		got, _ := hook.take()
		switch {
		case i == 0 && (len(got) != 1 || got[0].Event != notify.Drift || !got[0].Record.Drift || got[0].Record.Command != "drift"):
			t.Errorf("the first drift posted %+v, want one drift event with the drift run's record", got)
		case i == 1 && len(got) != 0:
			t.Errorf("the same drift again posted %+v, want nothing", got)
		}
	}
	want := "drift-1 drift prod completed\ndrift-2 drift prod completed\nrun-1 backup prod completed"
	if got := describeRecords(remoteHistory(t, remoteDir)); got != want {
		t.Errorf("remote history:\n%s\nwant:\n%s", got, want)
	}
}

func TestADamagedHistoryLineNeverStopsNewRecords(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	store, err := env.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Someone edited the history by hand and broke a line.
	if _, err := store.AppendLog(ctx, gitstore.Append{Branch: history.Branch, Summary: "hand edit",
		Lines: map[string][]byte{"history/prod/2026-11.jsonl": []byte("{broken\n")}}); err != nil {
		t.Fatal(err)
	}
	if err := store.PushLog(ctx, history.Branch, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if log := gittest.Git(t, remoteDir, "show", history.Branch+":history/prod/2026-11.jsonl"); !strings.Contains(log, `"run_id":"run-1"`) {
		t.Errorf("the backup's record did not land beside the damaged line:\n%s", log)
	}
	if page := gittest.Git(t, remoteDir, "show", history.Branch+":STATUS.md"); !strings.Contains(page, "1 damaged history lines are left out") ||
		!strings.Contains(page, "| prod | ![prod: passing]") {
		t.Errorf("STATUS.md should show the new record and name the damage:\n%s", page)
	}
	err = Status(ctx, env.Env, StatusOptions{})
	if err == nil || !strings.Contains(err.Error(), "history/prod/2026-11.jsonl line 1: not a history record") {
		t.Errorf("status over a damaged history: %v, want the file and line named", err)
	}
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// childEnv names the variables a re-executed test binary reads to act as a second kongsnap process.
const (
	childRepo    = "KONGSNAP_TEST_CHILD_REPO"
	childRemote  = "KONGSNAP_TEST_CHILD_REMOTE"
	childRunID   = "KONGSNAP_TEST_CHILD_RUN_ID"
	childOut     = "KONGSNAP_TEST_CHILD_OUT"
	childRounds  = "KONGSNAP_TEST_CHILD_ROUNDS"
	childProcess = "KONGSNAP_TEST_CHILD"
)

// TestChildProcessBackup is not a test on its own: TestConcurrentProcessesShareOneRepository runs the test binary
// again with only this test selected, so that each backer-up is a separate process, as two cron jobs or two CI
// runners on one machine are. Each child backs up its own gateway into the shared repository round after round,
// changing the gateway every round, and writes the results it was told to a file.
func TestChildProcessBackup(t *testing.T) {
	if os.Getenv(childProcess) != "1" {
		t.Skip("run by TestConcurrentProcessesShareOneRepository")
	}
	gw := newGateway(t)
	gw.seed(t)
	runID := os.Getenv(childRunID)
	var rounds int
	fmt.Sscan(os.Getenv(childRounds), &rounds)
	env := newEnv(t, connectionsYAML(os.Getenv(childRepo), os.Getenv(childRemote), map[string]string{"prod": gw.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	env.Clock, env.RunID = nil, runID
	var results []report.Result
	for i := range rounds {
		gw.addService(t, fmt.Sprintf("%s-%d", runID, i))
		rep, err := Backup(context.Background(), env.Env, BackupOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, status(t, rep, "prod"))
	}
	data, err := json.Marshal(results)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv(childOut), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Issue 12 §2 (a): two processes backing up into one local repository at the same time lose no snapshot, do not
// fail spuriously, and each reports its own commits.
func TestConcurrentProcessesShareOneRepository(t *testing.T) {
	if os.Getenv(childProcess) == "1" {
		t.Skip("a child process does not start children")
	}
	remoteDir, remoteURL := gittest.NewBare(t)
	repo := filepath.Join(t.TempDir(), "repo")
	const children, rounds = 3, 4
	outs := make([]string, children)
	cmds := make([]*exec.Cmd, children)
	for i := range children {
		outs[i] = filepath.Join(t.TempDir(), "results.json")
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcessBackup$", "-test.count=1")
		cmd.Env = append(os.Environ(), childProcess+"=1", childRepo+"="+repo, childRemote+"="+remoteURL,
			childRunID+"="+fmt.Sprintf("runner-%d", i), childOut+"="+outs[i], childRounds+"="+fmt.Sprint(rounds))
		cmds[i] = cmd
	}
	outputs := make([][]byte, children)
	done := make(chan int)
	for i, cmd := range cmds {
		go func() {
			outputs[i], _ = cmd.CombinedOutput()
			done <- i
		}()
	}
	for range cmds {
		<-done
	}

	onBranch := map[string]bool{}
	for _, h := range strings.Fields(gittest.Git(t, remoteDir, "rev-list", "kong/prod")) {
		onBranch[h] = true
	}
	completed := 0
	for i, out := range outs {
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("child %d wrote no results (%v):\n%s", i, err, outputs[i])
		}
		var results []report.Result
		if err := json.Unmarshal(data, &results); err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Status != report.Completed {
				t.Errorf("runner-%d: %s: %s", i, r.Status, r.Reason)
				continue
			}
			completed++
			if !onBranch[r.Commit] {
				t.Errorf("runner-%d reported %s, which is not on the remote's kong/prod (a lost snapshot)", i, short(r.Commit))
				continue
			}
			msg := gittest.Git(t, remoteDir, "log", "-1", "--format=%B", r.Commit)
			if want := fmt.Sprintf("Kongsnap-Run-Id: runner-%d", i); !strings.Contains(msg, want) {
				t.Errorf("runner-%d reported %s, another runner's commit:\n%s", i, short(r.Commit), msg)
			}
			if got := gittest.Tags(t, remoteDir, r.Tag)[r.Tag]; got != r.Commit {
				t.Errorf("runner-%d: tag %s on the remote points at %q, want %s", i, r.Tag, got, short(r.Commit))
			}
		}
	}
	if got := len(onBranch); got != completed {
		t.Errorf("remote kong/prod has %d commits, runners reported %d completed backups", got, completed)
	}
	if local := gittest.Git(t, repo, "rev-parse", "kong/prod"); local != gittest.Branch(t, remoteDir, "kong/prod") {
		t.Errorf("local kong/prod %s differs from the remote's", short(local))
	}
	gittest.Git(t, repo, "fsck", "--no-dangling")
	if dangling := gittest.Git(t, repo, "fsck", "--dangling", "--no-reflogs"); strings.Contains(dangling, "dangling commit") {
		t.Errorf("the shared repository has dangling commits (lost snapshots):\n%s", dangling)
	}
}

// Issue 12 §2 (b): two runners, each with its own clone, back up the same connection within the same second and
// push to one remote at the same time: both snapshots keep their own tag there, and no tag is moved.
func TestRunnersInTheSameSecondKeepEveryTag(t *testing.T) {
	ctx := context.Background()
	// The git http-backend remote holds runner A's push until runner B's push has arrived too (so B fetched and
	// committed before A's snapshot reached the remote), then lets A's land first.
	var pushes atomic.Int32
	aHeld, bArrived, aLanded := make(chan struct{}), make(chan struct{}), make(chan struct{})
	wait := func(ch chan struct{}) {
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
		}
	}
	remoteURL := gittest.NewHTTP(t, gittest.WithRequestHook(func(r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			return
		}
		switch pushes.Add(1) {
		case 1:
			close(aHeld)
			wait(bArrived)
		case 2:
			close(bArrived)
			wait(aLanded)
		}
	}))
	a, b := newGateway(t), newGateway(t)
	a.seed(t)
	b.seed(t)
	b.addService(t, "only-on-b")
	envA := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "a"), remoteURL, map[string]string{"prod": a.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	envB := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "b"), remoteURL, map[string]string{"prod": b.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	// The same second and the same run id (outside Actions the run id defaults to the time in seconds).
	same := time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)
	envA.Clock = func() time.Time { return same }
	envB.Clock = func() time.Time { return same }

	var repA, repB *report.Report
	var errA, errB error
	aDone, bDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(aDone); repA, errA = Backup(ctx, envA.Env, BackupOptions{All: true}) }()
	wait(aHeld)
	go func() { defer close(bDone); repB, errB = Backup(ctx, envB.Env, BackupOptions{All: true}) }()
	<-aDone
	close(aLanded)
	<-bDone
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	ra, rb := status(t, repA, "prod"), status(t, repB, "prod")
	if ra.Status != report.Completed || rb.Status != report.Completed {
		t.Fatalf("backups: %+v / %+v", ra, rb)
	}
	if ra.Tag == rb.Tag {
		t.Errorf("two snapshots got the same tag %s", ra.Tag)
	}
	tags := gittest.Tags(t, remoteURL, "kongsnap/prod/")
	if tags[ra.Tag] != ra.Commit || tags[rb.Tag] != rb.Commit || len(tags) != 2 {
		t.Errorf("remote tags %v, want %s → %s and %s → %s", tags, ra.Tag, short(ra.Commit), rb.Tag, short(rb.Commit))
	}
}

// Issue 12 §2 (c): a snapshot committed while the remote was unreachable is pushed by the next run even though the
// gateway has not changed since, and that run says so.
func TestPendingSnapshotIsPushedByTheNextRun(t *testing.T) {
	ctx := context.Background()
	gw := newGateway(t)
	gw.seed(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	repo := filepath.Join(t.TempDir(), "repo")
	config := connectionsYAML(repo, remoteURL, map[string]string{"prod": gw.url}, "")
	env := newEnv(t, config, map[string]string{"KONGSNAP_KEY": testKey})
	if _, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil {
		t.Fatal(err)
	}

	// The remote goes away; a changed gateway is committed locally only.
	hidden := remoteDir + ".away"
	if err := os.Rename(remoteDir, hidden); err != nil {
		t.Fatal(err)
	}
	gw.addService(t, "orders")
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	offline := status(t, rep, "prod")
	if offline.Status != report.Failed || !strings.Contains(offline.Reason, "committed locally but not pushed") {
		t.Fatalf("backup with the remote away: %+v", offline)
	}
	if err := os.Rename(hidden, remoteDir); err != nil {
		t.Fatal(err)
	}

	// The gateway is unchanged since; the next run still publishes the pending snapshot and its tag.
	rep, err = Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	next := status(t, rep, "prod")
	if next.Status == report.Failed || !strings.Contains(next.Summary, "pushed 1 pending snapshot") {
		t.Fatalf("run after the outage: %+v", next)
	}
	local := gittest.Git(t, repo, "rev-parse", "kong/prod")
	if got := gittest.Branch(t, remoteDir, "kong/prod"); got != local {
		t.Errorf("remote kong/prod = %s, want the pending %s", short(got), short(local))
	}
	if next.Commit != local {
		t.Errorf("report names %s, want the pushed %s", short(next.Commit), short(local))
	}
	if n := len(gittest.Tags(t, remoteDir, "kongsnap/prod/")); n != 2 {
		t.Errorf("remote has %d snapshot tags, want 2 (the pending one pushed too)", n)
	}

	// Once pushed, nothing is pending any more.
	rep, err = Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "prod"); r.Status != report.Unchanged || strings.Contains(r.Summary, "pending") {
		t.Errorf("third run: %+v", r)
	}
}

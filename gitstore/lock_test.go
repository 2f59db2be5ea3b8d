package gitstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

// A second Store (in kongsnap, a second process: see app's TestConcurrentProcessesShareOneRepository) waits for
// the repository lock, then fails naming who holds it.
func TestLockWaitsThenNamesTheHolder(t *testing.T) {
	ctx := context.Background()
	holder, path, _ := testStore(t, gitstore.Options{})
	unlock, err := holder.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = gitstore.Open(ctx, gitstore.Options{Path: path, LockWait: 300 * time.Millisecond})
	host, _ := os.Hostname()
	if !errors.Is(err, gitstore.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d on host %s since ", os.Getpid(), host)) {
		t.Fatalf("Open while locked: %v, want ErrLocked naming pid %d on host %s", err, os.Getpid(), host)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("gave up after %s, before the wait was over", waited)
	}

	// Released, the lock serves the next Store at once and says nobody holds it.
	unlock()
	other, err := gitstore.Open(ctx, gitstore.Options{Path: path, LockWait: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after the holder unlocked: %v", err)
	}
	save(t, other, snapshot("kong/prod", "prod: after the wait", map[string]string{"kong.yaml": "a\n"}))
	if data, err := os.ReadFile(filepath.Join(path, gitstore.LockFile)); err != nil || len(data) != 0 {
		t.Errorf("lock file after release = %q, %v; want it empty", data, err)
	}
}

// A lock file still naming a holder that is gone (its process died, so the system dropped its lock) does not block:
// the next Store takes it over and says so.
func TestStaleLockIsTakenOver(t *testing.T) {
	s, path, logs := testStore(t, gitstore.Options{})
	stale := "pid 999999\nhost gone-runner\nstarted 2026-11-22T14:00:00Z\n"
	if err := os.WriteFile(filepath.Join(path, gitstore.LockFile), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	save(t, s, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"}))
	if !strings.Contains(logs.String(), "took over a stale repository lock") ||
		!strings.Contains(logs.String(), "pid 999999 on host gone-runner") {
		t.Errorf("logs do not report the stale lock:\n%s", logs)
	}
}

// The lock of a repository with a working tree lives in its .git directory, never in the checkout.
func TestLockOfACheckoutIsInItsGitDirectory(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "--quiet", "--initial-branch=main")
	s, _, _ := testStore(t, gitstore.Options{Path: dir})
	save(t, s, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"}))
	if _, err := os.Stat(filepath.Join(dir, ".git", gitstore.LockFile)); err != nil {
		t.Errorf("no lock in .git: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, gitstore.LockFile)); err == nil {
		t.Error("a lock file was left in the working tree")
	}
}

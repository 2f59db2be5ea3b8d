package gitstore

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// LockFile is the advisory lock file every Store takes, inside the repository's git directory, while it reads or
// writes the repository. It holds the holder's pid, host and start time.
const LockFile = "kongsnap.lock"

// DefaultLockWait is how long a Store waits for another process's hold on the repository lock before failing.
const DefaultLockWait = 2 * time.Minute

// ErrLocked is returned (wrapped, naming the holder) when the repository lock stayed held for the whole wait.
var ErrLocked = errors.New("repository is locked by another kongsnap")

// repoLock is one writer at a time per local repository, across processes: an flock(2) (LockFileEx on Windows) on
// LockFile. The operating system drops the lock of a process that dies, so a crashed holder never blocks the
// next run; the holder details it left in the file are only reported, as a stale lock taken over. Holds are
// counted, so the operations of a Store that holds the lock across several of them (Store.Lock) do not wait for
// themselves.
type repoLock struct {
	mu    sync.Mutex // guards holds and the file
	file  *flock.Flock
	path  string
	wait  time.Duration
	holds int
	log   *slog.Logger
}

// lockPath is where the lock of the repository at path lives: in its .git directory, or at its root when it is
// bare or not created yet (the root is created, so the lock can be taken before the repository is).
func lockPath(path string) (string, error) {
	if fi, err := os.Stat(filepath.Join(path, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(path, ".git", LockFile), nil
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", path, err)
	}
	return filepath.Join(path, LockFile), nil
}

func newRepoLock(path string, wait time.Duration, log *slog.Logger) *repoLock {
	return &repoLock{file: flock.New(path), path: path, wait: wait, log: log}
}

// acquire takes the lock, waiting up to the lock's wait for another holder, and returns its release.
func (l *repoLock) acquire(ctx context.Context) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holds == 0 {
		if err := l.take(ctx); err != nil {
			return nil, err
		}
	}
	l.holds++
	var once sync.Once
	return func() { once.Do(l.release) }, nil
}

func (l *repoLock) take(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, l.wait)
	defer cancel()
	for {
		locked, err := l.tryLock(wctx)
		if err != nil || locked {
			return l.taken(ctx, wctx, err)
		}
	}
}

// tryLock waits for the flock, and reports whether the file locked is still the one at the path: a holder that
// removed it (a failed first clone empties its directory) leaves its waiters holding a lock nobody else sees.
func (l *repoLock) tryLock(ctx context.Context) (bool, error) {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return false, err
	}
	ok, err := l.file.TryLockContext(ctx, 20*time.Millisecond)
	if !ok || err != nil {
		return false, cmp.Or(err, context.DeadlineExceeded)
	}
	held, err := l.file.Stat()
	if err != nil {
		return false, err
	}
	if current, err := os.Stat(l.path); err == nil && os.SameFile(held, current) {
		return true, nil
	}
	return false, l.file.Unlock()
}

// taken finishes take: it explains a failed wait, or records this process as the holder.
func (l *repoLock) taken(ctx, wctx context.Context, err error) error {
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return fmt.Errorf("waiting for the lock %s: %w", l.path, ctx.Err())
	case wctx.Err() != nil:
		return fmt.Errorf("%w: %s is held by %s, still after %s. Wait for that run to finish; if no kongsnap runs "+
			"there any more, the lock frees itself (the system drops it with its process)", ErrLocked, l.path,
			l.holder(), l.wait)
	default:
		return fmt.Errorf("taking the lock %s: %w", l.path, err)
	}
	if prev := l.holder(); prev != "" {
		// A holder that ends releases the lock with an empty file; one that left its details died holding it.
		l.log.Warn("took over a stale repository lock", "lock", l.path, "left_by", prev)
	}
	host, _ := os.Hostname()
	info := fmt.Sprintf("pid %d\nhost %s\nstarted %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339Nano))
	if err := os.WriteFile(l.path, []byte(info), 0o644); err != nil {
		_ = l.file.Unlock()
		return fmt.Errorf("writing the lock %s: %w", l.path, err)
	}
	return nil
}

func (l *repoLock) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holds--; l.holds > 0 {
		return
	}
	if err := os.Truncate(l.path, 0); err != nil && !errors.Is(err, os.ErrNotExist) {
		l.log.Warn("clearing the repository lock", "lock", l.path, "error", err)
	}
	if err := l.file.Unlock(); err != nil {
		l.log.Warn("releasing the repository lock", "lock", l.path, "error", err)
	}
}

// holder describes who the lock file says holds it ("pid 42 on host ci-7 since …"), or "" when it is empty.
func (l *repoLock) holder() string {
	data, err := os.ReadFile(l.path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok {
			fields[k] = v
		}
	}
	return fmt.Sprintf("pid %s on host %s since %s", fields["pid"], fields["host"], fields["started"])
}

// Lock holds the repository lock until the returned unlock is called, so that a sequence of operations (a commit
// and its push) runs with no other process or Store writing the repository in between. The Store's own operations
// go on working while it is held; another goroutine's Lock on the same Store waits. While it is held, the contents
// of files given to the Store must not change: each content's blob id is computed once (see blobIDs).
func (s *Store) Lock(ctx context.Context) (unlock func(), err error) {
	s.hold.Lock()
	release, err := s.lock.acquire(ctx)
	if err != nil {
		s.hold.Unlock()
		return nil, s.secrets.error(err)
	}
	s.blobs.start()
	var once sync.Once
	return func() { once.Do(func() { s.blobs.stop(); release(); s.hold.Unlock() }) }, nil
}

// exclusive begins one operation: the Store's mutex, then the repository lock. The result ends it.
func (s *Store) exclusive(ctx context.Context) (done func(), err error) {
	s.mu.Lock()
	release, err := s.lock.acquire(ctx)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return func() { release(); s.mu.Unlock() }, nil
}

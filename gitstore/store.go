package gitstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Defaults applied by Open to zero-valued Options fields.
const (
	DefaultBranchPrefix = "kong/"
	DefaultPushRetries  = 5
	DefaultAuthorName   = "kongsnap"
	DefaultAuthorEmail  = "kongsnap@localhost"
)

// originName is the remote name given to Options.URL.
const originName = "origin"

// Signature names the author and committer of the commits the store makes.
type Signature struct {
	Name  string
	Email string
}

// Remote is a repository that snapshots are pushed to and fetched from.
type Remote struct {
	// Name identifies the remote in errors, logs and remote-tracking refs (refs/remotes/<Name>/...).
	Name string
	// URL is anything git accepts: https://, ssh://, scp-like user@host:path, file://, or a local path.
	URL string
	// Auth authenticates to the remote; nil for none or for credentials held in the URL. Never logged.
	Auth transport.AuthMethod
}

// Options configures Open.
type Options struct {
	// Path is the local repository (bare or with a working tree, which is never touched). When Path holds no
	// repository it is cloned from URL, or created empty and bare when URL is empty.
	Path string
	// URL, when set, is cloned into Path if Path has no repository yet. It is the remote "origin", pushed to
	// and fetched from like the Remotes; Remotes may list "origin" too, but only with this same URL.
	URL string
	// Auth authenticates to URL. Never logged.
	Auth transport.AuthMethod
	// BranchPrefix is prepended to a connection name to form its branch; default "kong/" (prod → kong/prod).
	BranchPrefix string
	// Author signs every commit; default kongsnap <kongsnap@localhost>.
	Author Signature
	// Remotes receive every push. Empty (and no URL) keeps snapshots local only.
	Remotes []Remote
	// PushRetries bounds how many times Push recommits and retries on a remote whose branch moved; default 5,
	// negative for none.
	PushRetries int
	// Clock gives commit times; default time.Now. Fixing it makes commits reproducible.
	Clock func() time.Time
	// LockWait bounds how long an operation waits for another process (or Store) holding the repository's lock
	// file (LockFile); default DefaultLockWait.
	LockWait time.Duration
	// Logger receives progress at debug level and retries at info level; default slog.Default(). Credentials
	// are never logged.
	Logger *slog.Logger
}

// Store is a git repository holding snapshots. It is safe for concurrent use; operations run one at a time.
type Store struct {
	mu      sync.Mutex // one operation at a time
	hold    sync.Mutex // one Lock holder at a time
	lock    *repoLock
	repo    *git.Repository
	remotes []*remote
	prefix  string
	author  Signature
	retries int
	clock   func() time.Time
	log     *slog.Logger
	secrets redactor
	blobs   blobIDs // while a Lock is held
}

// remote is a configured Remote with its go-git handle. The handle lives only in memory, so no URL, and no
// credential it may hold, is ever written to the repository's config.
type remote struct {
	Remote
	git     *git.Remote
	display string // name and redacted URL, for errors and logs
}

// Open opens the repository at opts.Path, cloning or initialising it when it does not exist yet.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s := newStore(opts)
	if opts.Path == "" {
		return nil, errors.New("opening repository: no path given")
	}
	remotes, err := remoteConfigs(opts)
	if err != nil {
		return nil, s.secrets.errorf("opening repository %s: %w", opts.Path, err)
	}
	lockFile, err := lockPath(opts.Path)
	if err != nil {
		return nil, fmt.Errorf("opening repository %s: %w", opts.Path, err)
	}
	s.lock = newRepoLock(lockFile, cmp.Or(opts.LockWait, DefaultLockWait), s.log)
	release, err := s.lock.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("opening repository %s: %w", opts.Path, err)
	}
	defer release()
	repo, created, err := s.openOrCreate(opts.Path)
	if err != nil {
		return nil, s.secrets.error(err)
	}
	s.repo = repo
	for _, r := range remotes {
		s.remotes = append(s.remotes, &remote{
			Remote:  r.Remote,
			git:     git.NewRemote(repo.Storer, r.config),
			display: r.Name + " (" + RedactURL(r.URL) + ")",
		})
	}
	if created && opts.URL != "" {
		origin := s.remotes[slices.IndexFunc(s.remotes, func(r *remote) bool { return r.Name == originName })]
		if err := s.fetchRemote(ctx, origin); err != nil {
			s.removeIncompleteClone(opts.Path)
			return nil, s.secrets.errorf("cloning %s into %s: %w", RedactURL(opts.URL), opts.Path, err)
		}
	}
	return s, nil
}

// newStore applies the defaults of opts.
func newStore(opts Options) *Store {
	s := &Store{
		prefix:  cmp.Or(opts.BranchPrefix, DefaultBranchPrefix),
		author:  Signature{Name: cmp.Or(opts.Author.Name, DefaultAuthorName), Email: cmp.Or(opts.Author.Email, DefaultAuthorEmail)},
		retries: max(cmp.Or(opts.PushRetries, DefaultPushRetries), 0),
		clock:   opts.Clock,
		log:     opts.Logger,
		secrets: newRedactor(opts),
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

type remoteConfig struct {
	Remote
	config *config.RemoteConfig
}

// remoteConfigs validates the remotes of opts, with the clone URL as origin.
func remoteConfigs(opts Options) ([]remoteConfig, error) {
	remotes := opts.Remotes
	if opts.URL != "" {
		switch i := slices.IndexFunc(remotes, func(r Remote) bool { return r.Name == originName }); {
		case i < 0:
			remotes = append([]Remote{{Name: originName, URL: opts.URL, Auth: opts.Auth}}, remotes...)
		case remotes[i].URL != opts.URL:
			return nil, fmt.Errorf("remote %q has URL %s, not the clone URL %s",
				originName, RedactURL(remotes[i].URL), RedactURL(opts.URL))
		}
	}
	var configs []remoteConfig
	seen := map[string]bool{}
	for _, r := range remotes {
		if r.Name == "" || r.URL == "" {
			return nil, fmt.Errorf("remote %q needs a name and a URL", r.Name)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("remote name %q used twice", r.Name)
		}
		seen[r.Name] = true
		rc := &config.RemoteConfig{Name: r.Name, URLs: []string{r.URL}, Fetch: []config.RefSpec{trackingSpec(r.Name)}}
		if err := rc.Validate(); err != nil {
			return nil, fmt.Errorf("remote %q: %w", r.Name, err)
		}
		configs = append(configs, remoteConfig{Remote: r, config: rc})
	}
	return configs, nil
}

// removeIncompleteClone empties path, which Open found missing or empty, so the next Open clones again instead of
// opening an empty repository. The lock file goes too: a waiter on it notices and takes a fresh one.
func (s *Store) removeIncompleteClone(path string) {
	entries, err := os.ReadDir(path)
	for _, e := range entries {
		if err == nil {
			err = os.RemoveAll(filepath.Join(path, e.Name()))
		}
	}
	if err != nil {
		s.log.Warn("removing incomplete clone", "path", path, "error", err)
	}
}

// openOrCreate opens the repository at path or initialises a bare one there; created reports the latter. It
// refuses to initialise inside a directory that already holds other files.
func (s *Store) openOrCreate(path string) (repo *git.Repository, created bool, err error) {
	defer func() {
		if err == nil {
			repo, err = withSmallCache(repo)
		}
	}()
	repo, err = git.PlainOpen(path)
	if err == nil {
		return repo, false, nil
	}
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, false, fmt.Errorf("opening repository %s: %w", path, err)
	}
	if err := requireEmptyDir(path); err != nil {
		return nil, false, fmt.Errorf("creating repository %s: %w", path, err)
	}
	repo, err = git.PlainInit(path, true)
	if err != nil {
		return nil, false, fmt.Errorf("creating repository %s: %w", path, err)
	}
	return repo, true, nil
}

// objectCacheSize bounds go-git's cache of decoded objects. Its default, 96 MiB, keeps every snapshot blob read
// (a 100,000-entity snapshot is 35 MB of them) alive for as long as the repository is open, which is the whole run:
// beside two gateways in a restore plan or a backup's comparison. Objects larger than the cache are never put in it,
// so commits and trees, which are read again and again, stay cached and the blobs, read once, do not.
const objectCacheSize = 1 << 20

// withSmallCache opens repo's files again with an object cache of objectCacheSize.
func withSmallCache(repo *git.Repository) (*git.Repository, error) {
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return repo, nil
	}
	var worktree billy.Filesystem
	if w, err := repo.Worktree(); err == nil {
		worktree = w.Filesystem
	}
	return git.Open(filesystem.NewStorage(st.Filesystem(), cache.NewObjectLRU(objectCacheSize)), worktree)
}

func requireEmptyDir(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	names, err := f.Readdirnames(0)
	if err != nil {
		return err
	}
	for _, name := range names {
		if name != LockFile {
			return errors.New("directory is not empty and is not a git repository")
		}
	}
	return nil
}

// Branch returns the full branch name (without refs/heads/) that holds connection's snapshots.
func (s *Store) Branch(connection string) string {
	return s.prefix + connection
}

// trackingSpec maps a remote's branches to refs/remotes/<name>/....
func trackingSpec(name string) config.RefSpec {
	return config.RefSpec("+refs/heads/*:refs/remotes/" + name + "/*")
}

// branchRef validates a branch name and returns its full reference name.
func branchRef(branch string) (plumbing.ReferenceName, error) {
	name := plumbing.NewBranchReferenceName(branch)
	if branch == "" || name.Validate() != nil {
		return "", fmt.Errorf("invalid branch name %q", branch)
	}
	return name, nil
}

// tagRef validates a tag name and returns its full reference name.
func tagRef(tag string) (plumbing.ReferenceName, error) {
	name := plumbing.NewTagReferenceName(tag)
	if tag == "" || name.Validate() != nil {
		return "", fmt.Errorf("invalid tag name %q", tag)
	}
	return name, nil
}

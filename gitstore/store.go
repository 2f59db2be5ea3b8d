package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
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
	// URL, when set, is cloned into Path if Path has no repository yet. It becomes the remote "origin", which
	// is pushed to and fetched from like the Remotes, unless Remotes already names one "origin".
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
	// Logger receives progress at debug level and retries at info level; default slog.Default(). Credentials
	// are never logged.
	Logger *slog.Logger
}

// Store is a git repository holding snapshots. It is safe for concurrent use; operations run one at a time.
type Store struct {
	mu      sync.Mutex
	repo    *git.Repository
	remotes []*remote
	prefix  string
	author  Signature
	retries int
	clock   func() time.Time
	log     *slog.Logger
	secrets redactor
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
	s := &Store{
		prefix:  opts.BranchPrefix,
		author:  opts.Author,
		retries: opts.PushRetries,
		clock:   opts.Clock,
		log:     opts.Logger,
	}
	if s.prefix == "" {
		s.prefix = DefaultBranchPrefix
	}
	if s.author.Name == "" {
		s.author.Name = DefaultAuthorName
	}
	if s.author.Email == "" {
		s.author.Email = DefaultAuthorEmail
	}
	switch {
	case s.retries == 0:
		s.retries = DefaultPushRetries
	case s.retries < 0:
		s.retries = 0
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.secrets = newRedactor(opts)

	if opts.Path == "" {
		return nil, errors.New("opening repository: no path given")
	}
	remotes := opts.Remotes
	if opts.URL != "" && !hasRemote(remotes, originName) {
		remotes = append([]Remote{{Name: originName, URL: opts.URL, Auth: opts.Auth}}, remotes...)
	}
	repo, created, err := s.openOrCreate(opts.Path)
	if err != nil {
		return nil, s.secrets.error(err)
	}
	s.repo = repo
	seen := map[string]bool{}
	for _, r := range remotes {
		if r.Name == "" || r.URL == "" {
			return nil, s.secrets.errorf("opening repository %s: remote %q needs a name and a URL", opts.Path, r.Name)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("opening repository %s: remote name %q used twice", opts.Path, r.Name)
		}
		seen[r.Name] = true
		rc := &config.RemoteConfig{Name: r.Name, URLs: []string{r.URL}, Fetch: []config.RefSpec{trackingSpec(r.Name)}}
		if err := rc.Validate(); err != nil {
			return nil, s.secrets.errorf("opening repository %s: remote %q: %w", opts.Path, r.Name, err)
		}
		s.remotes = append(s.remotes, &remote{
			Remote:  r,
			git:     git.NewRemote(repo.Storer, rc),
			display: r.Name + " (" + RedactURL(r.URL) + ")",
		})
	}
	if created && opts.URL != "" {
		if err := s.Fetch(ctx); err != nil {
			if rmErr := os.RemoveAll(opts.Path); rmErr != nil {
				s.log.Warn("removing incomplete clone", "path", opts.Path, "error", rmErr)
			}
			return nil, fmt.Errorf("cloning %s into %s: %w", RedactURL(opts.URL), opts.Path, err)
		}
	}
	return s, nil
}

func hasRemote(remotes []Remote, name string) bool {
	for _, r := range remotes {
		if r.Name == name {
			return true
		}
	}
	return false
}

// openOrCreate opens the repository at path or initialises a bare one there; created reports the latter. It
// refuses to initialise inside a directory that already holds other files.
func (s *Store) openOrCreate(path string) (repo *git.Repository, created bool, err error) {
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

func requireEmptyDir(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
		return errors.New("directory is not empty and is not a git repository")
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

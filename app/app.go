// Package app carries out kongsnap's commands: it wires a loaded configuration to the gateway, snapshot, git and
// GitHub packages, one exported function per command, so that cmd/kongsnap only parses flags.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Env is what every command needs from the world: the configuration, the environment, where output goes, and the
// clock.
type Env struct {
	Config *config.Config
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	Logger *slog.Logger
	Clock  func() time.Time
	// RunID identifies this run in commit trailers and reports; default $GITHUB_RUN_ID or a timestamp.
	RunID string
	// ReadProgress and ApplyProgress, when set, are told how a read (pages and entities per kind) and a restore's
	// phases (validated, applied or walked: operations done of the phase's) go, for live progress on a terminal.
	// Both must be safe for concurrent use.
	ReadProgress  func(connection string, kind snapshot.Kind, pages, entities int)
	ApplyProgress func(connection, phase string, done, total int)
	// Gateway opens a connection's Admin API; tests may replace it. Default gateway.Open.
	Gateway func(ctx context.Context, c gateway.Connection) (*gateway.Client, error)
	// HTTPClient posts notifications to webhooks; default http.DefaultClient.
	HTTPClient *http.Client
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return os.Getenv(k)
	}
	return e.Getenv(k)
}

func (e *Env) now() time.Time {
	if e.Clock == nil {
		return time.Now().UTC()
	}
	return e.Clock().UTC()
}

func (e *Env) stderr() io.Writer {
	if e.Stderr == nil {
		return io.Discard
	}
	return e.Stderr
}

func (e *Env) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return e.Logger
}

func (e *Env) runID() string {
	if e.RunID != "" {
		return e.RunID
	}
	if id := e.getenv("GITHUB_RUN_ID"); id != "" {
		return id
	}
	return strconv.FormatInt(e.now().Unix(), 10)
}

// gatewayConnection maps a configured connection onto the gateway package's settings.
func gatewayConnection(c *config.Connection, logger *slog.Logger) gateway.Connection {
	gc := gateway.Connection{
		Name:       c.Name,
		AdminURL:   c.AdminURL,
		Headers:    c.Headers,
		Workspace:  c.Workspace,
		SelectTags: c.SelectTags,
		Timeout:    time.Duration(c.Timeout),
		TLS: gateway.TLS{
			CAFile:             c.TLS.CAFile,
			CertFile:           c.TLS.CertFile,
			KeyFile:            c.TLS.KeyFile,
			InsecureSkipVerify: c.TLS.InsecureSkipVerify,
		},
		Logger: logger,
	}
	// The config's 0 is "no retries"; the gateway package's 0 is its default and a negative count is none.
	switch {
	case c.Retries == nil:
	case *c.Retries == 0:
		gc.Retries = -1
	default:
		gc.Retries = *c.Retries
	}
	return gc
}

// openGateway connects to a configured connection's Admin API.
func (e *Env) openGateway(ctx context.Context, c *config.Connection) (*gateway.Client, error) {
	open := e.Gateway
	if open == nil {
		open = gateway.Open
	}
	gc := gatewayConnection(c, e.logger())
	if e.ReadProgress != nil {
		gc.Progress = func(kind snapshot.Kind, pages, entities int) { e.ReadProgress(c.Name, kind, pages, entities) }
	}
	return open(ctx, gc)
}

// readLive reads the part of a connection's gateway its sections cover, and returns it with the open client (for
// the gateway's Kong version, or to ask it for more, such as its schemas' defaults).
func (e *Env) readLive(ctx context.Context, c *config.Connection) (*gateway.Client, *snapshot.Snapshot, error) {
	client, err := e.openGateway(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	live, err := client.Read(ctx)
	if err != nil {
		return nil, nil, err
	}
	kinds, err := snapshot.SectionKinds(c.Sections)
	if err != nil {
		return nil, nil, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	return client, live.Only(kinds), nil
}

// keyring loads the encryption keys from where the config says; no key configured anywhere yields (nil, nil) so
// that only a snapshot that actually holds secrets fails for the lack of one.
func (e *Env) keyring() (*snapshot.Keyring, error) {
	enc := e.Config.Encryption
	if enc.KeyFile != "" {
		return snapshot.KeyringFromFile(enc.KeyFile)
	}
	if e.getenv(enc.KeyEnv) == "" {
		return nil, nil
	}
	return snapshot.ParseKeyring(e.getenv(enc.KeyEnv))
}

// repository is the snapshot repository as a command works on it: the store and the keys that read its secrets.
type repository struct {
	store *gitstore.Store
	keys  *snapshot.Keyring
}

// openRepository is how every command opens the snapshot repository, so all follow one fetch policy: fetch every
// remote first, so that a command starts from what the remotes hold (another runner's snapshots, tags pruned
// elsewhere). A remote that cannot be reached is a warning, not a failure: the command goes on with the local
// copy, because in an outage that copy is what there is. A backup still commits (its push then fails, naming the
// remote, and the next run pushes it), a restore still restores, a diff compares against the last snapshot this
// machine knows.
func (e *Env) openRepository(ctx context.Context) (*repository, error) {
	keys, err := e.keyring()
	if err != nil {
		return nil, err
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return nil, err
	}
	if err := store.Fetch(ctx); err != nil {
		fmt.Fprintf(e.stderr(), "warning: could not fetch the snapshot repository's remotes (%v); using the local copy.\n", err)
		e.logger().Warn("fetching the snapshot repository's remotes failed; using the local copy", "error", err)
	}
	return &repository{store: store, keys: keys}, nil
}

// openFor resolves the connections a command runs on (see selectConnections) and opens the snapshot repository.
func (e *Env) openFor(ctx context.Context, names []string) ([]*config.Connection, *repository, error) {
	conns, err := e.selectConnections(names)
	if err != nil {
		return nil, nil, err
	}
	repo, err := e.openRepository(ctx)
	if err != nil {
		return nil, nil, err
	}
	return conns, repo, nil
}

// openStore opens the snapshot repository with every configured remote.
func (e *Env) openStore(ctx context.Context) (*gitstore.Store, error) {
	repo := e.Config.Repository
	opts := gitstore.Options{
		Path:         repo.Path,
		URL:          repo.URL,
		BranchPrefix: repo.BranchPrefix,
		Author:       gitstore.Signature{Name: repo.Author.Name, Email: repo.Author.Email},
		Clock:        e.Clock,
		Logger:       e.logger(),
	}
	var err error
	if opts.Auth, err = gitAuth(repo.URL, repo.Token, repo.SSHKey); err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	for _, r := range repo.Remotes {
		auth, err := gitAuth(r.URL, r.Token, r.SSHKey)
		if err != nil {
			return nil, fmt.Errorf("remote %q: %w", r.Name, err)
		}
		opts.Remotes = append(opts.Remotes, gitstore.Remote{Name: r.Name, URL: r.URL, Auth: auth})
	}
	return gitstore.Open(ctx, opts)
}

// gitAuth picks the transport credentials for a remote URL: a token for https, a key file for ssh.
func gitAuth(url, token, sshKey string) (transport.AuthMethod, error) {
	switch {
	case sshKey != "":
		keys, err := gitssh.NewPublicKeysFromFile("git", sshKey, "")
		if err != nil {
			return nil, fmt.Errorf("loading ssh key %s: %w", sshKey, err)
		}
		return keys, nil
	case token != "" && strings.HasPrefix(url, "http"):
		return &githttp.BasicAuth{Username: "x-access-token", Password: token}, nil
	}
	return nil, nil
}

// selectConnections resolves the connections a command runs on: those named, or every enabled one.
func (e *Env) selectConnections(names []string) ([]*config.Connection, error) {
	if len(names) == 0 {
		var out []*config.Connection
		for i := range e.Config.Connections {
			if e.Config.Connections[i].IsEnabled() {
				out = append(out, &e.Config.Connections[i])
			}
		}
		if len(out) == 0 {
			return nil, errors.New("no enabled connections in the config")
		}
		return out, nil
	}
	var out []*config.Connection
	for _, name := range names {
		c, err := e.Config.Connection(name)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

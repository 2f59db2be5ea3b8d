// Package gittest provides real git remotes for tests: bare repositories reached over file:// and over HTTP through
// the real `git http-backend`, plus helpers that inspect them with the git command line, independently of go-git.
package gittest

import (
	"bytes"
	"crypto/subtle"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NewBare creates an empty bare repository in a temporary directory and returns its directory and its file:// URL.
func NewBare(t testing.TB) (dir, fileURL string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "remote.git")
	Git(t, "", "init", "--quiet", "--bare", dir)
	return dir, (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// HTTPOption configures NewHTTP.
type HTTPOption func(*httpConfig)

type httpConfig struct {
	user, password string
	onRequest      func(*http.Request)
}

// WithBasicAuth makes the server answer 401 to every request (reads and pushes) that lacks these basic-auth
// credentials. A token-style credential is a password with any user name.
func WithBasicAuth(user, password string) HTTPOption {
	return func(c *httpConfig) { c.user, c.password = user, password }
}

// WithRequestHook calls f with every request before it is served, for tests that count or inspect requests.
func WithRequestHook(f func(*http.Request)) HTTPOption {
	return func(c *httpConfig) { c.onRequest = f }
}

// NewHTTP creates an empty bare repository served by `git http-backend` (the git CLI's own smart-HTTP server) on an
// httptest server bound to 127.0.0.1, with pushes enabled, and returns the repository's URL. The server stops when
// the test ends.
func NewHTTP(t testing.TB, opts ...HTTPOption) string {
	t.Helper()
	var cfg httpConfig
	for _, o := range opts {
		o(&cfg)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "repo.git")
	Git(t, "", "init", "--quiet", "--bare", dir)
	Git(t, dir, "config", "http.receivepack", "true")

	backend := &cgi.Handler{
		Path: filepath.Join(Git(t, "", "--exec-path"), "git-http-backend"),
		Dir:  root,
		Env: []string{
			"GIT_PROJECT_ROOT=" + root,
			"GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=" + os.DevNull,
			"HOME=" + root,
		},
		Stderr: testLogWriter{t},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cfg.onRequest != nil {
			cfg.onRequest(r)
		}
		if cfg.user != "" || cfg.password != "" {
			user, password, ok := r.BasicAuth()
			if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(cfg.user)) != 1 ||
				subtle.ConstantTimeCompare([]byte(password), []byte(cfg.password)) != 1 {
				w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/repo.git"
}

// testLogWriter sends a CGI's standard error (such as a push that lost a race) to the test log.
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Logf("git http-backend: %s", bytes.TrimSpace(p))
	return len(p), nil
}

// Git runs the git command line with args in dir (the current directory when dir is empty), isolated from the
// user's and the system's git configuration, and returns its trimmed standard output. It fails the test on error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=gittest", "GIT_AUTHOR_EMAIL=gittest@localhost",
		"GIT_COMMITTER_NAME=gittest", "GIT_COMMITTER_EMAIL=gittest@localhost",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String())
}

// Refs lists a remote's references (directory or URL, with credentials in the URL when the server needs them) as
// full ref name → commit hash, with annotated tags peeled to their commit.
func Refs(t testing.TB, remote string) map[string]string {
	t.Helper()
	refs := map[string]string{}
	for _, line := range strings.Split(Git(t, "", "ls-remote", remote), "\n") {
		hash, name, ok := strings.Cut(line, "\t")
		if !ok || name == "HEAD" {
			continue
		}
		refs[strings.TrimSuffix(name, "^{}")] = hash
	}
	return refs
}

// Branch returns the commit hash of branch (short name, e.g. "kong/prod") on remote, or "" when the remote has no
// such branch.
func Branch(t testing.TB, remote, branch string) string {
	t.Helper()
	return Refs(t, remote)["refs/heads/"+branch]
}

// Tags returns the remote's tags whose names start with prefix, as tag name → commit hash.
func Tags(t testing.TB, remote, prefix string) map[string]string {
	t.Helper()
	tags := map[string]string{}
	for name, hash := range Refs(t, remote) {
		if tag, ok := strings.CutPrefix(name, "refs/tags/"); ok && strings.HasPrefix(tag, prefix) {
			tags[tag] = hash
		}
	}
	return tags
}

// Mirror clones every ref of remote into a new bare repository and returns its directory, so a test can run
// `Git(t, dir, "show", ...)` or `Git(t, dir, "log", ...)` against what the remote holds.
func Mirror(t testing.TB, remote string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mirror.git")
	Git(t, "", "clone", "--quiet", "--mirror", remote, dir)
	return dir
}

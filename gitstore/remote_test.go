package gitstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

// transports are the two ways tests reach a remote: file:// (git-receive-pack run locally) and smart HTTP through
// git http-backend.
var transports = []struct {
	name      string
	newRemote func(t *testing.T) string
}{
	{"file", func(t *testing.T) string { _, u := gittest.NewBare(t); return u }},
	{"http", func(t *testing.T) string { return gittest.NewHTTP(t) }},
}

// closedURL returns an http URL on 127.0.0.1 where nothing listens.
func closedURL(t *testing.T, userinfo string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + userinfo + addr + "/repo.git"
}

func push(t *testing.T, s *gitstore.Store, branch string, tags ...string) {
	t.Helper()
	if _, err := s.Push(context.Background(), branch, tags...); err != nil {
		t.Fatalf("Push(%s): %v", branch, err)
	}
}

func head(t *testing.T, s *gitstore.Store, ref string) gitstore.Commit {
	t.Helper()
	log, err := s.Log(context.Background(), ref, 1)
	if err != nil {
		t.Fatalf("Log(%s): %v", ref, err)
	}
	return log[0]
}

func TestPushBranchAndTags(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			url := tr.newRemote(t)
			s, _, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{{Name: "backup", URL: url}}})
			snap := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"})
			snap.Tag = "kongsnap/prod/1"
			c1 := save(t, s, snap)
			push(t, s, "kong/prod", snap.Tag)

			snap.Files["kong.yaml"], snap.Summary, snap.Tag = []byte("b\n"), "prod: second", "kongsnap/prod/2"
			c2 := save(t, s, snap)
			push(t, s, "kong/prod", snap.Tag)

			refs := gittest.Refs(t, url)
			want := map[string]string{
				"refs/heads/kong/prod":      c2.Hash,
				"refs/tags/kongsnap/prod/1": c1.Hash,
				"refs/tags/kongsnap/prod/2": c2.Hash,
			}
			for name, hash := range want {
				if refs[name] != hash {
					t.Errorf("remote %s = %q, want %s", name, refs[name], hash)
				}
			}
			if len(refs) != len(want) {
				t.Errorf("remote refs = %v, want only %v", refs, want)
			}
			// The remote-tracking branch follows the push and can be read.
			if _, c, err := s.Files(context.Background(), "backup/kong/prod"); err != nil || c.Hash != c2.Hash {
				t.Errorf("Files(backup/kong/prod) = %s, %v; want %s", c.Hash, err, c2.Hash)
			}
			push(t, s, "kong/prod") // nothing new: no error
		})
	}
}

func TestPushToEveryRemote(t *testing.T) {
	fileDir, fileURL := gittest.NewBare(t)
	httpURL := gittest.NewHTTP(t)
	s, _, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{
		{Name: "primary", URL: httpURL},
		{Name: "offsite", URL: fileURL},
	}})
	snap := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"})
	snap.Tag = "kongsnap/prod/1"
	c := save(t, s, snap)
	push(t, s, "kong/prod", snap.Tag)

	for _, remote := range []string{httpURL, fileDir} {
		if got := gittest.Branch(t, remote, "kong/prod"); got != c.Hash {
			t.Errorf("%s: kong/prod = %q, want %s", remote, got, c.Hash)
		}
		if got := gittest.Tags(t, remote, "kongsnap/"); got[snap.Tag] != c.Hash {
			t.Errorf("%s: tags = %v", remote, got)
		}
	}
}

func TestPushUnreachableRemoteKeepsCommitLocally(t *testing.T) {
	_, goodURL := gittest.NewBare(t)
	downURL := closedURL(t, "")
	s, _, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{
		{Name: "down", URL: downURL},
		{Name: "good", URL: goodURL},
	}})
	c := save(t, s, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"}))

	_, err := s.Push(context.Background(), "kong/prod")
	if err == nil {
		t.Fatal("Push with an unreachable remote succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "pushing kong/prod to down ("+downURL+")") || strings.Contains(msg, "to good") {
		t.Errorf("error %q should name the unreachable remote and only it", msg)
	}
	if got := head(t, s, "kong/prod"); got.Hash != c.Hash {
		t.Errorf("local head = %s, want the commit %s kept", got.Hash, c.Hash)
	}
	if got := gittest.Branch(t, goodURL, "kong/prod"); got != c.Hash {
		t.Errorf("reachable remote has %q, want %s: one failing remote must not stop the others", got, c.Hash)
	}
}

// twoStores returns two stores in separate repositories sharing one remote, both holding the remote's baseline.
func twoStores(t *testing.T, url string) (a, b *gitstore.Store, baseline gitstore.Commit) {
	t.Helper()
	remotes := []gitstore.Remote{{Name: "origin", URL: url}}
	clk := newClock() // one clock, so the stores' commits never share a time
	a, _, _ = testStore(t, gitstore.Options{Remotes: remotes, Clock: clk.Now})
	b, _, _ = testStore(t, gitstore.Options{Remotes: remotes, Clock: clk.Now})
	baseline = save(t, a, snapshot("kong/prod", "prod: baseline", map[string]string{"kong.yaml": "base\n"}))
	push(t, a, "kong/prod")
	if err := b.Fetch(context.Background()); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return a, b, baseline
}

func TestPushRecommitsOnMovedBranch(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			url := tr.newRemote(t)
			a, b, baseline := twoStores(t, url)

			snapA := snapshot("kong/prod", "prod: run a", map[string]string{"kong.yaml": "a\n"})
			snapA.Tag = "kongsnap/prod/a"
			ca := save(t, a, snapA)
			snapB := snapshot("kong/prod", "prod: run b", map[string]string{"kong.yaml": "b\n", "new.yaml": "n\n"})
			snapB.Tag, snapB.Trailers = "kongsnap/prod/b", []gitstore.Trailer{{Key: "Run-Id", Value: "b"}}
			cb := save(t, b, snapB)
			if got := gittest.Branch(t, url, "kong/prod"); got != baseline.Hash {
				t.Fatalf("setup: remote is at %s, want the baseline", got)
			}

			push(t, a, "kong/prod", snapA.Tag)
			push(t, b, "kong/prod", snapB.Tag) // rejected as non-fast-forward at first: b recommits on top of a

			mirror := gittest.Mirror(t, url)
			history := gittest.Git(t, "", "--git-dir", mirror, "log", "--format=%s|%P", "kong/prod")
			lines := strings.Split(history, "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], "prod: run b|") || lines[1] != "prod: run a|"+baseline.Hash ||
				lines[2] != "prod: baseline|" {
				t.Fatalf("remote history =\n%s\nwant run b, run a, baseline in a line", history)
			}
			remoteHead := gittest.Git(t, "", "--git-dir", mirror, "rev-parse", "kong/prod")
			if remoteHead == cb.Hash {
				t.Errorf("b's commit was pushed as is; it must have been recommitted on a")
			}
			if got := gittest.Git(t, "", "--git-dir", mirror, "rev-parse", "kong/prod^"); got != ca.Hash {
				t.Errorf("recommitted parent = %s, want a's commit %s (nothing force-pushed away)", got, ca.Hash)
			}
			if got := gittest.Git(t, "", "--git-dir", mirror, "show", "kong/prod:new.yaml"); got != "n" {
				t.Errorf("b's tree not kept: new.yaml = %q", got)
			}
			tags := gittest.Tags(t, url, "kongsnap/prod/")
			if tags["kongsnap/prod/a"] != ca.Hash || tags["kongsnap/prod/b"] != remoteHead {
				t.Errorf("remote tags = %v, want a at %s and b at the recommitted head %s", tags, ca.Hash, remoteHead)
			}
			got := head(t, b, "kong/prod")
			if got.Hash != remoteHead || got.Summary != "prod: run b" || got.Trailer("Run-Id") != "b" ||
				!got.Time.Equal(cb.Time) {
				t.Errorf("b's local head after push = %+v, want the recommit with the same message and time", got)
			}
		})
	}
}

func TestPushRecommitsUnfetchedOrphanOnRemoteHistory(t *testing.T) {
	_, url := gittest.NewBare(t)
	remotes := []gitstore.Remote{{Name: "origin", URL: url}}
	a, _, _ := testStore(t, gitstore.Options{Remotes: remotes})
	first := save(t, a, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"}))
	push(t, a, "kong/prod")

	// b never fetched, so its first snapshot is an orphan unrelated to the remote's history.
	b, _, _ := testStore(t, gitstore.Options{Remotes: remotes})
	save(t, b, snapshot("kong/prod", "prod: from b", map[string]string{"kong.yaml": "b\n"}))
	push(t, b, "kong/prod")

	mirror := gittest.Mirror(t, url)
	if got := gittest.Git(t, "", "--git-dir", mirror, "log", "--format=%s", "kong/prod"); got != "prod: from b\nprod: first" {
		t.Errorf("remote history = %q, want b's snapshot on top of a's", got)
	}
	if got := gittest.Git(t, "", "--git-dir", mirror, "rev-parse", "kong/prod^"); got != first.Hash {
		t.Errorf("parent = %s, want %s", got, first.Hash)
	}
}

func TestPushDropsRecommitOfSameTree(t *testing.T) {
	_, url := gittest.NewBare(t)
	a, b, _ := twoStores(t, url)
	files := map[string]string{"kong.yaml": "same change\n"}
	snapA := snapshot("kong/prod", "prod: run a", files)
	snapA.Tag = "kongsnap/prod/a"
	ca := save(t, a, snapA)
	snapB := snapshot("kong/prod", "prod: run b", files)
	snapB.Tag = "kongsnap/prod/b"
	save(t, b, snapB)

	push(t, a, "kong/prod", snapA.Tag)
	push(t, b, "kong/prod", snapB.Tag)

	if got := gittest.Branch(t, url, "kong/prod"); got != ca.Hash {
		t.Errorf("remote head = %s, want a's commit %s: b's identical tree adds no commit", got, ca.Hash)
	}
	if tags := gittest.Tags(t, url, "kongsnap/prod/"); tags["kongsnap/prod/b"] != ca.Hash {
		t.Errorf("remote tags = %v, want b's tag on a's identical commit", tags)
	}
}

func TestPushConcurrentRunsLandEverySnapshot(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			url := tr.newRemote(t)
			a, b, _ := twoStores(t, url)
			const rounds = 3
			want := map[string]string{} // tag → kong.yaml content
			for round := range rounds {
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i, s := range []*gitstore.Store{a, b} {
					content := fmt.Sprintf("round %d store %d\n", round, i)
					snap := snapshot("kong/prod", "prod: "+content, map[string]string{"kong.yaml": content})
					snap.Tag = fmt.Sprintf("kongsnap/prod/r%d-s%d", round, i)
					want[snap.Tag] = content
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := s.Save(context.Background(), snap); err != nil {
							errs[i] = err
							return
						}
						_, errs[i] = s.Push(context.Background(), "kong/prod", snap.Tag)
					}()
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}

			mirror := gittest.Mirror(t, url)
			if n := gittest.Git(t, "", "--git-dir", mirror, "rev-list", "--count", "kong/prod"); n != fmt.Sprint(1+2*rounds) {
				t.Errorf("remote has %s commits, want %d: baseline plus every snapshot", n, 1+2*rounds)
			}
			if merges := gittest.Git(t, "", "--git-dir", mirror, "rev-list", "--merges", "kong/prod"); merges != "" {
				t.Errorf("history has merge commits: %s", merges)
			}
			tags := gittest.Tags(t, url, "kongsnap/prod/")
			for tag, content := range want {
				hash, ok := tags[tag]
				if !ok {
					t.Errorf("tag %s missing on the remote", tag)
					continue
				}
				// Fails the test unless the tagged snapshot is in the branch's history.
				gittest.Git(t, "", "--git-dir", mirror, "merge-base", "--is-ancestor", hash, "kong/prod")
				if got := gittest.Git(t, "", "--git-dir", mirror, "show", hash+":kong.yaml"); got+"\n" != content {
					t.Errorf("tag %s shows %q, want %q", tag, got, content)
				}
			}
		})
	}
}

func TestPushRejectedByServerIsNotRetried(t *testing.T) {
	dir, url := gittest.NewBare(t)
	calls := filepath.Join(t.TempDir(), "calls")
	hook := "#!/bin/sh\necho call >> " + calls + "\necho 'policy: no pushes today' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	s, _, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{{Name: "origin", URL: url}}})
	save(t, s, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"}))

	_, err := s.Push(context.Background(), "kong/prod")
	if err == nil || !strings.Contains(err.Error(), "pushing kong/prod to origin") {
		t.Fatalf("Push to a rejecting remote: err = %v", err)
	}
	if data, _ := os.ReadFile(calls); strings.Count(string(data), "call") != 1 {
		t.Errorf("pre-receive ran %d times, want 1: a rejection without a moved branch is final", strings.Count(string(data), "call"))
	}
}

func TestPushGivesUpWhenBranchKeepsMoving(t *testing.T) {
	work := filepath.Join(t.TempDir(), "work")
	var (
		armed       atomic.Bool
		goGitPushes atomic.Int32
		hookErr     atomic.Value
	)
	url := gittest.NewHTTP(t, gittest.WithRequestHook(func(r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/git-receive-pack") ||
			!strings.HasPrefix(r.UserAgent(), "go-git") || !armed.Load() {
			return
		}
		goGitPushes.Add(1)
		// Another writer lands a commit between go-git's ref advertisement and its push.
		for _, args := range [][]string{
			{"-C", work, "commit", "--quiet", "--allow-empty", "-m", "concurrent run"},
			{"-C", work, "push", "--quiet", "origin", "HEAD:refs/heads/kong/prod"},
		} {
			cmd := exec.Command("git", args...)
			cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
				"GIT_AUTHOR_NAME=other", "GIT_AUTHOR_EMAIL=o@x", "GIT_COMMITTER_NAME=other", "GIT_COMMITTER_EMAIL=o@x")
			if out, err := cmd.CombinedOutput(); err != nil {
				hookErr.Store(fmt.Sprintf("git %v: %v: %s", args, err, out))
			}
		}
	}))
	s, _, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{{Name: "origin", URL: url}}, PushRetries: 2})
	save(t, s, snapshot("kong/prod", "prod: base", map[string]string{"kong.yaml": "base\n"}))
	push(t, s, "kong/prod")
	gittest.Git(t, "", "clone", "--quiet", "--branch", "kong/prod", url, work)
	armed.Store(true)

	save(t, s, snapshot("kong/prod", "prod: mine", map[string]string{"kong.yaml": "mine\n"}))
	_, err := s.Push(context.Background(), "kong/prod")
	if msg, _ := hookErr.Load().(string); msg != "" {
		t.Fatalf("concurrent writer failed: %s", msg)
	}
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("Push against a branch that always moves: err = %v, want it to give up after 3 attempts", err)
	}
	if n := goGitPushes.Load(); n != 3 {
		t.Errorf("pushes sent = %d, want 3 (1 + PushRetries)", n)
	}
	if got := head(t, s, "kong/prod"); got.Summary != "prod: mine" {
		t.Errorf("local head = %q, want the snapshot kept locally", got.Summary)
	}
}

func TestPushAuthenticatedHTTP(t *testing.T) {
	const token = "ghp_s3cr3tT0ken"
	url := gittest.NewHTTP(t, gittest.WithBasicAuth("x-access-token", token))
	tests := []struct {
		name    string
		remote  gitstore.Remote
		wantErr bool
	}{
		{"basic auth", gitstore.Remote{URL: url, Auth: &githttp.BasicAuth{Username: "x-access-token", Password: token}}, false},
		{"credentials in URL", gitstore.Remote{URL: strings.Replace(url, "http://", "http://x-access-token:"+token+"@", 1)}, false},
		{"no credentials", gitstore.Remote{URL: url}, true},
		{"wrong token", gitstore.Remote{URL: url, Auth: &githttp.BasicAuth{Username: "x-access-token", Password: "wrong"}}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.remote.Name = "origin"
			s, _, logs := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{tt.remote}})
			branch := fmt.Sprintf("kong/env%d", i)
			save(t, s, snapshot(branch, "first", map[string]string{"kong.yaml": "a\n"}))
			_, err := s.Push(context.Background(), branch)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Push: err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), token) || strings.Contains(logs.String(), token) {
				t.Errorf("token leaked: err = %v, logs = %s", err, logs)
			}
			authed := strings.Replace(url, "http://", "http://x-access-token:"+token+"@", 1)
			if got := gittest.Branch(t, authed, branch) != ""; got == tt.wantErr {
				t.Errorf("remote has branch = %v, want %v", got, !tt.wantErr)
			}
		})
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	const secret = "hunter2-Secret-Value"
	tests := []struct {
		name string
		opts gitstore.Options
		run  func(*gitstore.Store) error
	}{
		{
			name: "password in remote URL",
			opts: gitstore.Options{Remotes: []gitstore.Remote{{Name: "origin", URL: closedURL(t, "user:"+secret+"@")}}},
			run:  func(s *gitstore.Store) error { _, err := s.Push(context.Background(), "kong/prod"); return err },
		},
		{
			name: "token as URL user",
			opts: gitstore.Options{Remotes: []gitstore.Remote{{Name: "origin", URL: closedURL(t, secret+"@")}}},
			run:  func(s *gitstore.Store) error { return s.Fetch(context.Background()) },
		},
		{
			name: "basic auth password rejected",
			opts: gitstore.Options{Remotes: []gitstore.Remote{{
				Name: "origin", URL: gittest.NewHTTP(t, gittest.WithBasicAuth("u", "right")),
				Auth: &githttp.BasicAuth{Username: "u", Password: secret},
			}}},
			run: func(s *gitstore.Store) error { return s.DeleteTags(context.Background(), []string{"x"}) },
		},
		{
			name: "token auth rejected",
			opts: gitstore.Options{Remotes: []gitstore.Remote{{
				Name: "origin", URL: gittest.NewHTTP(t, gittest.WithBasicAuth("u", "right")),
				Auth: &githttp.TokenAuth{Token: secret},
			}}},
			run: func(s *gitstore.Store) error { return s.DeleteBranch(context.Background(), "kongsnap/drift/prod") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, logs := testStore(t, tt.opts)
			save(t, s, snapshot("kong/prod", "first", map[string]string{"kong.yaml": "a\n"}))
			err := tt.run(s)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
				t.Errorf("secret leaked:\nerror: %v\nlogs: %s", err, logs)
			}
		})
	}

	t.Run("clone URL", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "clone")
		_, err := gitstore.Open(context.Background(), gitstore.Options{Path: path, URL: closedURL(t, "user:"+secret+"@")})
		if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "***@127.0.0.1") {
			t.Errorf("Open with an unreachable clone URL: err = %v, want an error with the URL redacted", err)
		}
		if entries, _ := os.ReadDir(path); len(entries) != 0 {
			t.Errorf("failed clone left %d entries in %s", len(entries), path)
		}
	})
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"password", "https://user:pw@example.com/org/repo.git", "https://***@example.com/org/repo.git"},
		{"token as user", "https://ghp_abc@example.com/repo", "https://***@example.com/repo"},
		{"no userinfo", "https://example.com/repo", "https://example.com/repo"},
		{"ssh user kept out", "ssh://git@example.com/repo", "ssh://***@example.com/repo"},
		{"scp-like has no secret", "git@example.com:org/repo.git", "git@example.com:org/repo.git"},
		{"inside text", `Get "https://u:p@h/x": dial`, `Get "https://***@h/x": dial`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gitstore.RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFetchFollowsRemote(t *testing.T) {
	_, url := gittest.NewBare(t)
	remotes := []gitstore.Remote{{Name: "origin", URL: url}}
	a, _, _ := testStore(t, gitstore.Options{Remotes: remotes})
	b, bDir, _ := testStore(t, gitstore.Options{Remotes: remotes})

	snap := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"})
	snap.Tag = "kongsnap/prod/1"
	c1 := save(t, a, snap)
	push(t, a, "kong/prod", snap.Tag)
	drift := snapshot("kongsnap/drift/prod", "prod: drift", map[string]string{"kong.yaml": "hand edit\n"})
	drift.Base = "kong/prod"
	save(t, a, drift)
	push(t, a, "kongsnap/drift/prod")

	fetch := func() {
		t.Helper()
		if err := b.Fetch(context.Background()); err != nil {
			t.Fatalf("Fetch: %v", err)
		}
	}
	fetch()
	if got := head(t, b, "kong/prod"); got.Hash != c1.Hash || !equalStrings(got.Tags, []string{"kongsnap/prod/1"}) {
		t.Errorf("after the first fetch, local kong/prod = %+v, want %s tagged", got, c1.Hash)
	}

	c2 := save(t, a, snapshot("kong/prod", "prod: second", map[string]string{"kong.yaml": "b\n"}))
	push(t, a, "kong/prod")
	fetch()
	if got := head(t, b, "kong/prod"); got.Hash != c2.Hash {
		t.Errorf("a branch behind the remote was not fast-forwarded: %s, want %s", got.Hash, c2.Hash)
	}

	mine := save(t, b, snapshot("kong/prod", "prod: local only", map[string]string{"kong.yaml": "mine\n"}))
	c3 := save(t, a, snapshot("kong/prod", "prod: third", map[string]string{"kong.yaml": "c\n"}))
	push(t, a, "kong/prod")
	if err := a.DeleteBranch(context.Background(), "kongsnap/drift/prod"); err != nil {
		t.Fatal(err)
	}
	fetch()
	if got := head(t, b, "kong/prod"); got.Hash != mine.Hash {
		t.Errorf("a local commit was overwritten by fetch: head %s, want %s", got.Hash, mine.Hash)
	}
	if got := head(t, b, "origin/kong/prod"); got.Hash != c3.Hash {
		t.Errorf("remote-tracking branch = %s, want %s", got.Hash, c3.Hash)
	}
	if refs := gittest.Git(t, bDir, "for-each-ref", "--format=%(refname)", "refs/remotes/origin/kongsnap"); refs != "" {
		t.Errorf("remote-tracking ref of the deleted branch survived: %s", refs)
	}
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

func TestOpenClonesURL(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			url := tr.newRemote(t)
			seed, _, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{{Name: "origin", URL: url}}})
			snap := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"})
			snap.Tag = "kongsnap/prod/1"
			c1 := save(t, seed, snap)
			push(t, seed, "kong/prod", snap.Tag)

			s, path, _ := testStore(t, gitstore.Options{URL: url})
			if got := head(t, s, "kong/prod"); got.Hash != c1.Hash || !equalStrings(got.Tags, []string{snap.Tag}) {
				t.Fatalf("clone's kong/prod = %+v, want %s with its tag", got, c1.Hash)
			}
			if cfg, _ := os.ReadFile(filepath.Join(path, "config")); strings.Contains(string(cfg), "127.0.0.1") ||
				strings.Contains(string(cfg), "file:") {
				t.Errorf("remote URL written to the repository config:\n%s", cfg)
			}
			// The clone URL is the default push target.
			c2 := save(t, s, snapshot("kong/prod", "prod: second", map[string]string{"kong.yaml": "b\n"}))
			push(t, s, "kong/prod")
			if got := gittest.Branch(t, url, "kong/prod"); got != c2.Hash {
				t.Errorf("remote kong/prod = %s, want %s pushed to origin", got, c2.Hash)
			}
		})
	}
}

func TestDeleteBranchAndTagsOnRemotes(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			url := tr.newRemote(t)
			s, dir, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{{Name: "origin", URL: url}}})
			var tags []string
			for i := range 3 {
				snap := snapshot("kong/prod", fmt.Sprint("prod ", i), map[string]string{"kong.yaml": fmt.Sprint(i)})
				snap.Tag = fmt.Sprint("kongsnap/prod/", i)
				save(t, s, snap)
				tags = append(tags, snap.Tag)
			}
			push(t, s, "kong/prod", tags...)
			drift := snapshot("kongsnap/drift/prod", "drift", map[string]string{"kong.yaml": "hand"})
			drift.Base = "kong/prod"
			save(t, s, drift)
			push(t, s, "kongsnap/drift/prod")

			ctx := context.Background()
			for range 2 { // the second round finds nothing to delete, which is not an error
				if err := s.DeleteTags(ctx, []string{"kongsnap/prod/0", "kongsnap/prod/1"}); err != nil {
					t.Fatalf("DeleteTags: %v", err)
				}
				if err := s.DeleteBranch(ctx, "kongsnap/drift/prod"); err != nil {
					t.Fatalf("DeleteBranch: %v", err)
				}
			}
			refs := gittest.Refs(t, url)
			if _, ok := refs["refs/heads/kong/prod"]; !ok || len(refs) != 2 || refs["refs/tags/kongsnap/prod/2"] == "" {
				t.Errorf("remote refs = %v, want only kong/prod and tag kongsnap/prod/2", refs)
			}
			if local := gittest.Git(t, dir, "for-each-ref", "--format=%(refname)", "refs/tags", "refs/heads/kongsnap",
				"refs/remotes/origin/kongsnap"); local != "refs/tags/kongsnap/prod/2" {
				t.Errorf("local refs = %q, want only refs/tags/kongsnap/prod/2", local)
			}
		})
	}
}

// Issue 12 §2: a tag a remote already has is never moved, not even forward along the branch (go-git alone would
// move it like a branch); the push fails naming it, and the remote keeps its tag.
func TestPushNeverMovesATagTheRemoteHas(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			url := tr.newRemote(t)
			a, b, _ := twoStores(t, url)
			snapA := snapshot("kong/prod", "prod: run a", map[string]string{"kong.yaml": "a\n"})
			snapA.Tag = "kongsnap/prod/same-name"
			ca := save(t, a, snapA)
			snapB := snapshot("kong/prod", "prod: run b", map[string]string{"kong.yaml": "b\n"})
			snapB.Tag = snapA.Tag // b has not fetched a's tag: it cannot know the name is taken
			save(t, b, snapB)
			push(t, a, "kong/prod", snapA.Tag)

			_, err := b.Push(context.Background(), "kong/prod", snapB.Tag)
			if err == nil || !strings.Contains(err.Error(), "tag kongsnap/prod/same-name already exists on the remote") {
				t.Fatalf("push of a tag the remote has elsewhere: %v", err)
			}
			if got := gittest.Tags(t, url, "kongsnap/prod/")[snapA.Tag]; got != ca.Hash {
				t.Errorf("remote tag moved to %s, want it kept at %s", got, ca.Hash)
			}
		})
	}
}

// Issue 12 §2 (c): a snapshot committed while the remote was unreachable is published, with its tag, by the next
// Push even when nothing new was committed; Push then counts it. An up-to-date branch contacts no remote.
func TestPushPublishesPendingSnapshots(t *testing.T) {
	var requests atomic.Int32
	url := gittest.NewHTTP(t, gittest.WithRequestHook(func(*http.Request) { requests.Add(1) }))
	down := closedURL(t, "")
	s, path, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{{Name: "origin", URL: url}}})
	save(t, s, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"}))
	push(t, s, "kong/prod")

	// The same repository, opened with the remote unreachable, commits a tagged snapshot it cannot push.
	offline, _, _ := testStore(t, gitstore.Options{Path: path, Remotes: []gitstore.Remote{{Name: "origin", URL: down}}})
	snap := snapshot("kong/prod", "prod: while away", map[string]string{"kong.yaml": "b\n"})
	snap.Tag = "kongsnap/prod/while-away"
	pending := save(t, offline, snap)
	if _, err := offline.Push(context.Background(), "kong/prod", snap.Tag); err == nil {
		t.Fatal("push to an unreachable remote succeeded")
	}

	published, err := s.Push(context.Background(), "kong/prod")
	if err != nil {
		t.Fatal(err)
	}
	if published.Snapshots != 1 || published.Commit.Hash != pending.Hash ||
		strings.Join(published.Tags, ",") != snap.Tag {
		t.Errorf("Push = %+v, want the pending %s with its tag %s", published, pending.Hash, snap.Tag)
	}
	if got := gittest.Tags(t, url, "kongsnap/prod/")[snap.Tag]; got != pending.Hash {
		t.Errorf("remote tag %s = %q, want %s", snap.Tag, got, pending.Hash)
	}

	requests.Store(0)
	published, err = s.Push(context.Background(), "kong/prod")
	if err != nil || published.Snapshots != 0 || len(published.Tags) != 0 {
		t.Errorf("Push of an up-to-date branch = %+v, %v", published, err)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("an up-to-date Push made %d requests, want none", n)
	}
}

package gitstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

// clock is a fake clock that advances one minute per reading, so every commit gets a distinct, known time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Minute)
	return c.t
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testStore opens a store in a new temporary repository (unless opts.Path is set) with a fake clock, logging at
// debug level into the returned buffer.
func testStore(t *testing.T, opts gitstore.Options) (*gitstore.Store, string, *syncBuffer) {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "repo")
	}
	if opts.Clock == nil {
		opts.Clock = newClock().Now
	}
	logs := &syncBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := gitstore.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, opts.Path, logs
}

func snapshot(branch, summary string, files map[string]string) gitstore.CommitRequest {
	snap := gitstore.CommitRequest{Branch: branch, Summary: summary, Files: map[string][]byte{}}
	for name, content := range files {
		snap.Files[name] = []byte(content)
	}
	return snap
}

func save(t *testing.T, s *gitstore.Store, snap gitstore.CommitRequest) gitstore.Commit {
	t.Helper()
	c, err := s.Save(context.Background(), snap)
	if err != nil {
		t.Fatalf("Save(%s, %q): %v", snap.Branch, snap.Summary, err)
	}
	return c
}

func stringFiles(files map[string][]byte) map[string]string {
	out := map[string]string{}
	for name, content := range files {
		out[name] = string(content)
	}
	return out
}

func TestSaveFirstCommitIsOrphanWithWholeTree(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	files := map[string]string{
		"kong.yaml":                "_format_version: \"3.0\"\n",
		"services.yaml":            "services: []\n",
		"services/billing.yaml":    "name: billing\n",
		"services/a/deep/x.yaml":   "x\n",
		"plugins/rate-limit.yaml":  "name: rate-limiting\n",
		"plugins.d/README":         "readme\n",
		"consumers/alice/key.yaml": "key: redacted\n",
	}
	c := save(t, s, snapshot(s.Branch("prod"), "prod: first snapshot", files))

	if got := gittest.Git(t, dir, "rev-list", "--parents", "-n", "1", "kong/prod"); got != c.Hash {
		t.Errorf("first commit has parents: rev-list --parents = %q, want just %q", got, c.Hash)
	}
	// git fsck --strict rejects trees whose entries are not in git's order, among other defects.
	gittest.Git(t, dir, "fsck", "--strict", "--no-dangling")
	listed := strings.Split(gittest.Git(t, dir, "ls-tree", "-r", "--name-only", "kong/prod"), "\n")
	if want := slices.Sorted(maps.Keys(files)); !reflect.DeepEqual(listed, want) {
		t.Errorf("ls-tree = %v, want %v", listed, want)
	}
	if got := gittest.Git(t, dir, "show", "kong/prod:services/billing.yaml"); got != "name: billing" {
		t.Errorf("services/billing.yaml = %q", got)
	}
	if got := gittest.Git(t, dir, "log", "-1", "--format=%an <%ae> %aI %cI", "kong/prod"); got !=
		"kongsnap <kongsnap@localhost> 2026-11-22T14:01:00+00:00 2026-11-22T14:01:00+00:00" {
		t.Errorf("author and dates = %q, want the defaults and the clock's time", got)
	}
	if got := gittest.Git(t, dir, "symbolic-ref", "HEAD"); got == "refs/heads/kong/prod" {
		t.Errorf("HEAD moved to the snapshot branch")
	}
}

func TestSaveUnchangedMakesNoCommitAndNoTag(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	files := map[string]string{"kong.yaml": "a\n", "services/x.yaml": "x\n"}
	first := save(t, s, snapshot("kong/prod", "prod: first", files))

	again := snapshot("kong/prod", "prod: nothing changed", files)
	again.Tag = "kongsnap/prod/2026-11-22T1405Z"
	_, err := s.Save(context.Background(), again)
	if !errors.Is(err, gitstore.ErrUnchanged) {
		t.Fatalf("Save of the same tree: err = %v, want ErrUnchanged", err)
	}
	if head := gittest.Git(t, dir, "rev-parse", "kong/prod"); head != first.Hash {
		t.Errorf("branch moved to %s on an unchanged tree", head)
	}
	if tags := gittest.Git(t, dir, "tag", "--list"); tags != "" {
		t.Errorf("tags after an unchanged save: %q, want none", tags)
	}
}

func TestSaveReplacesTheWholeTree(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	save(t, s, snapshot("kong/prod", "prod: first", map[string]string{
		"kong.yaml": "a\n", "services/x.yaml": "x\n", "services/y.yaml": "y\n", "routes/r.yaml": "r\n",
	}))
	second := save(t, s, snapshot("kong/prod", "prod: y and routes removed", map[string]string{
		"kong.yaml": "b\n", "services/x.yaml": "x\n",
	}))

	if got := gittest.Git(t, dir, "ls-tree", "-r", "--name-only", "kong/prod"); got != "kong.yaml\nservices/x.yaml" {
		t.Errorf("ls-tree after deletions = %q", got)
	}
	if got := gittest.Git(t, dir, "rev-parse", "kong/prod~1"); got == second.Hash {
		t.Errorf("second commit has no parent")
	}
	files, _, err := s.Files(context.Background(), "kong/prod")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"kong.yaml": "b\n", "services/x.yaml": "x\n"}; !reflect.DeepEqual(stringFiles(files), want) {
		t.Errorf("Files = %v, want %v", stringFiles(files), want)
	}
}

func TestSaveTrailersRoundTrip(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{Author: gitstore.Signature{Name: "Backup Bot", Email: "bot@example.com"}})
	trailers := []gitstore.Trailer{
		{Key: "Kongsnap-Connection", Value: "prod"},
		{Key: "Kong-Version", Value: "3.9.1"},
		{Key: "Entity-Count", Value: "42"},
		{Key: "Trigger", Value: "schedule"},
		{Key: "Run-Id", Value: "1234-5"},
	}
	snap := snapshot("kong/prod", "prod: 2 services changed, 1 route added", map[string]string{"kong.yaml": "a\n"})
	snap.Body = "Changed by a scheduled backup.\nSecond line."
	snap.Trailers = trailers
	c := save(t, s, snap)

	if !reflect.DeepEqual(c.Trailers, trailers) || c.Summary != snap.Summary {
		t.Errorf("Save returned summary %q trailers %v", c.Summary, c.Trailers)
	}
	// The real git parses the same trailers.
	parsed := gittest.Git(t, dir, "log", "-1", "--format=%(trailers:only,unfold)", "kong/prod")
	want := "Kongsnap-Connection: prod\nKong-Version: 3.9.1\nEntity-Count: 42\nTrigger: schedule\nRun-Id: 1234-5"
	if parsed != want {
		t.Errorf("git's trailers = %q, want %q", parsed, want)
	}
	if got := gittest.Git(t, dir, "log", "-1", "--format=%b", "kong/prod"); !strings.HasPrefix(got, snap.Body+"\n\n") {
		t.Errorf("body = %q, want it to start with %q", got, snap.Body)
	}
	if got := gittest.Git(t, dir, "log", "-1", "--format=%an <%ae>", "kong/prod"); got != "Backup Bot <bot@example.com>" {
		t.Errorf("author = %q", got)
	}
	log, err := s.Log(context.Background(), "kong/prod", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(log[0].Trailers, trailers) || log[0].Trailer("kong-version") != "3.9.1" {
		t.Errorf("Log trailers = %v", log[0].Trailers)
	}
}

func TestSaveCreatesTag(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	snap := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n"})
	snap.Tag = "kongsnap/prod/2026-11-22T1401Z"
	c := save(t, s, snap)

	if got := gittest.Git(t, dir, "tag", "--points-at", c.Hash); got != snap.Tag {
		t.Errorf("tags at the commit = %q, want %q", got, snap.Tag)
	}
	if !reflect.DeepEqual(c.Tags, []string{snap.Tag}) {
		t.Errorf("Commit.Tags = %v", c.Tags)
	}

	snap.Files["kong.yaml"] = []byte("b\n")
	if _, err := s.Save(context.Background(), snap); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("Save with an existing tag: err = %v, want already exists", err)
	}
	if head := gittest.Git(t, dir, "rev-parse", "kong/prod"); head != c.Hash {
		t.Errorf("a refused save moved the branch")
	}
}

func TestSaveIsReproducible(t *testing.T) {
	snap := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "a\n", "b/c.yaml": "c\n"})
	snap.Trailers = []gitstore.Trailer{{Key: "Run-Id", Value: "7"}}
	var hashes []string
	for range 2 {
		s, _, _ := testStore(t, gitstore.Options{})
		hashes = append(hashes, save(t, s, snap).Hash)
	}
	if hashes[0] != hashes[1] {
		t.Errorf("same input and clock gave commits %s and %s", hashes[0], hashes[1])
	}
}

func TestSaveRejectsInvalidInput(t *testing.T) {
	valid := func() gitstore.CommitRequest {
		return snapshot("kong/prod", "prod: ok", map[string]string{"kong.yaml": "a\n"})
	}
	tests := []struct {
		name   string
		modify func(*gitstore.CommitRequest)
		want   string
	}{
		{"parent path", func(s *gitstore.CommitRequest) { s.Files["../x"] = nil }, `invalid file path "../x"`},
		{"absolute path", func(s *gitstore.CommitRequest) { s.Files["/etc/x"] = nil }, `invalid file path "/etc/x"`},
		{"empty segment", func(s *gitstore.CommitRequest) { s.Files["a//b"] = nil }, `invalid file path "a//b"`},
		{"dot git", func(s *gitstore.CommitRequest) { s.Files[".GIT/config"] = nil }, `invalid file path ".GIT/config"`},
		{"backslash", func(s *gitstore.CommitRequest) { s.Files[`a\b`] = nil }, `invalid file path "a\\b"`},
		{"file and directory", func(s *gitstore.CommitRequest) { s.Files["kong.yaml/x"] = nil }, "both a file and a directory"},
		{"empty summary", func(s *gitstore.CommitRequest) { s.Summary = " " }, "must be one non-empty line"},
		{"two-line summary", func(s *gitstore.CommitRequest) { s.Summary = "a\nb" }, "must be one non-empty line"},
		{"trailer key", func(s *gitstore.CommitRequest) { s.Trailers = []gitstore.Trailer{{Key: "Run Id", Value: "1"}} }, `trailer key "Run Id"`},
		{"trailer value", func(s *gitstore.CommitRequest) { s.Trailers = []gitstore.Trailer{{Key: "Run-Id", Value: "1\n2"}} }, "trailer Run-Id"},
		{"body ending like trailers", func(s *gitstore.CommitRequest) { s.Body = "Note: this reads as a trailer" }, "would read as trailers"},
		{"branch", func(s *gitstore.CommitRequest) { s.Branch = "kong/pr od" }, `invalid branch name "kong/pr od"`},
		{"tag", func(s *gitstore.CommitRequest) { s.Tag = "kongsnap/prod/14:30" }, `invalid tag name "kongsnap/prod/14:30"`},
		{"missing base", func(s *gitstore.CommitRequest) { s.Branch, s.Base = "kongsnap/drift/prod", "kong/none" }, "base branch kong/none: unknown ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir, _ := testStore(t, gitstore.Options{})
			snap := valid()
			tt.modify(&snap)
			_, err := s.Save(context.Background(), snap)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Save: err = %v, want it to contain %q", err, tt.want)
			}
			if refs := gittest.Git(t, dir, "for-each-ref"); refs != "" {
				t.Errorf("a refused save left refs: %s", refs)
			}
		})
	}
}

func TestSaveDriftBranchStartsFromBase(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	env := save(t, s, snapshot(s.Branch("prod"), "prod: baseline", map[string]string{"kong.yaml": "a\n"}))

	drift := snapshot("kongsnap/drift/prod", "prod: drift", map[string]string{"kong.yaml": "changed by hand\n"})
	drift.Base = s.Branch("prod")
	c := save(t, s, drift)
	if parent := gittest.Git(t, dir, "rev-parse", c.Hash+"^"); parent != env.Hash {
		t.Errorf("drift commit's parent = %s, want the environment head %s", parent, env.Hash)
	}

	// Once the drift branch exists, Base no longer matters: the next commit follows the drift branch.
	drift.Files["kong.yaml"] = []byte("changed again\n")
	next := save(t, s, drift)
	if parent := gittest.Git(t, dir, "rev-parse", next.Hash+"^"); parent != c.Hash {
		t.Errorf("second drift commit's parent = %s, want %s", parent, c.Hash)
	}

	// A drift identical to the base is no drift.
	same := snapshot("kongsnap/drift/stage", "stage: drift", map[string]string{"kong.yaml": "a\n"})
	save(t, s, snapshot(s.Branch("stage"), "stage: baseline", map[string]string{"kong.yaml": "a\n"}))
	same.Base = s.Branch("stage")
	if _, err := s.Save(context.Background(), same); !errors.Is(err, gitstore.ErrUnchanged) {
		t.Errorf("drift equal to its base: err = %v, want ErrUnchanged", err)
	}
}

func TestFilesResolvesRefs(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	first := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "one\n"})
	first.Tag = "kongsnap/prod/first"
	c1 := save(t, s, first)
	c2 := save(t, s, snapshot("kong/prod", "prod: second", map[string]string{"kong.yaml": "two\n", "x.yaml": "x\n"}))
	gittest.Git(t, dir, "tag", "-a", "-m", "annotated", "annotated", c1.Hash)
	gittest.Git(t, dir, "update-ref", "refs/remotes/origin/kong/prod", c1.Hash)

	tests := []struct {
		name, ref string
		want      gitstore.Commit
		content   string
	}{
		{"full hash", c1.Hash, c1, "one\n"},
		{"upper-case hash", strings.ToUpper(c1.Hash), c1, "one\n"},
		{"short hash", c2.Hash[:7], c2, "two\n"},
		{"lightweight tag", "kongsnap/prod/first", c1, "one\n"},
		{"annotated tag", "annotated", c1, "one\n"},
		{"branch", "kong/prod", c2, "two\n"},
		{"full reference", "refs/heads/kong/prod", c2, "two\n"},
		{"remote-tracking branch", "origin/kong/prod", c1, "one\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, c, err := s.Files(context.Background(), tt.ref)
			if err != nil {
				t.Fatalf("Files(%q): %v", tt.ref, err)
			}
			if c.Hash != tt.want.Hash || c.Summary != tt.want.Summary || !c.Time.Equal(tt.want.Time) {
				t.Errorf("commit = %+v, want %+v", c, tt.want)
			}
			if string(files["kong.yaml"]) != tt.content {
				t.Errorf("kong.yaml = %q, want %q", files["kong.yaml"], tt.content)
			}
		})
	}
	_, c, err := s.Files(context.Background(), c1.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"annotated", "kongsnap/prod/first"}; !reflect.DeepEqual(c.Tags, want) {
		t.Errorf("tags of the first commit = %v, want %v", c.Tags, want)
	}
}

func TestFilesUnknownRef(t *testing.T) {
	s, _, _ := testStore(t, gitstore.Options{})
	save(t, s, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "one\n"}))
	for _, ref := range []string{"kong/nope", "nope", "0123456789012345678901234567890123456789", "deadbeef", ""} {
		t.Run(ref, func(t *testing.T) {
			_, _, err := s.Files(context.Background(), ref)
			if !errors.Is(err, gitstore.ErrUnknownRef) {
				t.Fatalf("Files(%q): err = %v, want ErrUnknownRef", ref, err)
			}
			if ref != "" && !strings.Contains(err.Error(), ref) {
				t.Errorf("error %q does not name the ref", err)
			}
		})
	}
}

func TestLogNewestFirst(t *testing.T) {
	s, _, _ := testStore(t, gitstore.Options{})
	var want []string
	for i, content := range []string{"a", "b", "c", "d"} {
		snap := snapshot("kong/prod", "prod: "+content, map[string]string{"kong.yaml": content})
		if i%2 == 0 {
			snap.Tag = "kongsnap/prod/" + content
		}
		save(t, s, snap)
		want = append([]string{"prod: " + content}, want...)
	}
	tests := []struct {
		name  string
		limit int
		want  []string
	}{
		{"all", 0, want},
		{"limited", 2, want[:2]},
		{"beyond history", 10, want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, err := s.Log(context.Background(), "kong/prod", tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range log {
				got = append(got, c.Summary)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("summaries = %v, want %v", got, tt.want)
			}
			for i := 1; i < len(log); i++ {
				if !log[i].Time.Before(log[i-1].Time) {
					t.Errorf("log not newest first at %d", i)
				}
			}
		})
	}
	log, _ := s.Log(context.Background(), "kong/prod", 0)
	if !reflect.DeepEqual(log[1].Tags, []string{"kongsnap/prod/c"}) || log[0].Tags != nil {
		t.Errorf("tags in log = %v, %v", log[0].Tags, log[1].Tags)
	}
	if _, err := s.Log(context.Background(), "kong/none", 0); !errors.Is(err, gitstore.ErrUnknownRef) {
		t.Errorf("Log of a missing branch: err = %v, want ErrUnknownRef", err)
	}
}

func TestTagsByPrefixNewestFirst(t *testing.T) {
	s, _, _ := testStore(t, gitstore.Options{})
	for _, tag := range []string{"kongsnap/prod/1", "kongsnap/stage/1", "kongsnap/prod/2"} {
		snap := snapshot("kong/"+strings.Split(tag, "/")[1], tag, map[string]string{"kong.yaml": tag})
		snap.Tag = tag
		save(t, s, snap)
	}
	tags, err := s.Tags(context.Background(), "kongsnap/prod/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tag := range tags {
		names = append(names, tag.Name)
		if tag.Time.IsZero() || len(tag.Hash) != 40 {
			t.Errorf("tag %+v lacks time or hash", tag)
		}
	}
	if want := []string{"kongsnap/prod/2", "kongsnap/prod/1"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Tags = %v, want %v", names, want)
	}
}

func TestOpenRefusesNonRepositoryDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := gitstore.Open(context.Background(), gitstore.Options{Path: dir})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Open on a non-empty non-repository directory: err = %v", err)
	}
}

func TestWorkingTreeIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "--quiet", "--initial-branch=main")
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, dir, "add", "README.md")
	gittest.Git(t, dir, "commit", "--quiet", "-m", "init")

	s, _, _ := testStore(t, gitstore.Options{Path: dir})
	save(t, s, snapshot(s.Branch("prod"), "prod: first", map[string]string{"kong.yaml": "a\n"}))
	if status := gittest.Git(t, dir, "status", "--porcelain"); status != "" {
		t.Errorf("working tree changed: %q", status)
	}
	if _, err := s.Save(context.Background(), snapshot("main", "main: no", map[string]string{"x": "x"})); err == nil ||
		!strings.Contains(err.Error(), "checked out") {
		t.Errorf("Save to the checked-out branch: err = %v, want a refusal", err)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts gitstore.Options
		want string
	}{
		{"no path", gitstore.Options{}, "no path given"},
		{"remote without URL", gitstore.Options{Remotes: []gitstore.Remote{{Name: "a"}}}, `remote "a" needs a name and a URL`},
		{"duplicate remote", gitstore.Options{Remotes: []gitstore.Remote{{Name: "a", URL: "file:///x"}, {Name: "a", URL: "file:///y"}}},
			`remote name "a" used twice`},
		{"origin conflicts with the clone URL", gitstore.Options{
			URL:     "https://tok@example.com/a.git",
			Remotes: []gitstore.Remote{{Name: "origin", URL: "https://example.com/b.git"}},
		}, `remote "origin" has URL https://example.com/b.git, not the clone URL https://***@example.com/a.git`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			if tt.name != "no path" {
				path = filepath.Join(t.TempDir(), "repo")
				tt.opts.Path = path
			}
			_, err := gitstore.Open(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open: err = %v, want it to contain %q", err, tt.want)
			}
			if _, statErr := os.Stat(path); path != "" && !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("refused Open created %s", path)
			}
		})
	}
}

// Unchanged answers what Save would, for every kind of parent, and writes nothing while answering.
func TestUnchangedAgreesWithSaveAndWritesNothing(t *testing.T) {
	baseline := map[string]string{"kong.yaml": "a\n", "sub/x.yaml": "x\n"}
	s, _, _ := testStore(t, gitstore.Options{})
	tests := []struct {
		name, branch, base string
		files              map[string]string
		want               bool
	}{
		{"same tree", s.Branch("prod"), "", map[string]string{"kong.yaml": "a\n", "sub/x.yaml": "x\n"}, true},
		{"changed content", s.Branch("prod"), "", map[string]string{"kong.yaml": "b\n", "sub/x.yaml": "x\n"}, false},
		{"file removed", s.Branch("prod"), "", map[string]string{"kong.yaml": "a\n"}, false},
		{"new branch without base", "kong/new", "", map[string]string{"kong.yaml": "a\n", "sub/x.yaml": "x\n"}, false},
		{"new branch equal to its base", "kongsnap/drift/prod", s.Branch("prod"),
			map[string]string{"kong.yaml": "a\n", "sub/x.yaml": "x\n"}, true},
		{"new branch differing from its base", "kongsnap/drift/prod", s.Branch("prod"),
			map[string]string{"kong.yaml": "drift\n", "sub/x.yaml": "x\n"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir, _ := testStore(t, gitstore.Options{})
			save(t, s, snapshot(s.Branch("prod"), "prod: baseline", baseline))
			objects := gittest.Git(t, dir, "count-objects", "-v")
			req := snapshot(tt.branch, "summary", tt.files)
			req.Base = tt.base
			got, err := s.Unchanged(context.Background(), req.Branch, req.Base, req.Files)
			if err != nil {
				t.Fatalf("Unchanged: %v", err)
			}
			if got != tt.want {
				t.Errorf("Unchanged = %v, want %v", got, tt.want)
			}
			if after := gittest.Git(t, dir, "count-objects", "-v"); after != objects {
				t.Errorf("Unchanged wrote objects:\nbefore %s\nafter %s", objects, after)
			}
			if _, err := s.Save(context.Background(), req); errors.Is(err, gitstore.ErrUnchanged) != tt.want {
				t.Errorf("Save after Unchanged = %v: err = %v", tt.want, err)
			}
		})
	}
	if _, err := s.Unchanged(context.Background(), "kongsnap/drift/stage", "kong/missing", nil); !errors.Is(err, gitstore.ErrUnknownRef) {
		t.Errorf("Unchanged with a missing base: err = %v, want ErrUnknownRef", err)
	}
}

// Holds tells whether a commit's tree is exactly some files, for any ref Files takes, without writing anything;
// Commit resolves the same refs, with Files' error for one that names nothing.
func TestHoldsAndCommit(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := testStore(t, gitstore.Options{})
	first := snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "one\n", "sub/x.yaml": "x\n"})
	first.Tag = "kongsnap/prod/first"
	c1 := save(t, s, first)
	c2 := save(t, s, snapshot("kong/prod", "prod: second", map[string]string{"kong.yaml": "two\n"}))
	tests := []struct {
		name, ref string
		files     map[string]string
		want      bool
		commit    string
	}{
		{"branch head, same files", "kong/prod", map[string]string{"kong.yaml": "two\n"}, true, c2.Hash},
		{"branch head, other content", "kong/prod", map[string]string{"kong.yaml": "one\n"}, false, c2.Hash},
		{"branch head, a file more", "kong/prod", map[string]string{"kong.yaml": "two\n", "y.yaml": "y\n"}, false, c2.Hash},
		{"tag, same files", "kongsnap/prod/first", map[string]string{"kong.yaml": "one\n", "sub/x.yaml": "x\n"}, true, c1.Hash},
		{"abbreviated hash, same files", c1.Hash[:8], map[string]string{"kong.yaml": "one\n", "sub/x.yaml": "x\n"}, true, c1.Hash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objects := gittest.Git(t, dir, "count-objects", "-v")
			got, err := s.Holds(ctx, tt.ref, snapshot("", "", tt.files).Files)
			if err != nil || got != tt.want {
				t.Errorf("Holds(%s) = %v, %v; want %v", tt.ref, got, err, tt.want)
			}
			if after := gittest.Git(t, dir, "count-objects", "-v"); after != objects {
				t.Errorf("Holds wrote objects:\nbefore %s\nafter %s", objects, after)
			}
			if c, err := s.Commit(ctx, tt.ref); err != nil || c.Hash != tt.commit {
				t.Errorf("Commit(%s) = %s, %v; want %s", tt.ref, c.Hash, err, tt.commit)
			}
		})
	}
	_, _, filesErr := s.Files(ctx, "kong/nowhere")
	if _, err := s.Commit(ctx, "kong/nowhere"); !errors.Is(err, gitstore.ErrUnknownRef) || err.Error() != filesErr.Error() {
		t.Errorf("Commit of a missing ref: err = %v, want Files' %v", err, filesErr)
	}
	if _, err := s.Holds(ctx, "kong/nowhere", nil); !errors.Is(err, gitstore.ErrUnknownRef) {
		t.Errorf("Holds of a missing ref: err = %v, want ErrUnknownRef", err)
	}
	if c, err := s.Commit(ctx, "kongsnap/prod/first"); err != nil || !slices.Equal(c.Tags, []string{"kongsnap/prod/first"}) || c.Summary != "prod: first" {
		t.Errorf("Commit of a tag = %+v, %v; want the tagged commit described", c, err)
	}
}

// TestSavedBlobsAreGitObjects: the blobs Save writes itself (loose, compressed for speed) are git's own: named by
// the hash git gives their content, read back by git as written, and passed by git fsck.
func TestSavedBlobsAreGitObjects(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	var big strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&big, "- name: service-%d\n  retries: %d\n", i, i%7)
	}
	files := map[string]string{"services.yaml": big.String(), "empty.yaml": ""}
	save(t, s, snapshot(s.Branch("prod"), "prod: first snapshot", files))
	gittest.Git(t, dir, "fsck", "--strict", "--no-dangling")
	for name, content := range files {
		out, err := exec.Command("git", "-C", dir, "cat-file", "blob", "kong/prod:"+name).Output()
		if err != nil || string(out) != content {
			t.Errorf("git cat-file of %s: %d bytes, err %v; want the %d bytes saved", name, len(out), err, len(content))
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, want := gittest.Git(t, dir, "rev-parse", "kong/prod:"+name), gittest.Git(t, dir, "hash-object", path); got != want {
			t.Errorf("%s is blob %s, git hashes its content as %s", name, got, want)
		}
	}
}

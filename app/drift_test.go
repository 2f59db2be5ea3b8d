package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/githubpr"
	"github.com/kongsnap/kongsnap/githubpr/githubfake"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// driftFixture is a backed-up gateway, a remote, and a fake GitHub.
type driftFixture struct {
	gw        *gatewayFixture
	env       *testEnv
	remoteDir string
	gh        *githubfake.Server
	prs       *githubpr.Client
}

func newDriftFixture(t *testing.T) *driftFixture {
	t.Helper()
	return newDriftFixtureWith(t, "")
}

// newDriftFixtureWith is newDriftFixture with extra connection settings (indented YAML lines).
func newDriftFixtureWith(t *testing.T, extra string) *driftFixture {
	t.Helper()
	gw := newGateway(t)
	gw.seed(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"prod": gw.url}, extra),
		map[string]string{"KONGSNAP_KEY": testKey})
	if rep, err := Backup(context.Background(), env.Env, BackupOptions{All: true}); err != nil || rep.Failed() {
		t.Fatalf("baseline backup: %v %+v", err, rep)
	}
	gh := githubfake.New(t)
	prs, err := githubpr.New(githubpr.Options{Token: githubfake.Token, BaseURL: gh.URL(), Repository: gh.Repository()})
	if err != nil {
		t.Fatal(err)
	}
	return &driftFixture{gw: gw, env: env, remoteDir: remoteDir, gh: gh, prs: prs}
}

func (f *driftFixture) run(t *testing.T) report.Result {
	t.Helper()
	rep, err := Drift(context.Background(), f.env.Env, DriftOptions{All: true, PullRequests: f.prs})
	if err != nil {
		t.Fatal(err)
	}
	return status(t, rep, "prod")
}

func (f *driftFixture) openPRs() []githubfake.PullRequest {
	var open []githubfake.PullRequest
	for _, pr := range f.gh.PullRequests() {
		if pr.State == "open" {
			open = append(open, pr)
		}
	}
	return open
}

func TestDriftPullRequestLifecycle(t *testing.T) {
	f := newDriftFixture(t)
	ctx := context.Background()

	if r := f.run(t); r.Status != report.Unchanged || r.Drift {
		t.Fatalf("no drift yet: %+v", r)
	}
	if n := len(f.gh.Writes()); n != 0 {
		t.Fatalf("no drift sent %d writes to GitHub", n)
	}

	// Someone adds a service by hand: one pull request opens.
	f.gw.addService(t, "shadow")
	r := f.run(t)
	if r.Status != report.Completed || !r.Drift || r.PullRequest == "" {
		t.Fatalf("first drift: %+v", r)
	}
	open := f.openPRs()
	if len(open) != 1 || open[0].Head != "kongsnap/drift/prod" || open[0].Base != "kong/prod" {
		t.Fatalf("open PRs = %+v", open)
	}
	if !strings.Contains(open[0].Title, "1 service added") || !strings.Contains(open[0].Body, `service "shadow"`) {
		t.Errorf("PR title/body do not say what drifted:\n%s\n%s", open[0].Title, open[0].Body)
	}
	if strings.Join(open[0].Labels, ",") != "kongsnap:drift,env:prod" {
		t.Errorf("labels = %v", open[0].Labels)
	}
	driftHead := gittest.Branch(t, f.remoteDir, "kongsnap/drift/prod")
	if driftHead == "" {
		t.Fatal("drift branch not pushed")
	}

	// The same drift again: no commit, no GitHub write.
	writes := len(f.gh.Writes())
	f.run(t)
	if n := len(f.gh.Writes()); n != writes {
		t.Errorf("same drift sent %d more writes", n-writes)
	}
	if got := gittest.Branch(t, f.remoteDir, "kongsnap/drift/prod"); got != driftHead {
		t.Errorf("same drift moved the drift branch")
	}

	// A bigger drift updates the branch and the body of the same pull request.
	f.gw.addService(t, "shadow-two")
	f.run(t)
	open = f.openPRs()
	if len(open) != 1 || !strings.Contains(open[0].Title, "2 services added") {
		t.Fatalf("bigger drift: %+v", open)
	}
	if got := gittest.Branch(t, f.remoteDir, "kongsnap/drift/prod"); got == driftHead {
		t.Error("bigger drift did not commit")
	}

	// The drift goes away: the pull request is closed with a comment and the branch deleted.
	for _, name := range []string{"shadow", "shadow-two"} {
		if err := f.gw.kong.Services.Delete(ctx, kong.String(name)); err != nil {
			t.Fatal(err)
		}
	}
	if r := f.run(t); r.Drift || r.Status != report.Unchanged {
		t.Fatalf("drift gone: %+v", r)
	}
	if open := f.openPRs(); len(open) != 0 {
		t.Errorf("PR still open: %+v", open)
	}
	closed := f.gh.PullRequests()[0]
	if comments := f.gh.Comments(closed.Number); len(comments) != 1 || !strings.Contains(comments[0], "no drift left") {
		t.Errorf("closing comment = %v", comments)
	}
	if _, ok := gittest.Refs(t, f.remoteDir)["refs/heads/kongsnap/drift/prod"]; ok {
		t.Error("drift branch not deleted on the remote")
	}
}

func TestDriftMergedPullRequestBecomesTheBaseline(t *testing.T) {
	f := newDriftFixture(t)
	f.gw.addService(t, "accepted")
	f.run(t)
	pr := f.openPRs()[0]
	// A reviewer merges: the environment branch fast-forwards to the drift branch.
	gittest.Git(t, f.remoteDir, "update-ref", "refs/heads/kong/prod", "refs/heads/kongsnap/drift/prod")
	f.gh.Merge(pr.Number)

	writes := len(f.gh.Writes())
	if r := f.run(t); r.Drift || r.Status != report.Unchanged {
		t.Fatalf("after merge: %+v", r)
	}
	if n := len(f.gh.Writes()); n != writes {
		t.Errorf("after merge sent %d GitHub writes", n-writes)
	}
	if _, ok := gittest.Refs(t, f.remoteDir)["refs/heads/kongsnap/drift/prod"]; ok {
		t.Error("merged drift branch left behind")
	}
}

func TestDriftRenderedWithoutGitHub(t *testing.T) {
	f := newDriftFixture(t)
	f.gw.addService(t, "local")
	dir := t.TempDir()
	rep, err := Drift(context.Background(), f.env.Env, DriftOptions{All: true, RenderDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r := status(t, rep, "prod")
	if r.PullRequest != filepath.Join(dir, "prod.md") {
		t.Fatalf("rendered to %q", r.PullRequest)
	}
}

package app

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

func (f *driftFixture) report(t *testing.T) *report.Report {
	t.Helper()
	rep, err := Drift(context.Background(), f.env.Env, DriftOptions{All: true, PullRequests: f.prs})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestDriftClosedWithoutMergingIsRejected(t *testing.T) {
	f := newDriftFixture(t)
	f.gw.addService(t, "shadow")
	f.run(t)
	pr := f.openPRs()[0]
	f.gh.Close(pr.Number) // the reviewer's "no"

	var writesAfterFirst int
	for run := 1; run <= 3; run++ {
		rep := f.report(t)
		r := status(t, rep, "prod")
		if r.Status != report.Rejected || !r.Drift || !strings.HasSuffix(r.PullRequest, "/pull/1") {
			t.Fatalf("run %d after the close: %+v", run, r)
		}
		if n := len(f.gh.PullRequests()); n != 1 {
			t.Fatalf("run %d after the close opened another pull request (%d in all)", run, n)
		}
		var table, js bytes.Buffer
		if err := rep.WriteTable(&table); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		for where, text := range map[string]string{"table": table.String(), "step summary": rep.Markdown(),
			"JSON": js.String()} {
			if !strings.Contains(text, "rejected drift") {
				t.Errorf("run %d: the %s does not say rejected drift:\n%s", run, where, text)
			}
		}
		if !strings.Contains(js.String(), `"status": "rejected drift"`) {
			t.Errorf("run %d: JSON status:\n%s", run, js.String())
		}
		if run == 1 {
			writesAfterFirst = len(f.gh.Writes())
		} else if n := len(f.gh.Writes()) - writesAfterFirst; n != 0 {
			t.Errorf("run %d wrote %d times to GitHub; the rejection is recorded once", run, n)
		}
	}
	closed := f.gh.PullRequests()[0]
	if !slices.Contains(closed.Labels, LabelRejected) {
		t.Errorf("rejected pull request labels = %v", closed.Labels)
	}
	comments := f.gh.Comments(closed.Number)
	if len(comments) != 1 || !strings.Contains(comments[0], "rejected") || !strings.Contains(comments[0], "on_reject: keep") {
		t.Errorf("rejection comments = %q", comments)
	}
	if _, err := f.gw.kong.Services.Get(context.Background(), kong.String("shadow")); err != nil {
		t.Errorf("on_reject: keep touched the gateway: %v", err)
	}

	// Another drift: a new pull request that links the rejected one.
	f.gw.addService(t, "shadow-two")
	r := f.run(t)
	open := f.openPRs()
	if r.Status != report.Completed || len(open) != 1 || open[0].Number != 2 {
		t.Fatalf("a new drift after the rejection: %+v, open %+v", r, open)
	}
	if !strings.Contains(open[0].Body, "rejected in "+strings.TrimSuffix(r.PullRequest, "/pull/2")+"/pull/1") {
		t.Errorf("the new pull request does not link the rejected one:\n%s", open[0].Body)
	}
	if !strings.Contains(open[0].Title, "2 services added") {
		t.Errorf("new pull request title %q", open[0].Title)
	}
}

func TestDriftRejectedThenRestored(t *testing.T) {
	f := newDriftFixtureWith(t, "    on_reject: restore\n")
	ctx := context.Background()
	f.gw.addService(t, "shadow")
	baselineTree := gittest.Git(t, f.remoteDir, "rev-parse", "kong/prod^{tree}")
	f.run(t)
	f.gh.Close(1)

	r := f.run(t)
	if r.Status != report.Completed || !strings.Contains(r.Summary, "rejected drift restored") || r.Drift {
		t.Fatalf("restore after the rejection: %+v", r)
	}
	if _, err := f.gw.kong.Services.Get(ctx, kong.String("shadow")); !kong.IsNotFoundErr(err) {
		t.Errorf("the rejected service is still on the gateway: %v", err)
	}
	comments := f.gh.Comments(1)
	if len(comments) != 1 || !strings.Contains(comments[0], "restored `prod` to branch `kong/prod`") ||
		!strings.Contains(comments[0], "verified") || !strings.Contains(comments[0], "shadow") {
		t.Errorf("the closed pull request does not get the result: %q", comments)
	}
	if _, ok := gittest.Refs(t, f.remoteDir)["refs/heads/kongsnap/drift/prod"]; ok {
		t.Error("drift branch left behind after the restore")
	}
	if got := gittest.Git(t, f.remoteDir, "rev-parse", "kong/prod^{tree}"); got != baselineTree {
		t.Errorf("the branch records another state than the one restored: tree %s → %s", baselineTree, got)
	}

	writes := len(f.gh.Writes())
	if r := f.run(t); r.Status != report.Unchanged || r.Drift {
		t.Fatalf("the run after the restore: %+v", r)
	}
	if n := len(f.gh.Writes()) - writes; n != 0 || len(f.gh.PullRequests()) != 1 {
		t.Errorf("the clean run wrote %d times, %d pull requests", n, len(f.gh.PullRequests()))
	}
}

func TestDriftRestoreOnRejectNeverRevertsAnUnseenState(t *testing.T) {
	f := newDriftFixtureWith(t, "    on_reject: restore\n")
	f.gw.addService(t, "shadow")
	f.run(t)
	f.gh.Close(1)
	f.gw.addService(t, "unseen") // changed again before the next run

	r := f.run(t)
	if r.Status != report.Completed || !r.Drift {
		t.Fatalf("a new state after the rejection is a new drift: %+v", r)
	}
	if _, err := f.gw.kong.Services.Get(context.Background(), kong.String("unseen")); err != nil {
		t.Errorf("on_reject: restore reverted a state nobody reviewed: %v", err)
	}
	if comments := f.gh.Comments(1); len(comments) != 1 || !strings.Contains(comments[0], "did not restore") {
		t.Errorf("rejection comment = %q", comments)
	}
	if open := f.openPRs(); len(open) != 1 || !strings.Contains(open[0].Body, "/pull/1") {
		t.Errorf("open = %+v", open)
	}
}

func TestDriftClosedByKongsnapIsNotARejection(t *testing.T) {
	f := newDriftFixture(t)
	ctx := context.Background()
	f.gw.addService(t, "shadow")
	f.run(t)
	if err := f.gw.kong.Services.Delete(ctx, kong.String("shadow")); err != nil {
		t.Fatal(err)
	}
	f.run(t) // kongsnap closes #1: no drift left

	f.gw.addService(t, "shadow") // the very same drift again
	r := f.run(t)
	open := f.openPRs()
	if r.Status != report.Completed || len(open) != 1 || open[0].Number != 2 {
		t.Fatalf("the same drift after kongsnap's own close: %+v, open %+v", r, open)
	}
	if strings.Contains(open[0].Body, "rejected") {
		t.Errorf("a pull request kongsnap closed is linked as rejected:\n%s", open[0].Body)
	}
}

func TestDriftRequestsReviewersWhenItOpens(t *testing.T) {
	f := newDriftFixtureWith(t, "    reviewers: [alice, bob]\n    team_reviewers: [gateway-owners]\n")
	f.gh.SetPermission("alice", "write")
	f.gh.SetPermission("bob", "maintain")
	f.gh.AddTeam("gateway-owners")
	f.gw.addService(t, "shadow")
	f.run(t)
	pr := f.openPRs()[0]
	if !slices.Equal(pr.RequestedReviewers, []string{"alice", "bob"}) || !slices.Equal(pr.RequestedTeams, []string{"gateway-owners"}) {
		t.Errorf("requested %v, teams %v", pr.RequestedReviewers, pr.RequestedTeams)
	}
	if strings.Join(pr.Labels, ",") != "kongsnap:drift,env:prod" {
		t.Errorf("labels = %v", pr.Labels)
	}
}

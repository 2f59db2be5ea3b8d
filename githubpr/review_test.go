package githubpr_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/githubpr"
	"github.com/kongsnap/kongsnap/githubpr/githubfake"
)

func TestTreeMarkerRoundTrips(t *testing.T) {
	srv := githubfake.New(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	spec := driftSpec("prod", "1 service added")
	spec.Tree = "sha256:abc123"
	pr, _, err := c.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Tree != "sha256:abc123" || pr.Body != spec.Body {
		t.Fatalf("Ensure returned tree %q body %q", pr.Tree, pr.Body)
	}
	if got := srv.PullRequests()[0].Body; !strings.Contains(got, "<!-- kongsnap:tree sha256:abc123 -->") {
		t.Errorf("the marker is not in the body GitHub holds:\n%s", got)
	}

	writes := len(srv.Writes())
	if _, changed, err := c.Ensure(ctx, spec); err != nil || changed {
		t.Fatalf("same spec again: changed=%v err=%v", changed, err)
	}
	if n := len(srv.Writes()) - writes; n != 0 {
		t.Errorf("same tree sent %d writes", n)
	}
	spec.Tree = "sha256:def456"
	if pr, changed, err := c.Ensure(ctx, spec); err != nil || !changed || pr.Tree != "sha256:def456" {
		t.Fatalf("a new tree with the same body must edit the body: %+v changed=%v err=%v", pr, changed, err)
	}

	spec.Tree = "has space"
	if _, _, err := c.Ensure(ctx, spec); err == nil {
		t.Error("a tree that would break the HTML comment was accepted")
	}
}

func TestLastClosed(t *testing.T) {
	srv := githubfake.New(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	spec := driftSpec("prod", "drift one")
	spec.Tree = "t1"

	if pr, err := c.LastClosed(ctx, spec.Head, spec.Base); err != nil || pr != nil {
		t.Fatalf("nothing closed yet: %+v %v", pr, err)
	}
	first, _, err := c.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close(first.Number)
	spec.Body, spec.Tree = "drift two", "t2"
	second, _, err := c.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if second.Number == first.Number {
		t.Fatal("a closed pull request was reused")
	}
	srv.Merge(second.Number)
	if _, _, err := c.Ensure(ctx, driftSpec("staging", "other")); err != nil {
		t.Fatal(err)
	}
	srv.Close(3)

	pr, err := c.LastClosed(ctx, spec.Head, spec.Base)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Number != second.Number || !pr.Merged || pr.Open || pr.Tree != "t2" {
		t.Errorf("LastClosed = %+v, want #%d merged with tree t2", pr, second.Number)
	}
	got, err := c.Get(ctx, first.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Merged || got.Open || got.Tree != "t1" || got.Body != "drift one" {
		t.Errorf("Get(#1) = %+v, want closed unmerged with tree t1", got)
	}
}

func TestReviewersAreRequestedWhenThePullRequestOpens(t *testing.T) {
	srv := githubfake.New(t)
	srv.SetPermission("alice", "write")
	srv.AddTeam("gateway-owners")
	c := newClient(t, srv, nil)
	ctx := context.Background()
	spec := driftSpec("prod", "drift")
	spec.Reviewers, spec.TeamReviewers = []string{"alice"}, []string{"gateway-owners"}

	if _, _, err := c.Ensure(ctx, spec); err != nil {
		t.Fatal(err)
	}
	pr := srv.PullRequests()[0]
	if !slices.Equal(pr.RequestedReviewers, []string{"alice"}) || !slices.Equal(pr.RequestedTeams, []string{"gateway-owners"}) {
		t.Errorf("requested %v and teams %v", pr.RequestedReviewers, pr.RequestedTeams)
	}
	// An update asks nobody again: a person may have dismissed the request.
	spec.Body = "bigger drift"
	writes := len(srv.Writes())
	if _, _, err := c.Ensure(ctx, spec); err != nil {
		t.Fatal(err)
	}
	for _, w := range srv.Writes()[writes:] {
		if strings.HasSuffix(w.Path, "/requested_reviewers") {
			t.Errorf("an update requested reviews again: %+v", w)
		}
	}

	spec = driftSpec("staging", "drift")
	spec.Reviewers = []string{"mallory"}
	_, _, err := c.Ensure(ctx, spec)
	if err == nil || !strings.Contains(err.Error(), "@mallory") || !strings.Contains(err.Error(), "not a collaborator") ||
		!strings.Contains(err.Error(), "is open") {
		t.Errorf("a reviewer who is no collaborator: %v", err)
	}
}

func TestCommentLabelReact(t *testing.T) {
	srv := githubfake.New(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	if _, _, err := c.Ensure(ctx, driftSpec("prod", "drift")); err != nil {
		t.Fatal(err)
	}
	if err := c.Comment(ctx, 1, "hello"); err != nil {
		t.Fatal(err)
	}
	if err := c.Label(ctx, 1, "kongsnap:rejected"); err != nil {
		t.Fatal(err)
	}
	pr, err := c.Get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.HasLabel("KONGSNAP:REJECTED") {
		t.Errorf("labels = %v", pr.Labels)
	}
	ev, err := githubpr.ParseCommentEvent(srv.UserComment(1, "alice", "/kongsnap plan"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{githubpr.ReactionEyes, githubpr.ReactionThumbsUp, githubpr.ReactionEyes} {
		if err := c.React(ctx, ev.CommentID, r); err != nil {
			t.Fatal(err)
		}
	}
	comments := srv.CommentsWithReactions(1)
	if len(comments) != 2 || comments[0].User != githubfake.BotLogin || comments[1].User != "alice" {
		t.Fatalf("comments = %+v", comments)
	}
	if !slices.Equal(comments[1].Reactions, []string{"eyes", "+1"}) {
		t.Errorf("reactions = %v", comments[1].Reactions)
	}
	if err := c.React(ctx, 999999, githubpr.ReactionEyes); err == nil {
		t.Error("reacting to a comment that does not exist succeeded")
	}
}

func TestParseCommentEvent(t *testing.T) {
	srv := githubfake.New(t)
	c := newClient(t, srv, nil)
	if _, _, err := c.Ensure(context.Background(), driftSpec("prod", "drift")); err != nil {
		t.Fatal(err)
	}
	ev, err := githubpr.ParseCommentEvent(srv.UserComment(1, "alice", "/kongsnap revert\r\nplease"))
	if err != nil {
		t.Fatal(err)
	}
	want := githubpr.CommentEvent{Action: "created", Number: 1, PullRequest: true, CommentID: ev.CommentID,
		Body: "/kongsnap revert\r\nplease", User: "alice", Repository: "kongsnap-test/gateways"}
	if *ev != want || ev.CommentID == 0 {
		t.Errorf("event = %+v, want %+v", *ev, want)
	}
	for _, bad := range []string{`not json`, `{"action":"opened","pull_request":{}}`} {
		if _, err := githubpr.ParseCommentEvent([]byte(bad)); err == nil {
			t.Errorf("%s parsed as an issue_comment event", bad)
		}
	}
}

func TestCanWrite(t *testing.T) {
	srv := githubfake.New(t)
	c := newClient(t, srv, nil)
	for login, perm := range map[string]string{"admin1": "admin", "maint": "maintain", "writer": "write",
		"triager": "triage", "reader": "read", "outsider": "none"} {
		srv.SetPermission(login, perm)
	}
	for login, want := range map[string]bool{"admin1": true, "maint": true, "writer": true, "triager": false,
		"reader": false, "outsider": false, "stranger": false} {
		got, err := c.CanWrite(context.Background(), login)
		if err != nil || got != want {
			t.Errorf("CanWrite(%s) = %v, %v; want %v", login, got, err, want)
		}
	}
	srv.Inject(githubfake.Fault{Kind: githubfake.Unauthorized})
	if _, err := c.CanWrite(context.Background(), "writer"); !errors.Is(err, githubpr.ErrAccess) {
		t.Errorf("a refused token must not read as 'cannot write': %v", err)
	}
}

func TestMerge(t *testing.T) {
	srv := githubfake.New(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	srv.SetBranch("kongsnap/drift/prod", "aaaa")
	if _, _, err := c.Ensure(ctx, driftSpec("prod", "drift")); err != nil {
		t.Fatal(err)
	}
	var merged []int
	srv.OnMerge(func(p githubfake.PullRequest) (string, error) {
		merged = append(merged, p.Number)
		return "cafe", nil
	})
	if err := c.Merge(ctx, 1, "bbbb", "accept"); !errors.Is(err, githubpr.ErrNotMerged) || !strings.Contains(err.Error(), "Head branch was modified") {
		t.Errorf("merge of a moved head: %v", err)
	}
	if err := c.Merge(ctx, 1, "aaaa", "accept"); err != nil {
		t.Fatal(err)
	}
	if pr := srv.PullRequests()[0]; !pr.Merged || pr.State != "closed" || !slices.Equal(merged, []int{1}) {
		t.Errorf("after merge: %+v, hook saw %v", pr, merged)
	}
	if err := c.Merge(ctx, 1, "", "again"); !errors.Is(err, githubpr.ErrNotMerged) {
		t.Errorf("merging a merged pull request: %v", err)
	}
}

package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/githubpr/githubfake"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// newCommandFixture is a drift fixture with one open drift pull request (#1: service "shadow" added by hand), a
// writer and a reader.
func newCommandFixture(t *testing.T) *driftFixture {
	t.Helper()
	f := newDriftFixture(t)
	f.gh.SetPermission("wendy", "write")
	f.gh.SetPermission("mona", "maintain")
	f.gh.SetPermission("rita", "read")
	f.gh.SetPermission("tom", "triage")
	f.gw.addService(t, "shadow")
	if r := f.run(t); r.PullRequest == "" {
		t.Fatalf("no drift pull request: %+v", r)
	}
	return f
}

// comment posts body as login on pull request #1 and hands the event to PRCommand.
func (f *driftFixture) comment(t *testing.T, login, body string, run ...string) (PRCommandResult, error) {
	t.Helper()
	event := f.gh.UserComment(1, login, body)
	return PRCommand(context.Background(), f.env.Env, PRCommandOptions{
		Event: event, GitHub: f.prs, Repository: f.gh.Repository(), Run: run,
	})
}

// userReactions returns the reactions on login's latest comment on #1.
func (f *driftFixture) userReactions(t *testing.T, login string) []string {
	t.Helper()
	var reactions []string
	for _, c := range f.gh.CommentsWithReactions(1) {
		if c.User == login {
			reactions = c.Reactions
		}
	}
	return reactions
}

func (f *driftFixture) botReplies() []string {
	var replies []string
	for _, c := range f.gh.CommentsWithReactions(1) {
		if c.User == githubfake.BotLogin {
			replies = append(replies, c.Body)
		}
	}
	return replies
}

func (f *driftFixture) hasService(t *testing.T, name string) bool {
	t.Helper()
	_, err := f.gw.kong.Services.Get(context.Background(), kong.String(name))
	if err != nil && !kong.IsNotFoundErr(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestPRCommandPlan(t *testing.T) {
	f := newCommandFixture(t)
	branch := gittest.Branch(t, f.remoteDir, "kong/prod")
	res, err := f.comment(t, "wendy", "/kongsnap plan")
	if err != nil {
		t.Fatal(err)
	}
	if res != (PRCommandResult{Command: "plan", Connection: "prod", PullRequest: 1, Outcome: OutcomeDone}) {
		t.Errorf("result = %+v", res)
	}
	replies := f.botReplies()
	if len(replies) != 1 || !strings.Contains(replies[0], "Restore plan of `prod` back to branch `kong/prod`") ||
		!strings.Contains(replies[0], "shadow") || !strings.Contains(replies[0], "nothing was written") {
		t.Errorf("plan reply = %q", replies)
	}
	if got := f.userReactions(t, "wendy"); !slices.Equal(got, []string{"eyes", "+1"}) {
		t.Errorf("reactions = %v", got)
	}
	if !f.hasService(t, "shadow") || gittest.Branch(t, f.remoteDir, "kong/prod") != branch {
		t.Error("a plan wrote to the gateway or the branch")
	}
	if pr := f.gh.PullRequests()[0]; pr.State != "open" {
		t.Errorf("a plan closed the pull request: %+v", pr)
	}
}

func TestPRCommandRevert(t *testing.T) {
	f := newCommandFixture(t)
	res, err := f.comment(t, "mona", "/kongsnap revert")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeDone || res.Command != "revert" {
		t.Errorf("result = %+v", res)
	}
	if f.hasService(t, "shadow") {
		t.Error("revert left the drifted service on the gateway")
	}
	pr := f.gh.PullRequests()[0]
	if pr.State != "closed" || pr.Merged || !slices.Contains(pr.Labels, LabelRejected) {
		t.Errorf("after revert: %+v", pr)
	}
	replies := f.botReplies()
	if len(replies) != 1 || !strings.Contains(replies[0], "restored `prod` to branch `kong/prod`") ||
		!strings.Contains(replies[0], "@mona") {
		t.Errorf("closing comment = %q", replies)
	}
	if got := f.userReactions(t, "mona"); !slices.Equal(got, []string{"eyes", "+1"}) {
		t.Errorf("reactions = %v", got)
	}
	if r := f.run(t); r.Status != report.Unchanged || r.Drift || len(f.gh.PullRequests()) != 1 {
		t.Errorf("the drift run after a revert: %+v, %d pull requests", r, len(f.gh.PullRequests()))
	}
	if _, ok := gittest.Refs(t, f.remoteDir)["refs/heads/kongsnap/drift/prod"]; ok {
		t.Error("drift branch left behind after the revert")
	}
}

func TestPRCommandAccept(t *testing.T) {
	f := newCommandFixture(t)
	f.gh.SetBranch("kongsnap/drift/prod", gittest.Branch(t, f.remoteDir, "kongsnap/drift/prod"))
	f.gh.OnMerge(func(p githubfake.PullRequest) (string, error) {
		gittest.Git(t, f.remoteDir, "update-ref", "refs/heads/"+p.Base, p.HeadSHA)
		return p.HeadSHA, nil
	})
	res, err := f.comment(t, "wendy", "/kongsnap accept")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeDone {
		t.Errorf("result = %+v", res)
	}
	if pr := f.gh.PullRequests()[0]; !pr.Merged {
		t.Errorf("not merged: %+v", pr)
	}
	if !f.hasService(t, "shadow") {
		t.Error("accept changed the gateway")
	}
	if replies := f.botReplies(); len(replies) != 1 || !strings.Contains(replies[0], "new baseline") {
		t.Errorf("accept reply = %q", replies)
	}
	if got := f.userReactions(t, "wendy"); !slices.Equal(got, []string{"eyes", "+1"}) {
		t.Errorf("reactions = %v", got)
	}
	if r := f.run(t); r.Status != report.Unchanged || r.Drift {
		t.Errorf("the drift run after accept: %+v", r)
	}
}

func TestPRCommandFromAReaderRunsNothing(t *testing.T) {
	for _, tt := range []struct{ login, command string }{
		{"rita", "plan"}, {"rita", "revert"}, {"rita", "accept"}, {"tom", "revert"}, {"stranger", "accept"},
	} {
		t.Run(tt.login+" "+tt.command, func(t *testing.T) {
			f := newCommandFixture(t)
			f.gh.OnMerge(func(githubfake.PullRequest) (string, error) {
				t.Error("a reader's accept merged")
				return "", nil
			})
			branch := gittest.Branch(t, f.remoteDir, "kong/prod")
			stdout := len(f.env.stdout.String())
			res, err := f.comment(t, tt.login, "/kongsnap "+tt.command)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeRefused {
				t.Errorf("result = %+v", res)
			}
			replies := f.botReplies()
			if len(replies) != 1 || !strings.Contains(replies[0], "needs write access") ||
				!strings.Contains(replies[0], "nothing was run") {
				t.Errorf("reply = %q", replies)
			}
			if got := f.userReactions(t, tt.login); !slices.Equal(got, []string{"eyes", "-1"}) {
				t.Errorf("reactions = %v", got)
			}
			if !f.hasService(t, "shadow") || gittest.Branch(t, f.remoteDir, "kong/prod") != branch {
				t.Error("a reader's command touched the gateway or the branch")
			}
			if pr := f.gh.PullRequests()[0]; pr.State != "open" || len(pr.Labels) != 2 {
				t.Errorf("a reader's command changed the pull request: %+v", pr)
			}
			if out := f.env.stdout.String()[stdout:]; strings.Contains(out, "restore prod") {
				t.Errorf("a reader's command ran a restore:\n%s", out)
			}
		})
	}
}

func TestPRCommandHelpAndNoise(t *testing.T) {
	f := newCommandFixture(t)
	writes := len(f.gh.Writes())
	if res, err := f.comment(t, "rita", "LGTM, but /kongsnap plan later"); err != nil || res.Outcome != OutcomeIgnored {
		t.Errorf("an ordinary comment: %+v %v", res, err)
	}
	if n := len(f.gh.Writes()) - writes; n != 0 {
		t.Errorf("an ordinary comment caused %d GitHub writes", n)
	}

	res, err := f.comment(t, "rita", "/kongsnap frobnicate")
	if err != nil || res.Outcome != OutcomeRefused || res.Command != "frobnicate" {
		t.Errorf("unknown command: %+v %v", res, err)
	}
	replies := f.botReplies()
	if len(replies) != 1 || !strings.Contains(replies[0], "not a kongsnap command") {
		t.Fatalf("replies = %q", replies)
	}
	for _, cmd := range []string{"/kongsnap plan", "/kongsnap revert", "/kongsnap accept"} {
		if !strings.Contains(replies[0], cmd) {
			t.Errorf("the command list lacks %s:\n%s", cmd, replies[0])
		}
	}
	if got := f.userReactions(t, "rita"); !slices.Equal(got, []string{"eyes", "-1"}) {
		t.Errorf("reactions = %v", got)
	}
	if res, err := f.comment(t, "rita", "/kongsnap"); err != nil || res.Outcome != OutcomeDone || res.Command != CommandHelp {
		t.Errorf("bare /kongsnap: %+v %v", res, err)
	}
}

func TestPRCommandDeferredToTheEnvironmentStep(t *testing.T) {
	f := newCommandFixture(t)
	event := f.gh.UserComment(1, "wendy", "/kongsnap revert")
	opts := PRCommandOptions{Event: event, GitHub: f.prs, Repository: f.gh.Repository(), Run: []string{CommandPlan}}
	res, err := PRCommand(context.Background(), f.env.Env, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res != (PRCommandResult{Command: "revert", Connection: "prod", PullRequest: 1, Outcome: OutcomeDeferred}) {
		t.Errorf("plan step: %+v", res)
	}
	if !f.hasService(t, "shadow") || len(f.botReplies()) != 0 {
		t.Error("the plan step ran a revert")
	}
	if got := f.userReactions(t, "wendy"); !slices.Equal(got, []string{"eyes"}) {
		t.Errorf("reactions after the plan step = %v", got)
	}

	opts.Run = []string{CommandRevert, CommandAccept}
	if res, err := PRCommand(context.Background(), f.env.Env, opts); err != nil || res.Outcome != OutcomeDone {
		t.Fatalf("environment step: %+v %v", res, err)
	}
	if f.hasService(t, "shadow") {
		t.Error("the environment step did not revert")
	}
	if got := f.userReactions(t, "wendy"); !slices.Equal(got, []string{"eyes", "+1"}) {
		t.Errorf("reactions after the environment step = %v", got)
	}
}

func TestPRCommandRefusals(t *testing.T) {
	f := newCommandFixture(t)
	f.gh.Close(1)
	res, err := f.comment(t, "wendy", "/kongsnap revert")
	if err != nil || res.Outcome != OutcomeRefused {
		t.Errorf("closed pull request: %+v %v", res, err)
	}
	if replies := f.botReplies(); len(replies) == 0 || !strings.Contains(replies[len(replies)-1], "is closed") {
		t.Errorf("replies = %q", replies)
	}
	if !f.hasService(t, "shadow") {
		t.Error("a command on a closed pull request ran")
	}

	if _, err := PRCommand(context.Background(), f.env.Env, PRCommandOptions{
		Event: f.gh.UserComment(1, "wendy", "/kongsnap plan"), GitHub: f.prs, Repository: "someone/else",
	}); err == nil || !strings.Contains(err.Error(), "someone/else") {
		t.Errorf("an event from another repository: %v", err)
	}
}

func TestPRCommandRevertFailureKeepsThePullRequestOpen(t *testing.T) {
	f := newCommandFixture(t)
	// The gateway refuses every delete the revert needs.
	f.gw.sim.AddFault(kongsim.Fault{Method: "DELETE", Status: 403})
	res, err := f.comment(t, "wendy", "/kongsnap revert")
	if !errors.Is(err, ErrCommandFailed) || res.Outcome != OutcomeFailed {
		t.Fatalf("revert against a gateway refusing writes: %+v %v", res, err)
	}
	if pr := f.gh.PullRequests()[0]; pr.State != "open" {
		t.Errorf("a failed revert closed the pull request: %+v", pr)
	}
	if replies := f.botReplies(); len(replies) != 1 || !strings.Contains(replies[0], "failed") {
		t.Errorf("replies = %q", replies)
	}
	if got := f.userReactions(t, "wendy"); !slices.Equal(got, []string{"eyes", "-1"}) {
		t.Errorf("reactions = %v", got)
	}
}

package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/githubpr"
)

// PullRequestConversation is what pull request commands need from GitHub.
type PullRequestConversation interface {
	Get(ctx context.Context, number int) (*githubpr.PullRequest, error)
	Comment(ctx context.Context, number int, body string) error
	React(ctx context.Context, commentID int64, reaction string) error
	CanWrite(ctx context.Context, user string) (bool, error)
	Merge(ctx context.Context, number int, headSHA, title string) error
	Close(ctx context.Context, number int, comment string) error
	Label(ctx context.Context, number int, labels ...string) error
}

// The commands a comment on a drift pull request can give.
const (
	CommandPlan   = "plan"
	CommandRevert = "revert"
	CommandAccept = "accept"
	CommandHelp   = "help"
)

// Commands are the pull request commands that do something, in the order the help lists them.
var Commands = []string{CommandPlan, CommandRevert, CommandAccept}

// Outcomes of a pull request command.
const (
	// OutcomeIgnored: the event is not a new "/kongsnap" comment; nothing was said or done.
	OutcomeIgnored = "ignored"
	// OutcomeDone: the command ran and succeeded (or the help was given).
	OutcomeDone = "done"
	// OutcomeRefused: nothing ran, and the reply says why (no write access, not a drift pull request, closed, an
	// unknown command).
	OutcomeRefused = "refused"
	// OutcomeFailed: the command ran and failed; the reply says how.
	OutcomeFailed = "failed"
	// OutcomeDeferred: an authorised command this step does not run (PRCommandOptions.Run); a later step, behind
	// the connection's environment, runs it.
	OutcomeDeferred = "deferred"
)

// PRCommandOptions carry one issue_comment event to act on.
type PRCommandOptions struct {
	// Event is the issue_comment event payload ($GITHUB_EVENT_PATH's content).
	Event []byte
	// GitHub is the repository's conversation; the event must come from the same repository.
	GitHub PullRequestConversation
	// Repository is GitHub's owner/name, checked against the event's.
	Repository string
	// Run is the commands this invocation carries out; empty means all of them. An authorised command outside
	// it is checked, acknowledged and left for another step (OutcomeDeferred).
	Run []string
}

// PRCommandResult says what a comment asked for and what came of it, for a workflow's later steps.
type PRCommandResult struct {
	Command     string
	Connection  string
	PullRequest int
	Outcome     string
}

// ErrCommandFailed says a pull request command ran and failed; the pull request has the reply.
var ErrCommandFailed = errors.New("pull request command failed")

// PRCommand carries out a "/kongsnap <command>" comment on a drift pull request: plan replies with the restore plan
// (a dry run), revert restores the gateway to the pull request's base branch and closes the pull request with the
// result, accept merges it. Only users with write access to the repository run commands; anyone else gets a reply
// and nothing runs. The comment gets 👀 when the command is heard and 👍 or 👎 when it is over.
func PRCommand(ctx context.Context, env *Env, opts PRCommandOptions) (PRCommandResult, error) {
	res := PRCommandResult{Outcome: OutcomeIgnored}
	ev, err := githubpr.ParseCommentEvent(opts.Event)
	if err != nil {
		return res, err
	}
	if opts.Repository != "" && ev.Repository != "" && !strings.EqualFold(ev.Repository, opts.Repository) {
		return res, fmt.Errorf("the comment is on %s, but kongsnap is set up for %s", ev.Repository, opts.Repository)
	}
	command, args, ok := parseCommand(ev.Body)
	if ev.Action != "created" || !ok {
		fmt.Fprintf(env.Stdout, "comment %d is not a new /kongsnap command: nothing to do.\n", ev.CommentID)
		return res, nil
	}
	res.Command, res.PullRequest = command, ev.Number
	c := &conversation{gh: opts.GitHub, ev: ev, out: env}
	if err := c.react(ctx, githubpr.ReactionEyes); err != nil {
		return res, err
	}

	switch {
	case !slices.Contains(Commands, command):
		res.Outcome = OutcomeRefused
		if command == CommandHelp && len(args) == 0 {
			res.Outcome = OutcomeDone
		}
		return res, c.finish(ctx, res.Outcome, helpText(command))
	case !ev.PullRequest:
		res.Outcome = OutcomeRefused
		return res, c.finish(ctx, res.Outcome, "kongsnap commands work on kongsnap's drift pull requests only; nothing was run.")
	}
	writer, err := opts.GitHub.CanWrite(ctx, ev.User)
	if err != nil {
		return res, err
	}
	if !writer {
		res.Outcome = OutcomeRefused
		return res, c.finish(ctx, res.Outcome, fmt.Sprintf("@%s, `/kongsnap %s` needs write access to %s, which you do "+
			"not have; nothing was run. Ask someone who maintains the repository.", ev.User, command, orRepo(ev.Repository)))
	}
	pr, err := opts.GitHub.Get(ctx, ev.Number)
	if err != nil {
		return res, err
	}
	conn, reason := driftConnection(env.Config, pr)
	if conn == nil {
		res.Outcome = OutcomeRefused
		return res, c.finish(ctx, res.Outcome, reason+"; nothing was run.")
	}
	res.Connection = conn.Name
	if !pr.Open {
		res.Outcome = OutcomeRefused
		return res, c.finish(ctx, res.Outcome, fmt.Sprintf("#%d is closed; `/kongsnap %s` works on an open drift pull "+
			"request only, and nothing was run.", pr.Number, command))
	}
	if len(opts.Run) > 0 && !slices.Contains(opts.Run, command) {
		res.Outcome = OutcomeDeferred
		fmt.Fprintf(env.Stdout, "/kongsnap %s on #%d by %s (connection %s): authorised, left for the step that runs it.\n",
			command, pr.Number, ev.User, conn.Name)
		return res, nil
	}

	var reply string
	switch command {
	case CommandPlan:
		reply, err = plan(ctx, env, conn, pr)
	case CommandRevert:
		reply, err = revert(ctx, env, opts.GitHub, conn, pr, ev.User)
	case CommandAccept:
		reply, err = accept(ctx, opts.GitHub, conn, pr, ev.User)
	}
	if err != nil {
		res.Outcome = OutcomeFailed
		if ferr := c.finish(ctx, res.Outcome, reply); ferr != nil {
			return res, errors.Join(err, ferr)
		}
		return res, fmt.Errorf("%w: /kongsnap %s on #%d: %w", ErrCommandFailed, command, pr.Number, err)
	}
	res.Outcome = OutcomeDone
	if command == CommandRevert {
		// The closing comment is the reply.
		reply = ""
	}
	return res, c.finish(ctx, res.Outcome, reply)
}

// parseCommand reads "/kongsnap <command> [args]" from a comment's first line.
func parseCommand(body string) (command string, args []string, ok bool) {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	fields := strings.Fields(line)
	if len(fields) == 0 || !strings.EqualFold(fields[0], "/kongsnap") {
		return "", nil, false
	}
	if len(fields) == 1 {
		return CommandHelp, nil, true
	}
	return strings.ToLower(fields[1]), fields[2:], true
}

func helpText(command string) string {
	var b strings.Builder
	if command != CommandHelp {
		fmt.Fprintf(&b, "`/kongsnap %s` is not a kongsnap command; nothing was run.\n\n", command)
	}
	b.WriteString("Commands on a drift pull request (for people with write access to the repository):\n\n" +
		"- `/kongsnap plan`: reply with the restore plan back to the base branch (a dry run, nothing is written)\n" +
		"- `/kongsnap revert`: restore the gateway to the base branch and close this pull request with the result\n" +
		"- `/kongsnap accept`: merge this pull request, making the live state the new baseline\n")
	return b.String()
}

// driftConnection finds the connection a drift pull request belongs to, from its head and base branches.
func driftConnection(cfg *config.Config, pr *githubpr.PullRequest) (*config.Connection, string) {
	name, ok := strings.CutPrefix(pr.Head, DriftBranch(""))
	if !ok || name == "" {
		return nil, fmt.Sprintf("#%d is not a kongsnap drift pull request (its branch %s is not %s)", pr.Number,
			pr.Head, DriftBranch("<connection>"))
	}
	conn, err := cfg.Connection(name)
	if err != nil {
		return nil, fmt.Sprintf("#%d is the drift pull request of connection %q, which this repository's kongsnap "+
			"configuration does not have", pr.Number, name)
	}
	if want := cfg.Repository.BranchPrefix + conn.Name; pr.Base != want {
		return nil, fmt.Sprintf("#%d goes into %s, but connection %q's branch is %s", pr.Number, pr.Base, conn.Name, want)
	}
	return conn, ""
}

func plan(ctx context.Context, env *Env, conn *config.Connection, pr *githubpr.PullRequest) (string, error) {
	out, res, err := restoreToBranch(ctx, env, conn.Name, pr.Base, true)
	if err != nil {
		return fmt.Sprintf("The restore plan of `%s` back to `%s` could not be made:\n\n> %v\n\n%s", conn.Name, pr.Base,
			err, outputBlock("Output", out)), err
	}
	return fmt.Sprintf("Restore plan of `%s` back to branch `%s` (a dry run: nothing was written): %s.\n\n%s\n"+
		"Comment `/kongsnap revert` to apply it, or `/kongsnap accept` to keep the live state.", conn.Name, pr.Base,
		orNothing(res.Summary), outputBlock("Plan", out)), nil
}

func revert(ctx context.Context, env *Env, gh PullRequestConversation, conn *config.Connection, pr *githubpr.PullRequest,
	user string) (string, error) {
	out, res, err := restoreToBranch(ctx, env, conn.Name, pr.Base, false)
	if err != nil {
		return fmt.Sprintf("`/kongsnap revert` by @%s: the restore of `%s` to branch `%s` failed, and this pull "+
			"request stays open:\n\n> %v\n\n%s", user, conn.Name, pr.Base, err, outputBlock("Restore output", out)), err
	}
	closing := fmt.Sprintf("`/kongsnap revert` by @%s: restored `%s` to branch `%s` (%s) and verified that the "+
		"gateway matches it. Closing this pull request: the drift is rejected and undone.\n\n%s", user, conn.Name,
		pr.Base, orNothing(res.Summary), outputBlock("Restore output", out))
	if err := gh.Close(ctx, pr.Number, closing); err != nil {
		return fmt.Sprintf("The gateway `%s` was restored to `%s`, but closing this pull request failed: %v",
			conn.Name, pr.Base, err), err
	}
	if err := gh.Label(ctx, pr.Number, LabelRejected); err != nil {
		return fmt.Sprintf("The gateway `%s` was restored and this pull request closed, but labelling it failed: %v",
			conn.Name, err), err
	}
	return "", nil
}

func accept(ctx context.Context, gh PullRequestConversation, conn *config.Connection, pr *githubpr.PullRequest,
	user string) (string, error) {
	title := fmt.Sprintf("kongsnap: accept drift on %s (#%d)", conn.Name, pr.Number)
	if err := gh.Merge(ctx, pr.Number, pr.HeadSHA, title); err != nil {
		return fmt.Sprintf("`/kongsnap accept` by @%s: GitHub did not merge this pull request:\n\n> %v\n\n"+
			"Resolve what GitHub reports (required reviews or checks, or a drift updated since: read it again) and "+
			"comment again.", user, err), err
	}
	return fmt.Sprintf("`/kongsnap accept` by @%s: merged. The live state of `%s` is the new baseline on `%s`; "+
		"the next drift run is clean.", user, conn.Name, pr.Base), nil
}

// conversation replies on the pull request the event came from and reacts to its comment.
type conversation struct {
	gh  PullRequestConversation
	ev  *githubpr.CommentEvent
	out *Env
}

func (c *conversation) react(ctx context.Context, reaction string) error {
	return c.gh.React(ctx, c.ev.CommentID, reaction)
}

// finish replies (when there is something to say) and reacts 👍 for done, 👎 otherwise.
func (c *conversation) finish(ctx context.Context, outcome, reply string) error {
	// A failed command still says so on the pull request, even when the run was cancelled.
	ctx = context.WithoutCancel(ctx)
	fmt.Fprintf(c.out.Stdout, "/kongsnap on #%d by %s: %s\n", c.ev.Number, c.ev.User, outcome)
	var errs []error
	if reply != "" {
		if err := c.gh.Comment(ctx, c.ev.Number, reply); err != nil {
			errs = append(errs, err)
		}
	}
	reaction := githubpr.ReactionThumbsDn
	if outcome == OutcomeDone {
		reaction = githubpr.ReactionThumbsUp
	}
	if err := c.react(ctx, reaction); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func orRepo(repo string) string {
	if repo == "" {
		return "the repository"
	}
	return repo
}

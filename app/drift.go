package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/drift"
	"github.com/kongsnap/kongsnap/githubpr"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
)

// PullRequests is what drift needs from GitHub.
type PullRequests interface {
	Find(ctx context.Context, head, base string) (*githubpr.PullRequest, error)
	LastClosed(ctx context.Context, head, base string) (*githubpr.PullRequest, error)
	Ensure(ctx context.Context, spec githubpr.Spec) (*githubpr.PullRequest, bool, error)
	Close(ctx context.Context, number int, comment string) error
	Comment(ctx context.Context, number int, body string) error
	Label(ctx context.Context, number int, labels ...string) error
}

// TrailerBaseline records, on a drift commit, the environment branch head the drift was measured against.
const TrailerBaseline = "Kongsnap-Baseline"

// DriftBranch is where the live configuration of a drifted connection is committed for review.
func DriftBranch(connection string) string { return "kongsnap/drift/" + connection }

// DriftOptions selects the connections and where drift is reported.
type DriftOptions struct {
	Connections []string
	All         bool
	Window      time.Duration
	Parallelism int
	// PullRequests opens the pull requests; nil renders each body into RenderDir instead (no GitHub needed).
	PullRequests PullRequests
	RenderDir    string
	// RestoreWorkflow is named in the pull request footer.
	RestoreWorkflow string
	OnChange        func(report.Result)
}

// Drift compares each due connection's live gateway with its branch. With on_drift pull-request, a drift is
// committed to the connection's drift branch and shown in one pull request, kept up to date run after run and closed
// when the drift is gone; merging it accepts the live state, closing it unmerged rejects it (see review.go); with
// on_drift commit, the live state is committed to the branch as a backup would.
func Drift(ctx context.Context, env *Env, opts DriftOptions) (*report.Report, error) {
	sel := selection{names: opts.Connections, all: opts.All, window: opts.Window, parallelism: opts.Parallelism}
	return fanOut(ctx, env, "drift", TriggerDrift, sel, opts.OnChange, func(run runShared) oneRun {
		d := &driftRun{runShared: run, opts: opts}
		return d.one
	})
}

type driftRun struct {
	runShared
	opts DriftOptions
}

func (d *driftRun) one(ctx context.Context, c *config.Connection) report.Result {
	start := d.env.now()
	res := report.Result{Connection: c.Name, Branch: d.store.Branch(c.Name)}
	fail := func(err error) report.Result {
		res.Status, res.Reason, res.Duration = report.Failed, err.Error(), d.env.now().Sub(start)
		return res
	}
	client, live, err := d.env.readLive(ctx, c)
	if err != nil {
		return fail(err)
	}
	version := client.Version()
	res.KongVersion, res.Entities = version, live.Len()
	files, err := writeSnapshot(live, c, version, d.keys)
	if err != nil {
		return fail(err)
	}

	d.gitMu.Lock()
	defer d.gitMu.Unlock()
	baseCommit, err := d.store.Head(ctx, res.Branch)
	if errors.Is(err, gitstore.ErrUnknownRef) || c.OnDrift == config.OnDriftCommit {
		// No baseline yet, or a branch that follows its gateway: record live as a backup does.
		return d.commitToBranch(ctx, c, res, files, live, version, start)
	}
	if err != nil {
		return fail(fmt.Errorf("connection %q: reading branch %s: %w", c.Name, res.Branch, err))
	}
	head := DriftBranch(c.Name)
	noDrift := func() report.Result {
		res.Status, res.Summary = report.Unchanged, "no drift"
		if err := d.clearDrift(ctx, c, head, res.Branch); err != nil {
			return fail(err)
		}
		res.Duration = d.env.now().Sub(start)
		return res
	}
	// Live written as files is the baseline's very tree: the baseline is live read back, with nothing to compare.
	if same, err := d.store.Holds(ctx, baseCommit.Hash, files); err == nil && same {
		return noDrift()
	}
	baseFiles, _, err := d.store.Files(ctx, baseCommit.Hash)
	if err != nil {
		return fail(fmt.Errorf("connection %q: reading branch %s: %w", c.Name, res.Branch, err))
	}
	baseline, err := snapshot.Read(baseFiles, snapshot.ReadOptions{Keyring: d.keys})
	if err != nil {
		return fail(fmt.Errorf("connection %q: reading snapshot %s: %w", c.Name, short(baseCommit.Hash), err))
	}
	defaults, err := client.Defaults(ctx, baseline, live)
	if err != nil {
		return fail(err)
	}
	changes := diff.Compare(baseline, live, diff.Options{Defaults: defaults, Ignore: ignoreRules(c)})
	if changes.Empty() {
		return noDrift()
	}

	if err := d.dropStaleDrift(ctx, c, head, res.Branch, baseCommit.Hash); err != nil {
		return fail(err)
	}
	review, err := d.review(ctx, c, head, res.Branch)
	if err != nil {
		return fail(err)
	}
	if review.rejected != nil {
		if done, out := d.onRejected(ctx, c, review, res, changes, files); done {
			out.Duration = d.env.now().Sub(start)
			return out
		}
	}
	rec, err := Record(ctx, d.store, Entry{
		Connection: c.Name, Branch: head, Base: res.Branch, Files: files, Summary: c.Name + ": drift: " + changes.Summary(),
		KongVersion: version, Entities: live.Len(), Trigger: TriggerDrift, RunID: d.runID, At: start, NoTag: true,
		Baseline: baseCommit.Hash, Keys: d.keys,
	})
	if err != nil {
		return fail(err)
	}
	// An unchanged entry is the same drift as last run: nothing to commit.
	res.Commit = rec.Commit
	// The drift branch's head first recorded this drift: its time and run belong in the body.
	seen, err := d.store.Head(ctx, head)
	if err != nil {
		return fail(fmt.Errorf("connection %q: reading %s: %w", c.Name, head, err))
	}
	body := drift.PullRequestBody{
		Connection: c.Name, Branch: res.Branch, BaselineCommit: baseCommit.Hash, DriftBranch: head, Changes: changes,
		Unified: unifiedFiles(baseFiles, files), RestoreWorkflow: d.opts.RestoreWorkflow, Rejected: review.link(),
		DetectedAt: seen.Time, RunURL: d.runURL(seen.Trailer(TrailerRunID)),
	}
	res.Status, res.Drift, res.Summary = report.Completed, true, "drift: "+changes.Summary()
	res.Counts = driftCounts(changes)
	url, err := d.publish(ctx, c, head, res.Branch, body, files)
	if err != nil {
		return fail(err)
	}
	res.PullRequest = url
	res.Duration = d.env.now().Sub(start)
	return res
}

// runURL links the GitHub Actions run with the given id, when kongsnap runs under Actions.
func (d *driftRun) runURL(runID string) string {
	server, repo := d.env.getenv("GITHUB_SERVER_URL"), d.env.getenv("GITHUB_REPOSITORY")
	if runID == "" || server == "" || repo == "" || d.env.getenv("GITHUB_RUN_ID") == "" {
		return ""
	}
	return server + "/" + repo + "/actions/runs/" + runID
}

// publish opens or updates the connection's pull request, or renders it to a file when there is no GitHub.
func (d *driftRun) publish(ctx context.Context, c *config.Connection, head, base string, r drift.PullRequestBody,
	files snapshot.Files) (string, error) {
	if d.opts.PullRequests == nil {
		if d.opts.RenderDir == "" {
			return "", nil
		}
		if err := os.MkdirAll(d.opts.RenderDir, 0o755); err != nil {
			return "", fmt.Errorf("rendering pull request: %w", err)
		}
		path := filepath.Join(d.opts.RenderDir, c.Name+".md")
		content := "# " + r.Title() + "\n\n" + r.Body()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return "", fmt.Errorf("rendering pull request: %w", err)
		}
		return path, nil
	}
	r.MaxChars = githubpr.MaxBodyChars - githubpr.TreeMarkerChars
	pr, _, err := d.opts.PullRequests.Ensure(ctx, githubpr.Spec{
		Title: r.Title(), Body: r.Body(), Head: head, Base: base, Labels: r.Labels(), Tree: treeDigest(files),
		Reviewers: c.Reviewers, TeamReviewers: c.TeamReviewers,
	})
	if err != nil {
		return "", fmt.Errorf("connection %q: drift pull request: %w", c.Name, err)
	}
	return pr.URL, nil
}

// clearDrift closes the open drift pull request, saying why, and deletes the drift branch.
func (d *driftRun) clearDrift(ctx context.Context, c *config.Connection, head, base string) error {
	if d.opts.PullRequests != nil {
		pr, err := d.opts.PullRequests.Find(ctx, head, base)
		if err != nil {
			return fmt.Errorf("connection %q: finding drift pull request: %w", c.Name, err)
		}
		if pr != nil {
			comment := fmt.Sprintf("The live gateway `%s` matches branch `%s` again, so there is no drift left to "+
				"review. Closing; kongsnap reopens a pull request if the gateway drifts again.", c.Name, base)
			if err := d.opts.PullRequests.Close(ctx, pr.Number, comment); err != nil {
				return fmt.Errorf("connection %q: closing drift pull request #%d: %w", c.Name, pr.Number, err)
			}
		}
	} else if d.opts.RenderDir != "" {
		_ = os.Remove(filepath.Join(d.opts.RenderDir, c.Name+".md"))
	}
	if _, err := d.store.Head(ctx, head); errors.Is(err, gitstore.ErrUnknownRef) {
		return nil
	}
	if err := d.store.DeleteBranch(ctx, head); err != nil {
		return fmt.Errorf("connection %q: deleting %s: %w", c.Name, head, err)
	}
	return nil
}

// dropStaleDrift starts over when the environment branch moved since the drift branch was cut from it (a merge, a
// backup, a restore): the old pull request compares against a baseline that no longer is one.
func (d *driftRun) dropStaleDrift(ctx context.Context, c *config.Connection, head, base, baseline string) error {
	commit, err := d.store.Head(ctx, head)
	if errors.Is(err, gitstore.ErrUnknownRef) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("connection %q: reading %s: %w", c.Name, head, err)
	}
	if commit.Trailer(TrailerBaseline) == baseline {
		return nil
	}
	return d.clearDrift(ctx, c, head, base)
}

func (d *driftRun) commitToBranch(ctx context.Context, c *config.Connection, res report.Result, files snapshot.Files,
	live *snapshot.Snapshot, version string, start time.Time) report.Result {
	rec, err := Record(ctx, d.store, Entry{
		Connection: c.Name, Branch: res.Branch, Files: files, Summarize: d.summarizer(c, live, files), KongVersion: version,
		Entities: live.Len(), Trigger: TriggerDrift, RunID: d.runID, At: start, Keys: d.keys,
	})
	res.Commit, res.Tag = rec.Commit, rec.Tag
	switch {
	case err != nil:
		res.Status, res.Reason = report.Failed, err.Error()
	case rec.Unchanged:
		res.Status, res.Summary = report.Unchanged, joinNotes("no drift", rec.pendingNote())
	default:
		res.Status, res.Summary, res.Drift = report.Completed, joinNotes(rec.Summary, rec.pendingNote()), true
	}
	res.Duration = d.env.now().Sub(start)
	return res
}

func ignoreRules(c *config.Connection) []diff.Rule {
	rules := make([]diff.Rule, 0, len(c.Ignore))
	for _, r := range c.Ignore {
		// config.Load validated the kind.
		k, _ := snapshot.ParseKind(r.Kind)
		rules = append(rules, diff.Rule{Kind: k, Path: r.Path})
	}
	return rules
}

// unifiedFiles is the unified diff of two snapshot directories, file by file in name order.
func unifiedFiles(current, target snapshot.Files) string {
	names := map[string]bool{}
	for n := range current {
		names[n] = true
	}
	for n := range target {
		names[n] = true
	}
	// The manifest's counts and checksums only echo the files' own changes.
	delete(names, snapshot.ManifestName)
	out := ""
	for _, n := range slices.Sorted(maps.Keys(names)) {
		out += diff.Unified(n, current[n], target[n])
	}
	return out
}

// NewPullRequests makes the GitHub client drift uses, from the config or the Actions environment.
func NewPullRequests(env *Env) (*githubpr.Client, error) {
	gh := env.Config.GitHub
	token := gh.Token
	if token == "" {
		token = env.getenv("GITHUB_TOKEN")
	}
	repo := gh.Repository
	if repo == "" {
		repo = env.getenv("GITHUB_REPOSITORY")
	}
	if repo == "" {
		return nil, errors.New("no GitHub repository: set github.repository in the config or GITHUB_REPOSITORY, or use --render-dir")
	}
	base := gh.APIURL
	if base == "" && env.getenv("GITHUB_API_URL") != "" && env.getenv("GITHUB_API_URL") != "https://api.github.com" {
		base = env.getenv("GITHUB_API_URL")
	}
	return githubpr.New(githubpr.Options{Token: token, BaseURL: base, Repository: repo})
}

// driftCounts is a drift per kind (as people name kinds) and action, for the step summary.
func driftCounts(changes diff.Changes) []report.Count {
	counts := changes.Counts()
	var out []report.Count
	for _, k := range snapshot.Kinds {
		n, ok := counts[k]
		if !ok {
			continue
		}
		for _, c := range []report.Count{{Action: "added on gateway", Count: n.Added},
			{Action: "removed from gateway", Count: n.Removed}, {Action: "changed", Count: n.Changed}} {
			c.Kind = k.Singular() + "s"
			out = append(out, c)
		}
	}
	return out
}

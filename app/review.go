package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/githubpr"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
)

// LabelRejected marks a drift pull request a reviewer closed without merging, once kongsnap has recorded the
// rejection (with a comment saying what follows from it).
const LabelRejected = "kongsnap:rejected"

// A drift pull request's review, as kongsnap reads it back from GitHub:
//   - merged: the live state is the branch's new baseline; the environment branch moved, so dropStaleDrift starts
//     over and the next run is clean.
//   - closed without merging, while the drift branch still holds what the pull request showed (its body carries a
//     digest of the snapshot's files, the "tree"): the drift is rejected. The run after the close records it once
//     (a comment and LabelRejected), restores the gateway when the connection says on_reject: restore, and from
//     then on reports "rejected drift" and opens no pull request for that same tree. Another tree is a new drift: it
//     is committed and gets a new pull request linking the rejected one.
//   - closed by kongsnap itself (the drift went away, or the baseline moved): the drift branch is deleted with it,
//     so nothing is rejected.

// reviewState is what the last closed drift pull request says about this run.
type reviewState struct {
	// rejected is the closed, unmerged pull request that showed what the drift branch still holds: the reviewer's
	// "no" is in effect.
	rejected *githubpr.PullRequest
	// lastRejected is the newest closed pull request when it is a rejection, for a new pull request to link.
	lastRejected *githubpr.PullRequest
}

func (r reviewState) link() string {
	if r.lastRejected == nil {
		return ""
	}
	return r.lastRejected.URL
}

// review reads the newest closed drift pull request of a connection and decides whether its rejection is in effect.
func (d *driftRun) review(ctx context.Context, c *config.Connection, head, base string) (reviewState, error) {
	var st reviewState
	prs := d.opts.PullRequests
	if prs == nil {
		return st, nil
	}
	last, err := prs.LastClosed(ctx, head, base)
	if err != nil {
		return st, fmt.Errorf("connection %q: drift pull request: %w", c.Name, err)
	}
	if last == nil || last.Merged {
		return st, nil
	}
	if last.HasLabel(LabelRejected) {
		st.lastRejected = last
	}
	branchFiles, _, err := d.store.Files(ctx, head)
	if errors.Is(err, gitstore.ErrUnknownRef) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("connection %q: reading %s: %w", c.Name, head, err)
	}
	if last.Tree == "" || last.Tree != treeDigest(branchFiles) {
		return st, nil
	}
	open, err := prs.Find(ctx, head, base)
	if err != nil {
		return st, fmt.Errorf("connection %q: drift pull request: %w", c.Name, err)
	}
	if open != nil {
		return st, nil
	}
	st.rejected, st.lastRejected = last, last
	return st, nil
}

// onRejected handles a run while a rejection is in effect. done says the run is over (the same rejected drift, or
// the restore on_reject asked for); otherwise the live state is a new drift and the run goes on to publish it.
func (d *driftRun) onRejected(ctx context.Context, c *config.Connection, st reviewState, res report.Result,
	changes diff.Changes, files snapshot.Files) (bool, report.Result) {
	pr, prs := st.rejected, d.opts.PullRequests
	same := treeDigest(files) == pr.Tree
	if !pr.HasLabel(LabelRejected) {
		if same && c.OnReject == config.OnRejectRestore {
			return true, d.restoreRejected(ctx, c, pr, res)
		}
		if err := recordRejection(ctx, prs, pr, rejectedComment(c, res.Branch, same)); err != nil {
			res.Status, res.Reason = report.Failed, fmt.Sprintf("connection %q: %v", c.Name, err)
			return true, res
		}
	}
	if !same {
		return false, res
	}
	res.Status, res.Drift, res.PullRequest = report.Rejected, true, pr.URL
	res.Summary = fmt.Sprintf("rejected drift: %s (pull request #%d was closed without merging)", changes.Summary(), pr.Number)
	return true, res
}

// recordRejection comments, then labels: a run that fails between the two comments again rather than never.
func recordRejection(ctx context.Context, prs PullRequests, pr *githubpr.PullRequest, comment string) error {
	if err := prs.Comment(ctx, pr.Number, comment); err != nil {
		return fmt.Errorf("recording the rejection of #%d: %w", pr.Number, err)
	}
	if err := prs.Label(ctx, pr.Number, LabelRejected); err != nil {
		return fmt.Errorf("recording the rejection of #%d: %w", pr.Number, err)
	}
	return nil
}

func rejectedComment(c *config.Connection, branch string, same bool) string {
	msg := fmt.Sprintf("Closed without merging, so kongsnap records this drift of `%s` as **rejected**: it opens no "+
		"new pull request for this same live state and reports the connection as `rejected drift` until the "+
		"gateway changes. A different drift opens a new pull request that links this one.\n\n", c.Name)
	switch {
	case !same:
		msg += "The gateway changed again since this pull request was closed, so that new state gets its own pull " +
			"request"
		if c.OnReject == config.OnRejectRestore {
			msg += ", and kongsnap did not restore anything (`on_reject: restore` reverts only the state a " +
				"reviewer rejected, never one nobody has seen)"
		}
		msg += ".\n"
	default:
		msg += fmt.Sprintf("The gateway keeps the rejected change (`on_reject: keep`). To put it back to branch "+
			"`%s`, run the restore workflow or\n\n```sh\nkongsnap restore --connection %s --to %s --yes\n```\n\n"+
			"or set `on_reject: restore` on the connection to have kongsnap do it after a rejection. To review this "+
			"drift again, reopen this pull request.\n", branch, c.Name, branch)
	}
	return msg
}

// restoreRejected converges the gateway back to its branch after a rejection (on_reject: restore), says how it went
// on the closed pull request, and deletes the drift branch once the gateway matches again.
func (d *driftRun) restoreRejected(ctx context.Context, c *config.Connection, pr *githubpr.PullRequest,
	res report.Result) report.Result {
	out, restored, err := restoreToBranch(ctx, d.env, c.Name, res.Branch, false)
	res.PullRequest = pr.URL
	if err != nil {
		comment := fmt.Sprintf("Closed without merging, and the connection says `on_reject: restore`, so kongsnap "+
			"tried to restore `%s` to branch `%s`. **The restore failed**; the gateway still holds the rejected "+
			"drift, which kongsnap reports as `rejected drift` without opening a new pull request for it.\n\n"+
			"> %s\n\nFix the cause and run `kongsnap restore --connection %s --to %s --yes` (or the restore "+
			"workflow).\n\n%s", c.Name, res.Branch, err, c.Name, res.Branch, outputBlock("Restore output", out))
		res.Status, res.Reason = report.Failed, fmt.Sprintf("connection %q: restoring after rejected pull request #%d: %v",
			c.Name, pr.Number, err)
		if rerr := recordRejection(ctx, d.opts.PullRequests, pr, comment); rerr != nil {
			res.Reason += "; " + rerr.Error()
		}
		return res
	}
	comment := fmt.Sprintf("Closed without merging, and the connection says `on_reject: restore`, so kongsnap "+
		"restored `%s` to branch `%s`: %s. The gateway was verified to match the branch again.\n\n%s",
		c.Name, res.Branch, orNothing(restored.Summary), outputBlock("Restore output", out))
	if err := recordRejection(ctx, d.opts.PullRequests, pr, comment); err != nil {
		res.Status, res.Reason = report.Failed, fmt.Sprintf("connection %q: restored after #%d, but %v", c.Name, pr.Number, err)
		return res
	}
	if err := d.clearDrift(ctx, c, DriftBranch(c.Name), res.Branch); err != nil {
		res.Status, res.Reason = report.Failed, err.Error()
		return res
	}
	res.Status, res.Commit = report.Completed, restored.Commit
	res.Summary = fmt.Sprintf("rejected drift restored: %s (pull request #%d)", orNothing(restored.Summary), pr.Number)
	return res
}

// restoreToBranch restores a connection to its environment branch through Restore, the same path `kongsnap restore`
// takes (integrity check, guards, validation, verification, recording), and returns what it printed, scrubbed of the
// config's secrets, and the connection's restore result. A dry run that found something to do is not an error.
func restoreToBranch(ctx context.Context, env *Env, connection, branch string, dryRun bool) (string, report.Result, error) {
	var out bytes.Buffer
	quiet := *env
	quiet.Stdout = &out
	rep, err := Restore(ctx, &quiet, RestoreOptions{Connection: connection, To: branch, DryRun: dryRun, Yes: !dryRun})
	var res report.Result
	if rep != nil {
		for _, r := range rep.Snapshot() {
			if r.Connection == connection {
				res = r
			}
		}
	}
	return report.Scrub(out.String(), env.Config.Secrets()), res, err
}

func orNothing(summary string) string {
	if summary == "" {
		return "nothing to change"
	}
	return summary
}

// maxOutputChars keeps a comment that quotes command output under GitHub's 65,536-character limit.
const maxOutputChars = 60000

// outputBlock folds command output into a collapsed code block, its tail cut when it would not fit a comment.
func outputBlock(title, out string) string {
	if out == "" {
		return ""
	}
	if utf8.RuneCountInString(out) > maxOutputChars {
		runes := []rune(out)
		out = string(runes[:maxOutputChars]) + "\n… (cut to fit a GitHub comment; the workflow log has all of it)\n"
	}
	return fmt.Sprintf("<details><summary>%s</summary>\n\n```text\n%s\n```\n\n</details>\n", title, out)
}

// treeDigest identifies a snapshot's content: the SHA-256 of its files, names and bytes, in name order. Two runs
// that would commit the same tree have the same digest.
func treeDigest(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%d:%s\x00%d:", len(n), n, len(files[n]))
		h.Write(files[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

package githubpr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/google/go-github/v60/github"
)

// MaxTreeChars is the longest Spec.Tree; TreeMarkerChars is how much of MaxBodyChars the marker can take, so a
// caller that passes a Tree cuts its body to MaxBodyChars - TreeMarkerChars.
const (
	MaxTreeChars    = 80
	TreeMarkerChars = len(markerPrefix) + MaxTreeChars + len(markerSuffix)
)

const (
	markerPrefix = "\n\n<!-- kongsnap:tree "
	markerSuffix = " -->\n"
)

var (
	treeChars  = regexp.MustCompile(`^[A-Za-z0-9:._-]*$`)
	treeMarker = regexp.MustCompile(`\n\n<!-- kongsnap:tree ([A-Za-z0-9:._-]+) -->\n$`)
)

func validTree(tree string) bool { return len(tree) <= MaxTreeChars && treeChars.MatchString(tree) }

// withTree appends the tree marker to a body; GitHub renders it as nothing.
func withTree(body, tree string) string {
	if tree == "" {
		return body
	}
	return body + markerPrefix + tree + markerSuffix
}

// splitTree is withTree undone.
func splitTree(body string) (string, string) {
	m := treeMarker.FindStringSubmatchIndex(body)
	if m == nil {
		return body, ""
	}
	return body[:m[0]], body[m[2]:m[3]]
}

// LastClosed returns the newest closed pull request (merged or not) from branch head into branch base, or nil when
// there is none.
func (c *Client) LastClosed(ctx context.Context, head, base string) (*PullRequest, error) {
	prs, _, err := c.gh.PullRequests.List(ctx, c.owner, c.name, &github.PullRequestListOptions{
		State:       "closed",
		Head:        c.owner + ":" + head,
		Base:        base,
		Sort:        "created",
		Direction:   "desc",
		ListOptions: github.ListOptions{PerPage: 1},
	})
	if err != nil {
		return nil, fmt.Errorf("finding closed pull requests %s → %s in %s: %w", head, base, c.repository(), explain(err))
	}
	if len(prs) == 0 {
		return nil, nil
	}
	return fromGitHub(prs[0]), nil
}

// Get returns pull request number, open or not.
func (c *Client) Get(ctx context.Context, number int) (*PullRequest, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, c.owner, c.name, number)
	if err != nil {
		return nil, fmt.Errorf("reading pull request #%d in %s: %w", number, c.repository(), explain(err))
	}
	return fromGitHub(pr), nil
}

// Comment adds a comment to pull request (or issue) number.
func (c *Client) Comment(ctx context.Context, number int, body string) error {
	_, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.name, number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return fmt.Errorf("commenting on #%d in %s: %w", number, c.repository(), explain(err))
	}
	return nil
}

// Label adds labels to pull request number, creating those the repository lacks.
func (c *Client) Label(ctx context.Context, number int, labels ...string) error {
	if _, err := c.addLabels(ctx, number, labels); err != nil {
		return fmt.Errorf("labelling pull request #%d in %s: %w", number, c.repository(), err)
	}
	return nil
}

// Reactions on a comment, in GitHub's names.
const (
	ReactionEyes     = "eyes"
	ReactionThumbsUp = "+1"
	ReactionThumbsDn = "-1"
)

// React puts a reaction on issue comment id. GitHub keeps one reaction of each kind per user, so reacting twice
// is harmless.
func (c *Client) React(ctx context.Context, commentID int64, reaction string) error {
	_, _, err := c.gh.Reactions.CreateIssueCommentReaction(ctx, c.owner, c.name, commentID, reaction)
	if err != nil {
		return fmt.Errorf("reacting %s to comment %d in %s: %w", reaction, commentID, c.repository(), explain(err))
	}
	return nil
}

// CanWrite reports whether user has write access (write, maintain or admin) to the repository, from GitHub's
// collaborator permission API. A user GitHub does not know as a collaborator cannot write.
func (c *Client) CanWrite(ctx context.Context, user string) (bool, error) {
	level, resp, err := c.gh.Repositories.GetPermissionLevel(ctx, c.owner, c.name, user)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("checking %s's permission on %s: %w", user, c.repository(), explain(err))
	}
	// "maintain" is reported as "write" in this legacy field, "triage" as "read".
	switch level.GetPermission() {
	case "admin", "write":
		return true, nil
	}
	return false, nil
}

// ErrNotMerged means GitHub refused the merge: the pull request is not mergeable (conflicts, failing required
// checks, missing approvals) or its head moved since it was read.
var ErrNotMerged = errors.New("pull request not merged")

// Merge merges pull request number with a merge commit, only if its head is still headSHA (when given), so what
// is merged is what the caller looked at.
func (c *Client) Merge(ctx context.Context, number int, headSHA, title string) error {
	res, _, err := c.gh.PullRequests.Merge(ctx, c.owner, c.name, number, "", &github.PullRequestOptions{
		CommitTitle: title, SHA: headSHA, MergeMethod: "merge",
	})
	var respErr *github.ErrorResponse
	if errors.As(err, &respErr) && respErr.Response != nil {
		switch respErr.Response.StatusCode {
		case http.StatusMethodNotAllowed, http.StatusConflict:
			return fmt.Errorf("merging pull request #%d in %s: %w: GitHub answered %d %q", number, c.repository(),
				ErrNotMerged, respErr.Response.StatusCode, respErr.Message)
		}
	}
	if err != nil {
		return fmt.Errorf("merging pull request #%d in %s: %w", number, c.repository(), explain(err))
	}
	if !res.GetMerged() {
		return fmt.Errorf("merging pull request #%d in %s: %w: %s", number, c.repository(), ErrNotMerged, res.GetMessage())
	}
	return nil
}

func reviewerList(users, teams []string) string {
	var all []string
	for _, u := range users {
		all = append(all, "@"+u)
	}
	for _, t := range teams {
		all = append(all, "team "+t)
	}
	return strings.Join(all, ", ")
}

// CommentEvent is the part of an issue_comment webhook event (the file $GITHUB_EVENT_PATH names in a workflow
// run on: issue_comment) that commands need.
type CommentEvent struct {
	// Action is "created", "edited" or "deleted".
	Action string
	// Number is the issue's or pull request's number; PullRequest says which it is.
	Number      int
	PullRequest bool
	CommentID   int64
	Body        string
	// User is the commenter's login.
	User       string
	Repository string // owner/name
}

// ParseCommentEvent reads an issue_comment event payload.
func ParseCommentEvent(payload []byte) (*CommentEvent, error) {
	var e github.IssueCommentEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, fmt.Errorf("reading issue_comment event: %w", err)
	}
	if e.Issue == nil || e.Comment == nil || e.Action == nil {
		return nil, errors.New("reading issue_comment event: no action, issue or comment in it (is this an issue_comment event?)")
	}
	return &CommentEvent{
		Action:      e.GetAction(),
		Number:      e.Issue.GetNumber(),
		PullRequest: e.Issue.IsPullRequest(),
		CommentID:   e.Comment.GetID(),
		Body:        e.Comment.GetBody(),
		User:        e.Comment.GetUser().GetLogin(),
		Repository:  e.Repo.GetFullName(),
	}, nil
}

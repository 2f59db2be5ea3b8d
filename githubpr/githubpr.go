// Package githubpr opens, updates, closes and merges kongsnap's drift pull requests on GitHub (or GitHub
// Enterprise) through go-github, and speaks in them: comments, reactions, review requests, the permission of a
// commenter, and the issue_comment events that carry "/kongsnap" commands. It writes only when something differs,
// so a repeated run with the same drift sends no write request, and it retries nothing: every failure is returned
// to the caller.
package githubpr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"
)

// MaxBodyChars is the longest pull request body GitHub accepts; a longer one is refused with a 422
// ("body is too long (maximum is 65536 characters)"). Callers cut their body to fit before calling Ensure.
const MaxBodyChars = 65536

// Options says which GitHub and repository a Client talks to.
type Options struct {
	// Token authenticates every request. It is never logged or put into an error.
	Token string
	// BaseURL is the REST API root; "" means api.github.com. For GitHub Enterprise Server use
	// "https://ghe.example.com/api/v3/" (the "/api/v3/" suffix is added when missing).
	BaseURL string
	// Repository is "owner/name". The caller falls back to GITHUB_REPOSITORY.
	Repository string
	// HTTPClient, when set, carries the requests (proxies, timeouts, test transports).
	HTTPClient *http.Client
}

// Client manages pull requests in one repository. It is safe for concurrent use.
type Client struct {
	gh    *github.Client
	owner string
	name  string
}

// New returns a Client for opts.Repository. It makes no request.
func New(opts Options) (*Client, error) {
	if opts.Token == "" {
		return nil, errors.New("no GitHub token given: set GITHUB_TOKEN to a token that may write pull requests")
	}
	owner, name, ok := strings.Cut(opts.Repository, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("invalid GitHub repository %q: want \"owner/name\"", opts.Repository)
	}
	gh := github.NewClient(opts.HTTPClient).WithAuthToken(opts.Token)
	if opts.BaseURL != "" {
		var err error
		if gh, err = gh.WithEnterpriseURLs(opts.BaseURL, opts.BaseURL); err != nil {
			return nil, fmt.Errorf("parsing GitHub base URL %q: %w", opts.BaseURL, err)
		}
	}
	gh.UserAgent = "kongsnap"
	return &Client{gh: gh, owner: owner, name: name}, nil
}

// PullRequest is the part of a GitHub pull request that kongsnap reads.
type PullRequest struct {
	Number  int
	URL     string // the web page, for logs and messages
	Title   string
	Body    string // as written by Ensure: the marker (see Tree) is not part of it
	Head    string // branch the changes come from
	Base    string // branch the changes go into
	HeadSHA string
	Labels  []string
	Open    bool
	Merged  bool
	// Tree is the marker Ensure hid in the body (Spec.Tree), "" when there is none.
	Tree string
}

// HasLabel reports whether the pull request carries label name; GitHub matches label names ignoring case.
func (p *PullRequest) HasLabel(name string) bool {
	return len(missingLabels(p.Labels, []string{name})) == 0
}

// Spec is the pull request Ensure makes exist: Head and Base are branches of the Client's repository.
type Spec struct {
	Title  string
	Body   string
	Head   string
	Base   string
	Labels []string // added when missing; labels that people added by hand are left alone
	// Tree identifies the content the pull request shows (kongsnap passes a digest of the snapshot's files). It is
	// kept in the body as an HTML comment, invisible on the page, so a later run can tell which content a closed
	// pull request showed. At most MaxTreeChars characters of [A-Za-z0-9:._-].
	Tree string
	// Reviewers (user logins) and TeamReviewers (team slugs) are asked for a review when the pull request is
	// created, never again: a review that was requested once and dismissed by a person stays dismissed.
	Reviewers     []string
	TeamReviewers []string
}

// Find returns the open pull request from branch head into branch base, or nil when there is none.
func (c *Client) Find(ctx context.Context, head, base string) (*PullRequest, error) {
	pr, err := c.find(ctx, head, base)
	if err != nil {
		return nil, fmt.Errorf("finding pull request %s → %s in %s: %w", head, base, c.repository(), err)
	}
	return pr, nil
}

func (c *Client) find(ctx context.Context, head, base string) (*PullRequest, error) {
	// GitHub ignores a head filter without the "owner:" prefix and would list every pull request into base.
	prs, _, err := c.gh.PullRequests.List(ctx, c.owner, c.name, &github.PullRequestListOptions{
		State:       "open",
		Head:        c.owner + ":" + head,
		Base:        base,
		ListOptions: github.ListOptions{PerPage: 1},
	})
	if err != nil {
		return nil, explain(err)
	}
	if len(prs) == 0 {
		return nil, nil
	}
	return fromGitHub(prs[0]), nil
}

// Ensure makes spec's pull request open: it creates one, or brings the open one from spec.Head into spec.Base
// up to date. changed reports whether anything was written; when title, body and labels already match, Ensure
// sends no write request at all. If GitHub answers that the pull request already exists (another run won the
// race), Ensure adopts that one.
func (c *Client) Ensure(ctx context.Context, spec Spec) (pr *PullRequest, changed bool, err error) {
	if spec.Title == "" || spec.Head == "" || spec.Base == "" {
		return nil, false, fmt.Errorf("pull request in %s needs a title, a head and a base branch", c.repository())
	}
	if !validTree(spec.Tree) {
		return nil, false, fmt.Errorf("pull request in %s: tree marker %q is not [A-Za-z0-9:._-]{0,%d}", c.repository(), spec.Tree, MaxTreeChars)
	}
	pr, changed, err = c.ensure(ctx, spec)
	if err != nil {
		return nil, false, fmt.Errorf("ensuring pull request %s → %s in %s: %w", spec.Head, spec.Base, c.repository(), err)
	}
	return pr, changed, nil
}

func (c *Client) ensure(ctx context.Context, spec Spec) (*PullRequest, bool, error) {
	pr, err := c.find(ctx, spec.Head, spec.Base)
	if err != nil {
		return nil, false, err
	}
	if pr == nil {
		pr, err = c.create(ctx, spec)
		if !errors.Is(err, errAlreadyExists) {
			return pr, err == nil, err
		}
		if pr, err = c.find(ctx, spec.Head, spec.Base); err != nil {
			return nil, false, err
		}
		if pr == nil {
			return nil, false, errors.New("GitHub says the pull request already exists, but lists none open")
		}
	}
	return c.update(ctx, pr, spec)
}

func (c *Client) create(ctx context.Context, spec Spec) (*PullRequest, error) {
	created, _, err := c.gh.PullRequests.Create(ctx, c.owner, c.name, &github.NewPullRequest{
		Title: github.String(spec.Title),
		Head:  github.String(spec.Head),
		Base:  github.String(spec.Base),
		Body:  github.String(withTree(spec.Body, spec.Tree)),
	})
	if err != nil {
		return nil, explain(err)
	}
	pr := fromGitHub(created)
	if len(spec.Labels) > 0 {
		if pr.Labels, err = c.addLabels(ctx, pr.Number, spec.Labels); err != nil {
			return nil, fmt.Errorf("labelling new pull request #%d: %w", pr.Number, err)
		}
	}
	if len(spec.Reviewers) > 0 || len(spec.TeamReviewers) > 0 {
		_, _, err := c.gh.PullRequests.RequestReviewers(ctx, c.owner, c.name, pr.Number, github.ReviewersRequest{
			Reviewers: spec.Reviewers, TeamReviewers: spec.TeamReviewers,
		})
		if err != nil {
			return nil, fmt.Errorf("pull request #%d is open, but requesting reviews from %s failed (fix the "+
				"reviewers and request them on the pull request by hand): %w", pr.Number,
				reviewerList(spec.Reviewers, spec.TeamReviewers), explain(err))
		}
	}
	return pr, nil
}

// update writes only what differs between the open pull request and spec.
func (c *Client) update(ctx context.Context, pr *PullRequest, spec Spec) (*PullRequest, bool, error) {
	changed := false
	if pr.Title != spec.Title || pr.Body != spec.Body || pr.Tree != spec.Tree {
		edited, _, err := c.gh.PullRequests.Edit(ctx, c.owner, c.name, pr.Number, &github.PullRequest{
			Title: github.String(spec.Title),
			Body:  github.String(withTree(spec.Body, spec.Tree)),
		})
		if err != nil {
			return nil, false, fmt.Errorf("editing pull request #%d: %w", pr.Number, explain(err))
		}
		pr = fromGitHub(edited)
		changed = true
	}
	if missing := missingLabels(pr.Labels, spec.Labels); len(missing) > 0 {
		labels, err := c.addLabels(ctx, pr.Number, missing)
		if err != nil {
			return nil, false, fmt.Errorf("labelling pull request #%d: %w", pr.Number, err)
		}
		pr.Labels = labels
		changed = true
	}
	return pr, changed, nil
}

// addLabels relies on GitHub creating a label that the repository does not have yet, so kongsnap needs no
// permission to manage the repository's labels.
func (c *Client) addLabels(ctx context.Context, number int, labels []string) ([]string, error) {
	all, _, err := c.gh.Issues.AddLabelsToIssue(ctx, c.owner, c.name, number, labels)
	if err != nil {
		return nil, explain(err)
	}
	names := make([]string, 0, len(all))
	for _, l := range all {
		names = append(names, l.GetName())
	}
	return names, nil
}

// missingLabels returns the wanted labels that have is lacking; GitHub matches label names ignoring case.
func missingLabels(have, want []string) []string {
	var missing []string
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, w) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

// Close comments on pull request number (when comment is not empty) and then closes it, so the reason is on
// the pull request before it leaves the open list.
func (c *Client) Close(ctx context.Context, number int, comment string) error {
	if comment != "" {
		_, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.name, number, &github.IssueComment{Body: github.String(comment)})
		if err != nil {
			return fmt.Errorf("commenting on pull request #%d in %s: %w", number, c.repository(), explain(err))
		}
	}
	_, _, err := c.gh.PullRequests.Edit(ctx, c.owner, c.name, number, &github.PullRequest{State: github.String("closed")})
	if err != nil {
		return fmt.Errorf("closing pull request #%d in %s: %w", number, c.repository(), explain(err))
	}
	return nil
}

func (c *Client) repository() string { return c.owner + "/" + c.name }

// Repository is the "owner/name" the Client works in.
func (c *Client) Repository() string { return c.repository() }

func fromGitHub(p *github.PullRequest) *PullRequest {
	body, tree := splitTree(p.GetBody())
	pr := &PullRequest{
		Number:  p.GetNumber(),
		URL:     p.GetHTMLURL(),
		Title:   p.GetTitle(),
		Body:    body,
		Head:    p.GetHead().GetRef(),
		Base:    p.GetBase().GetRef(),
		HeadSHA: p.GetHead().GetSHA(),
		Open:    p.GetState() == "open",
		// The list endpoint sends merged_at but not merged.
		Merged: p.GetMerged() || p.MergedAt != nil,
		Tree:   tree,
	}
	for _, l := range p.Labels {
		pr.Labels = append(pr.Labels, l.GetName())
	}
	return pr
}

// Package githubfake is an in-memory GitHub for tests: an httptest server speaking the part of the REST API
// that kongsnap's pull request client uses (pull requests: list, create, edit, close, merge, review requests;
// issue labels, comments and comment reactions; collaborator permissions), with GitHub's JSON shapes and status
// codes, a request log, and knobs that make it fail the way GitHub fails. [Server.UserComment] plays a person
// commenting and returns the issue_comment event payload GitHub Actions would hand a workflow.
//
// It serves one repository, [Owner]/[Name], under the path prefix "/api/v3/" (as GitHub Enterprise does), so
// a client that builds absolute URLs fails the test. It does not know git: a pull request's head SHA is
// whatever [Server.SetBranch] last said, and a merge through the API moves no branch unless [Server.OnMerge]
// does it.
package githubfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The repository, token and API prefix the fake serves.
const (
	Owner  = "kongsnap-test"
	Name   = "gateways"
	Token  = "ghp_fakeTokenThatMustNeverBeShown0001"
	prefix = "/api/v3"
)

// maxBody is GitHub's limit on issue and pull request bodies, in characters.
const maxBody = 65536

// Request is one request the fake received. Path is relative to the API prefix, e.g.
// "/repos/kongsnap-test/gateways/pulls".
type Request struct {
	Method string
	Path   string
}

// PullRequest is the fake's state of one pull request.
type PullRequest struct {
	Number  int
	Title   string
	Body    string
	Head    string
	Base    string
	HeadSHA string
	State   string // "open" or "closed"
	Merged  bool
	Labels  []string
	// RequestedReviewers and RequestedTeams are the reviews requested through the API, in order.
	RequestedReviewers []string
	RequestedTeams     []string
}

// Comment is one comment on a pull request's conversation.
type Comment struct {
	ID   int64
	User string // login; the token's user is BotLogin
	Body string
	// Reactions are the reactions on the comment, in GitHub's names ("eyes", "+1", "-1"), in the order given.
	Reactions []string
}

// BotLogin is the user the fake's token belongs to: the author of every pull request and comment made through
// the API.
const BotLogin = "kongsnap-bot"

// FaultKind is a way GitHub fails.
type FaultKind int

// The failures a [Fault] can inject.
const (
	// Unauthorized answers 401 "Bad credentials", as for an expired or revoked token.
	Unauthorized FaultKind = iota + 1
	// Forbidden answers 403 "Resource not accessible by personal access token", as for a token without write
	// permission.
	Forbidden
	// RateLimited answers 403 with X-RateLimit-Remaining: 0 and X-RateLimit-Reset, GitHub's primary limit.
	RateLimited
	// RateLimited429 is RateLimited answered with status 429, which GitHub also uses.
	RateLimited429
	// SecondaryRateLimited answers 403 with Retry-After and the secondary rate limit documentation URL.
	SecondaryRateLimited
	// Unprocessable answers 422 "Validation Failed" with Fault.Message as the reason.
	Unprocessable
)

// Fault makes matching requests fail instead of being served.
type Fault struct {
	Kind    FaultKind
	Method  string    // "" matches every method
	Path    string    // path under the API prefix; "" matches every path
	Message string    // replaces GitHub's usual message for Kind
	Reset   time.Time // when a rate limit resets; zero means an hour from now
	Times   int       // how many matching requests fail; 0 means all of them
}

// Server is the fake GitHub. Its methods are safe to call while the client under test runs.
type Server struct {
	t   testing.TB
	srv *httptest.Server
	mux *http.ServeMux

	mu        sync.Mutex
	pulls     []*pull
	comments  map[int][]*comment
	labels    map[string]label  // by lower-case name: GitHub matches label names ignoring case
	perms     map[string]string // collaborator login (lower case) → admin, maintain, write, triage, read, none
	teams     map[string]bool
	onMerge   func(PullRequest) (string, error)
	branches  map[string]string
	requests  []Request
	faults    []*Fault
	remaining int
	nextID    int64
}

type label struct {
	id   int64
	name string
}

type comment struct {
	Comment
	number  int
	created time.Time
}

type pull struct {
	PullRequest
	created  time.Time
	updated  time.Time
	closed   time.Time
	mergedAt time.Time
}

// New starts a fake GitHub that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:         t,
		mux:       http.NewServeMux(),
		comments:  map[int][]*comment{},
		labels:    map[string]label{},
		perms:     map[string]string{},
		teams:     map[string]bool{},
		branches:  map[string]string{},
		remaining: 5000,
	}
	s.handle("GET /repos/{owner}/{repo}/pulls", s.listPulls)
	s.handle("POST /repos/{owner}/{repo}/pulls", s.createPull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{number}", s.getPull)
	s.handle("PATCH /repos/{owner}/{repo}/pulls/{number}", s.editPull)
	s.handle("POST /repos/{owner}/{repo}/issues/{number}/labels", s.addLabels)
	s.handle("POST /repos/{owner}/{repo}/issues/{number}/comments", s.createComment)
	s.handle("PUT /repos/{owner}/{repo}/pulls/{number}/merge", s.mergePull)
	s.handle("POST /repos/{owner}/{repo}/pulls/{number}/requested_reviewers", s.requestReviewers)
	s.handle("POST /repos/{owner}/{repo}/issues/comments/{id}/reactions", s.createReaction)
	s.handle("GET /repos/{owner}/{repo}/collaborators/{username}/permission", s.permission)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API base URL to give the client, ending in "/api/v3/".
func (s *Server) URL() string { return s.srv.URL + prefix + "/" }

// Repository is "owner/name" of the one repository the fake serves.
func (s *Server) Repository() string { return Owner + "/" + Name }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Writes returns the requests so far that were not GETs: the ones that could change something.
func (s *Server) Writes() []Request {
	var writes []Request
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			writes = append(writes, r)
		}
	}
	return writes
}

// PullRequests returns every pull request, open or not, by number.
func (s *Server) PullRequests() []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PullRequest, 0, len(s.pulls))
	for _, p := range s.pulls {
		pr := p.PullRequest
		pr.Labels = slices.Clone(p.Labels)
		out = append(out, pr)
	}
	return out
}

// Comments returns the bodies of the comments on pull request number, oldest first.
func (s *Server) Comments(number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var bodies []string
	for _, c := range s.comments[number] {
		bodies = append(bodies, c.Body)
	}
	return bodies
}

// CommentsWithReactions returns the comments on pull request number, oldest first, with their authors and
// reactions.
func (s *Server) CommentsWithReactions(number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments[number] {
		cc := c.Comment
		cc.Reactions = slices.Clone(c.Reactions)
		out = append(out, cc)
	}
	return out
}

// SetPermission makes login a collaborator with permission admin, maintain, write, triage, read or none. A
// login never set is unknown to GitHub: its permission check answers 404.
func (s *Server) SetPermission(login, permission string) {
	s.t.Helper()
	if !slices.Contains([]string{"admin", "maintain", "write", "triage", "read", "none"}, permission) {
		s.t.Fatalf("githubfake: unknown permission %q", permission)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perms[strings.ToLower(login)] = permission
}

// AddTeam makes a team of the owner organisation, with slug, able to be asked for reviews.
func (s *Server) AddTeam(slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.teams[strings.ToLower(slug)] = true
}

// OnMerge is called, with the pull request, when a merge through the API is accepted; it returns the merge
// commit's SHA, or an error to refuse the merge as not mergeable (405). Moving the base branch in a test's git
// remote is its job. Without it the merge SHA is made up.
func (s *Server) OnMerge(f func(PullRequest) (string, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onMerge = f
}

// Close closes pull request number without merging it, as a reviewer pressing "Close pull request" does.
func (s *Server) Close(number int) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pull(number)
	if p == nil || p.State != "open" {
		s.t.Fatalf("githubfake: cannot close pull request #%d: not open", number)
		return
	}
	now := time.Now()
	p.State, p.closed, p.updated = "closed", now, now
}

// UserComment posts body as login on pull request number, as a person typing in the conversation would, and
// returns the payload of the issue_comment "created" event GitHub sends for it (what $GITHUB_EVENT_PATH holds in
// a workflow run on: issue_comment).
func (s *Server) UserComment(number int, login, body string) []byte {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pull(number)
	if p == nil {
		s.t.Fatalf("githubfake: no pull request #%d to comment on", number)
		return nil
	}
	c := s.addComment(p, login, body)
	payload, err := json.Marshal(s.commentEvent(p, c))
	if err != nil {
		s.t.Fatalf("githubfake: encoding the issue_comment event: %v", err)
	}
	return payload
}

// Merge marks pull request number merged and closed, as pressing the merge button does. Moving the base
// branch is the test's job.
func (s *Server) Merge(number int) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pull(number)
	if p == nil || p.State != "open" {
		s.t.Fatalf("githubfake: cannot merge pull request #%d: not open", number)
		return
	}
	now := time.Now()
	p.State, p.Merged, p.mergedAt, p.closed, p.updated = "closed", true, now, now, now
}

// SetBranch records that branch now points at sha; open pull requests from that branch follow it, as on
// GitHub after a push.
func (s *Server) SetBranch(branch, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.branches[branch] = sha
	for _, p := range s.pulls {
		if p.Head == branch && p.State == "open" {
			p.HeadSHA = sha
		}
	}
}

// Inject makes requests matching f fail until f is used up.
func (s *Server) Inject(f Fault) {
	s.t.Helper()
	if f.Kind < Unauthorized || f.Kind > Unprocessable {
		s.t.Fatalf("githubfake: unknown fault kind %d", f.Kind)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		s.t.Errorf("githubfake: %s %s is outside the API prefix %s/ (an absolute URL?)", r.Method, r.URL.Path, prefix)
		writeError(w, http.StatusNotFound, "Not Found", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path})
	s.remaining--
	h := w.Header()
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")

	if f := s.fault(r.Method, path); f != nil {
		writeFault(w, f)
		return
	}
	switch auth := r.Header.Get("Authorization"); auth {
	case "Bearer " + Token, "token " + Token:
	case "":
		writeError(w, http.StatusUnauthorized, "Requires authentication", "https://docs.github.com/rest")
		return
	default:
		writeError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	r.URL.Path = path
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.t.Errorf("githubfake: %s %s is not an endpoint the fake serves", r.Method, path)
		writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// fault returns the first injected fault matching the request and uses it up.
func (s *Server) fault(method, path string) *Fault {
	for i, f := range s.faults {
		if (f.Method != "" && f.Method != method) || (f.Path != "" && f.Path != path) {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return f
	}
	return nil
}

func writeFault(w http.ResponseWriter, f *Fault) {
	reset := f.Reset
	if reset.IsZero() {
		reset = time.Now().Add(time.Hour)
	}
	msg := func(usual string) string {
		if f.Message != "" {
			return f.Message
		}
		return usual
	}
	h := w.Header()
	switch f.Kind {
	case Unauthorized:
		writeError(w, http.StatusUnauthorized, msg("Bad credentials"), "https://docs.github.com/rest")
	case Forbidden:
		writeError(w, http.StatusForbidden, msg("Resource not accessible by personal access token"),
			"https://docs.github.com/rest/pulls/pulls")
	case RateLimited, RateLimited429:
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", "5000")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		status := http.StatusForbidden
		if f.Kind == RateLimited429 {
			status = http.StatusTooManyRequests
		}
		writeError(w, status, msg("API rate limit exceeded for user ID 1."),
			"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting")
	case SecondaryRateLimited:
		h.Set("Retry-After", strconv.Itoa(int(time.Until(reset).Seconds())))
		writeError(w, http.StatusForbidden,
			msg("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."),
			"https://docs.github.com/free-pro-team@latest/rest/overview/resources-in-the-rest-api#secondary-rate-limits")
	case Unprocessable:
		writeValidation(w, validation{Resource: "PullRequest", Code: "custom", Message: msg("Validation failed")})
	}
}

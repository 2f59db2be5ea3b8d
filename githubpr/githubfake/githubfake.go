// Package githubfake is an in-memory GitHub for tests: an httptest server speaking the part of the REST API
// that kongsnap's pull request client uses (pull requests, issue labels, issue comments), with GitHub's JSON
// shapes and status codes, a request log, and knobs that make it fail the way GitHub fails.
//
// It serves one repository, [Owner]/[Name], under the path prefix "/api/v3/" (as GitHub Enterprise does), so
// a client that builds absolute URLs fails the test. It does not know git: a pull request's head SHA is
// whatever [Server.SetBranch] last said.
package githubfake

import (
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
}

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
	comments  map[int][]string
	labels    map[string]label // by lower-case name: GitHub matches label names ignoring case
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
		comments:  map[int][]string{},
		labels:    map[string]label{},
		branches:  map[string]string{},
		remaining: 5000,
	}
	s.handle("GET /repos/{owner}/{repo}/pulls", s.listPulls)
	s.handle("POST /repos/{owner}/{repo}/pulls", s.createPull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{number}", s.getPull)
	s.handle("PATCH /repos/{owner}/{repo}/pulls/{number}", s.editPull)
	s.handle("POST /repos/{owner}/{repo}/issues/{number}/labels", s.addLabels)
	s.handle("POST /repos/{owner}/{repo}/issues/{number}/comments", s.createComment)
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
	return slices.Clone(s.comments[number])
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

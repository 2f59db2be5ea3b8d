package githubpr_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/githubpr"
	"github.com/kongsnap/kongsnap/githubpr/githubfake"
)

const (
	pullsPath = "/repos/kongsnap-test/gateways/pulls"
	pr1Path   = "/repos/kongsnap-test/gateways/pulls/1"
	pr2Path   = "/repos/kongsnap-test/gateways/pulls/2"
	labels1   = "/repos/kongsnap-test/gateways/issues/1/labels"
	labels2   = "/repos/kongsnap-test/gateways/issues/2/labels"
	comments1 = "/repos/kongsnap-test/gateways/issues/1/comments"
)

func newClient(t *testing.T, srv *githubfake.Server, httpClient *http.Client) *githubpr.Client {
	t.Helper()
	c, err := githubpr.New(githubpr.Options{
		Token:      githubfake.Token,
		BaseURL:    srv.URL(),
		Repository: srv.Repository(),
		HTTPClient: httpClient,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func driftSpec(env, body string) githubpr.Spec {
	return githubpr.Spec{
		Title:  "Drift on " + env,
		Body:   body,
		Head:   "kongsnap/drift/" + env,
		Base:   "env/" + env,
		Labels: []string{"kongsnap:drift", "env:" + env},
	}
}

func TestEnsure(t *testing.T) {
	prod := driftSpec("prod", "1 service changed")
	tests := []struct {
		name string
		// prepare brings the fake into the state the case starts from, through the client or the fake.
		prepare     func(t *testing.T, c *githubpr.Client, srv *githubfake.Server)
		spec        githubpr.Spec
		wantChanged bool
		wantWrites  []githubfake.Request
		want        githubfake.PullRequest
	}{
		{
			name:        "no pull request yet opens one with labels",
			spec:        prod,
			wantChanged: true,
			wantWrites:  []githubfake.Request{{Method: "POST", Path: pullsPath}, {Method: "POST", Path: labels1}},
			want: githubfake.PullRequest{Number: 1, Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				State: "open", Labels: []string{"kongsnap:drift", "env:prod"}},
		},
		{
			name:    "same drift again writes nothing",
			prepare: ensure(prod),
			spec:    prod,
			want: githubfake.PullRequest{Number: 1, Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				State: "open", Labels: []string{"kongsnap:drift", "env:prod"}},
		},
		{
			name:        "changed body updates the open pull request",
			prepare:     ensure(prod),
			spec:        driftSpec("prod", "3 services changed"),
			wantChanged: true,
			wantWrites:  []githubfake.Request{{Method: "PATCH", Path: pr1Path}},
			want: githubfake.PullRequest{Number: 1, Title: prod.Title, Body: "3 services changed", Head: prod.Head,
				Base: prod.Base, State: "open", Labels: []string{"kongsnap:drift", "env:prod"}},
		},
		{
			name: "missing label is added and a hand-added one kept",
			prepare: ensure(githubpr.Spec{Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				Labels: []string{"kongsnap:drift", "needs-review"}}),
			spec:        prod,
			wantChanged: true,
			wantWrites:  []githubfake.Request{{Method: "POST", Path: labels1}},
			want: githubfake.PullRequest{Number: 1, Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				State: "open", Labels: []string{"kongsnap:drift", "needs-review", "env:prod"}},
		},
		{
			name: "label spelled in another case counts as present",
			prepare: ensure(githubpr.Spec{Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				Labels: []string{"Kongsnap:Drift", "ENV:prod"}}),
			spec: prod,
			want: githubfake.PullRequest{Number: 1, Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				State: "open", Labels: []string{"Kongsnap:Drift", "ENV:prod"}},
		},
		{
			name: "merged pull request is not reused",
			prepare: func(t *testing.T, c *githubpr.Client, srv *githubfake.Server) {
				ensure(prod)(t, c, srv)
				srv.Merge(1)
			},
			spec:        prod,
			wantChanged: true,
			wantWrites:  []githubfake.Request{{Method: "POST", Path: pullsPath}, {Method: "POST", Path: labels2}},
			want: githubfake.PullRequest{Number: 2, Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				State: "open", Labels: []string{"kongsnap:drift", "env:prod"}},
		},
		{
			name: "open pull request from another branch into the same base is left alone",
			prepare: ensure(githubpr.Spec{Title: "Bump plugins", Body: "by hand", Head: "bump-plugins",
				Base: prod.Base}),
			spec:        prod,
			wantChanged: true,
			wantWrites:  []githubfake.Request{{Method: "POST", Path: pullsPath}, {Method: "POST", Path: labels2}},
			want: githubfake.PullRequest{Number: 2, Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				State: "open", Labels: []string{"kongsnap:drift", "env:prod"}},
		},
		{
			name:    "another environment gets its own pull request",
			prepare: ensure(driftSpec("staging", "1 route removed")),
			spec:    prod,
			// the labels request shows the new pull request is number 2, not an update of staging's
			wantChanged: true,
			wantWrites:  []githubfake.Request{{Method: "POST", Path: pullsPath}, {Method: "POST", Path: labels2}},
			want: githubfake.PullRequest{Number: 2, Title: prod.Title, Body: prod.Body, Head: prod.Head, Base: prod.Base,
				State: "open", Labels: []string{"kongsnap:drift", "env:prod"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubfake.New(t)
			c := newClient(t, srv, nil)
			if tt.prepare != nil {
				tt.prepare(t, c, srv)
			}
			before := len(srv.Writes())

			pr, changed, err := c.Ensure(context.Background(), tt.spec)
			if err != nil {
				t.Fatalf("Ensure: %v", err)
			}
			if changed != tt.wantChanged {
				t.Errorf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if got := srv.Writes()[before:]; !slices.Equal(got, tt.wantWrites) {
				t.Errorf("write requests = %v, want %v", got, tt.wantWrites)
			}
			got := srv.PullRequests()[tt.want.Number-1]
			if !equalPR(got, tt.want) {
				t.Errorf("GitHub has %+v, want %+v", got, tt.want)
			}
			if pr.Number != tt.want.Number || pr.Title != tt.want.Title || pr.Body != tt.want.Body ||
				pr.Head != tt.want.Head || pr.Base != tt.want.Base ||
				!slices.Equal(pr.Labels, tt.want.Labels) {
				t.Errorf("Ensure returned %+v, want it to describe %+v", pr, tt.want)
			}
			if !strings.HasSuffix(pr.URL, "/kongsnap-test/gateways/pull/"+strconv.Itoa(tt.want.Number)) {
				t.Errorf("URL = %q, want the pull request's web page", pr.URL)
			}
		})
	}
}

func ensure(spec githubpr.Spec) func(*testing.T, *githubpr.Client, *githubfake.Server) {
	return func(t *testing.T, c *githubpr.Client, _ *githubfake.Server) {
		t.Helper()
		if _, _, err := c.Ensure(context.Background(), spec); err != nil {
			t.Fatalf("preparing with Ensure: %v", err)
		}
	}
}

func equalPR(a, b githubfake.PullRequest) bool {
	return a.Number == b.Number && a.Title == b.Title && a.Body == b.Body && a.Head == b.Head &&
		a.Base == b.Base && a.HeadSHA == b.HeadSHA && a.State == b.State && a.Merged == b.Merged &&
		slices.Equal(a.Labels, b.Labels)
}

// hideFirstList answers the first "list pull requests" request with an empty list, as if another run
// opened the pull request between this run's look and its create.
type hideFirstList struct {
	mu     sync.Mutex
	hidden bool
}

func (h *hideFirstList) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/pulls") {
		return resp, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hidden {
		return resp, nil
	}
	h.hidden = true
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader("[]"))
	resp.ContentLength = 2
	resp.Header.Del("Content-Length")
	return resp, nil
}

func TestEnsureAdoptsPullRequestThatAlreadyExists(t *testing.T) {
	srv := githubfake.New(t)
	ctx := context.Background()
	if _, _, err := newClient(t, srv, nil).Ensure(ctx, driftSpec("prod", "1 service changed")); err != nil {
		t.Fatalf("preparing: %v", err)
	}
	before := len(srv.Requests())

	c := newClient(t, srv, &http.Client{Transport: &hideFirstList{}})
	pr, changed, err := c.Ensure(ctx, driftSpec("prod", "2 services changed"))
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}

	want := []githubfake.Request{
		{Method: "GET", Path: pullsPath},  // hidden: looks like no pull request
		{Method: "POST", Path: pullsPath}, // 422 "A pull request already exists"
		{Method: "GET", Path: pullsPath},  // adopt
		{Method: "PATCH", Path: pr1Path},  // body differs
	}
	if got := srv.Requests()[before:]; !slices.Equal(got, want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
	if !changed || pr.Number != 1 || pr.Body != "2 services changed" {
		t.Errorf("Ensure = #%d body %q changed %v, want #1 adopted with the new body and changed", pr.Number, pr.Body, changed)
	}
	if n := len(srv.PullRequests()); n != 1 {
		t.Errorf("GitHub has %d pull requests, want 1", n)
	}
}

func TestFind(t *testing.T) {
	srv := githubfake.New(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	spec := driftSpec("prod", "drift")

	pr, err := c.Find(ctx, spec.Head, spec.Base)
	if err != nil || pr != nil {
		t.Fatalf("Find before any pull request = %+v, %v; want nil, nil", pr, err)
	}
	srv.SetBranch(spec.Head, "0123456789abcdef0123456789abcdef01234567")
	if _, _, err := c.Ensure(ctx, spec); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	srv.SetBranch(spec.Head, "89abcdef0123456789abcdef0123456789abcdef")

	pr, err = c.Find(ctx, spec.Head, spec.Base)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if pr == nil || pr.Number != 1 || pr.HeadSHA != "89abcdef0123456789abcdef0123456789abcdef" ||
		!slices.Equal(pr.Labels, spec.Labels) {
		t.Errorf("Find = %+v, want #1 at the pushed head with its labels", pr)
	}

	srv.Merge(1)
	if pr, err = c.Find(ctx, spec.Head, spec.Base); err != nil || pr != nil {
		t.Errorf("Find after merge = %+v, %v; want nil, nil", pr, err)
	}
}

func TestClose(t *testing.T) {
	tests := []struct {
		name         string
		comment      string
		wantWrites   []githubfake.Request
		wantComments []string
	}{
		{
			name:         "comments, then closes",
			comment:      "The drift is gone: the gateway matches env/prod again.",
			wantWrites:   []githubfake.Request{{Method: "POST", Path: comments1}, {Method: "PATCH", Path: pr1Path}},
			wantComments: []string{"The drift is gone: the gateway matches env/prod again."},
		},
		{
			name:       "no comment only closes",
			wantWrites: []githubfake.Request{{Method: "PATCH", Path: pr1Path}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubfake.New(t)
			c := newClient(t, srv, nil)
			spec := driftSpec("prod", "drift")
			ensure(spec)(t, c, srv)
			before := len(srv.Writes())

			if err := c.Close(context.Background(), 1, tt.comment); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if got := srv.Writes()[before:]; !slices.Equal(got, tt.wantWrites) {
				t.Errorf("write requests = %v, want %v", got, tt.wantWrites)
			}
			if got := srv.Comments(1); !slices.Equal(got, tt.wantComments) {
				t.Errorf("comments = %q, want %q", got, tt.wantComments)
			}
			if got := srv.PullRequests()[0]; got.State != "closed" || got.Merged {
				t.Errorf("pull request is %s (merged %v), want closed unmerged", got.State, got.Merged)
			}
			if pr, err := c.Find(context.Background(), spec.Head, spec.Base); err != nil || pr != nil {
				t.Errorf("Find after Close = %+v, %v; want nil, nil", pr, err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	reset := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name  string
		token string // "" means the fake's valid token
		repo  string // "" means the fake's repository
		fault *githubfake.Fault
		spec  githubpr.Spec
		want  error // sentinel, or nil for none
		// wantText are parts of the message a user needs to act.
		wantText []string
	}{
		{
			name:     "wrong token",
			token:    "ghp_wrongTokenThatMustNeverBeShown9",
			want:     githubpr.ErrAccess,
			wantText: []string{"kongsnap-test/gateways", "401", "Bad credentials", "token"},
		},
		{
			name:     "expired token",
			fault:    &githubfake.Fault{Kind: githubfake.Unauthorized},
			want:     githubpr.ErrAccess,
			wantText: []string{"kongsnap-test/gateways", "401", "expired"},
		},
		{
			name:     "token without write permission",
			fault:    &githubfake.Fault{Kind: githubfake.Forbidden, Method: "POST", Path: pullsPath},
			want:     githubpr.ErrAccess,
			wantText: []string{"kongsnap-test/gateways", "403", "Resource not accessible", "permission"},
		},
		{
			name: "GitHub Actions may not open pull requests",
			fault: &githubfake.Fault{Kind: githubfake.Forbidden, Method: "POST", Path: pullsPath,
				Message: "GitHub Actions is not permitted to create or approve pull requests."},
			want:     githubpr.ErrAccess,
			wantText: []string{"403", "Allow GitHub Actions to create and approve pull requests"},
		},
		{
			name:     "primary rate limit on 403",
			fault:    &githubfake.Fault{Kind: githubfake.RateLimited, Reset: reset},
			want:     githubpr.ErrRateLimited,
			wantText: []string{"kongsnap-test/gateways", "resets at 2031-05-06T07:08:09Z"},
		},
		{
			name:     "primary rate limit on 429",
			fault:    &githubfake.Fault{Kind: githubfake.RateLimited429, Reset: reset},
			want:     githubpr.ErrRateLimited,
			wantText: []string{"kongsnap-test/gateways", "try again after 2031-05-06T07:08:09Z"},
		},
		{
			name:     "secondary rate limit",
			fault:    &githubfake.Fault{Kind: githubfake.SecondaryRateLimited, Method: "POST"},
			want:     githubpr.ErrRateLimited,
			wantText: []string{"kongsnap-test/gateways", "secondary limit", "try again after"},
		},
		{
			name: "other validation failure",
			fault: &githubfake.Fault{Kind: githubfake.Unprocessable, Method: "POST", Path: pullsPath,
				Message: "No commits between env/prod and kongsnap/drift/prod"},
			wantText: []string{"422", "No commits between env/prod and kongsnap/drift/prod"},
		},
		{
			name:     "body over GitHub's limit",
			spec:     driftSpec("prod", strings.Repeat("é", githubpr.MaxBodyChars+1)),
			wantText: []string{"422", "body is too long (maximum is 65536 characters)"},
		},
		{
			name:     "repository the token cannot see",
			repo:     "someone/else",
			wantText: []string{"someone/else", "404", "repository name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubfake.New(t)
			if tt.fault != nil {
				srv.Inject(*tt.fault)
			}
			opts := githubpr.Options{Token: githubfake.Token, BaseURL: srv.URL(), Repository: srv.Repository()}
			if tt.token != "" {
				opts.Token = tt.token
			}
			if tt.repo != "" {
				opts.Repository = tt.repo
			}
			c, err := githubpr.New(opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			spec := tt.spec
			if spec.Title == "" {
				spec = driftSpec("prod", "drift")
			}

			_, _, err = c.Ensure(context.Background(), spec)
			if err == nil {
				t.Fatal("Ensure succeeded, want an error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", err, tt.want)
			}
			for _, sentinel := range []error{githubpr.ErrAccess, githubpr.ErrRateLimited} {
				if sentinel != tt.want && errors.Is(err, sentinel) {
					t.Errorf("error %q is %v, want it not to be", err, sentinel)
				}
			}
			t.Log(err)
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if strings.Contains(err.Error(), opts.Token) {
				t.Errorf("error %q shows the token", err)
			}
			if n := len(srv.PullRequests()); n != 0 {
				t.Errorf("GitHub has %d pull requests, want none", n)
			}
		})
	}
}

func TestNoRetry(t *testing.T) {
	srv := githubfake.New(t)
	srv.Inject(githubfake.Fault{Kind: githubfake.SecondaryRateLimited, Method: "POST", Path: pullsPath, Times: 1})
	c := newClient(t, srv, nil)

	if _, _, err := c.Ensure(context.Background(), driftSpec("prod", "drift")); err == nil {
		t.Fatal("Ensure succeeded, want the rate limit error")
	}
	if got := srv.Writes(); len(got) != 1 {
		t.Errorf("write requests = %v, want the one refused create and no retry", got)
	}
}

func TestBaseURL(t *testing.T) {
	srv := githubfake.New(t)
	root := strings.TrimSuffix(srv.URL(), "api/v3/")
	tests := []struct {
		name    string
		baseURL string
	}{
		{name: "API root with /api/v3/", baseURL: srv.URL()},
		{name: "API root without trailing slash", baseURL: strings.TrimSuffix(srv.URL(), "/")},
		{name: "host only, as for GitHub Enterprise", baseURL: root},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := githubpr.New(githubpr.Options{Token: githubfake.Token, BaseURL: tt.baseURL, Repository: srv.Repository()})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			// The fake fails the test for any request outside /api/v3/.
			if _, err := c.Find(context.Background(), "kongsnap/drift/prod", "env/prod"); err != nil {
				t.Errorf("Find: %v", err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		opts githubpr.Options
		want string
	}{
		{name: "no token", opts: githubpr.Options{Repository: "acme/gw"}, want: "GITHUB_TOKEN"},
		{name: "repository without owner", opts: githubpr.Options{Token: "t", Repository: "gw"}, want: `"owner/name"`},
		{name: "repository with extra part", opts: githubpr.Options{Token: "t", Repository: "acme/gw/x"}, want: `"acme/gw/x"`},
		{name: "empty name", opts: githubpr.Options{Token: "t", Repository: "acme/"}, want: `"acme/"`},
		{name: "bad base URL", opts: githubpr.Options{Token: "t", Repository: "acme/gw", BaseURL: "http://[::1"}, want: "base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := githubpr.New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

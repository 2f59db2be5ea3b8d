package githubfake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kongsnap/kongsnap/githubpr/githubfake"
)

// call sends one request to the fake with its token and decodes the JSON answer.
func call(t *testing.T, srv *githubfake.Server, method, path, body string) (int, any) {
	t.Helper()
	return callAs(t, srv, "Bearer "+githubfake.Token, method, path, body)
}

func callAs(t *testing.T, srv *githubfake.Server, auth, method, path, body string) (int, any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, path, err)
	}
	return resp.StatusCode, out
}

const pulls = "/repos/kongsnap-test/gateways/pulls"

func openPull(t *testing.T, srv *githubfake.Server, head, base string) {
	t.Helper()
	body := fmt.Sprintf(`{"title":"t","head":%q,"base":%q,"body":"b"}`, head, base)
	if status, out := call(t, srv, "POST", pulls, body); status != http.StatusCreated {
		t.Fatalf("creating pull request %s → %s: %d %v", head, base, status, out)
	}
}

func numbers(t *testing.T, list any) []int {
	t.Helper()
	items, ok := list.([]any)
	if !ok {
		t.Fatalf("answer %v is not a list", list)
	}
	var ns []int
	for _, item := range items {
		ns = append(ns, int(item.(map[string]any)["number"].(float64)))
	}
	return ns
}

func TestListFilters(t *testing.T) {
	srv := githubfake.New(t)
	openPull(t, srv, "kongsnap/drift/prod", "env/prod")
	openPull(t, srv, "kongsnap-test:hotfix", "env/prod")
	openPull(t, srv, "kongsnap/drift/staging", "env/staging")
	srv.Merge(3)

	tests := []struct {
		name  string
		query string
		want  []int
	}{
		{name: "open by default, newest first", query: "", want: []int{2, 1}},
		{name: "owner:branch head filter", query: "?head=kongsnap-test:kongsnap/drift/prod", want: []int{1}},
		{name: "bare branch head filter is ignored, as on GitHub", query: "?head=kongsnap/drift/prod&base=env/prod", want: []int{2, 1}},
		{name: "head of another owner matches nothing", query: "?head=someone:kongsnap/drift/prod", want: nil},
		{name: "base filter", query: "?base=env/staging", want: nil},
		{name: "closed", query: "?state=closed", want: []int{3}},
		{name: "all, one per page", query: "?state=all&per_page=1&page=2", want: []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := call(t, srv, "GET", pulls+tt.query, "")
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, out)
			}
			if got := numbers(t, out); !slices.Equal(got, tt.want) {
				t.Errorf("numbers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPullShapes(t *testing.T) {
	srv := githubfake.New(t)
	srv.SetBranch("kongsnap/drift/prod", "1111111111111111111111111111111111111111")
	openPull(t, srv, "kongsnap/drift/prod", "env/prod")

	_, list := call(t, srv, "GET", pulls+"?state=all", "")
	listed := list.([]any)[0].(map[string]any)
	if _, ok := listed["merged"]; ok {
		t.Errorf("listed pull request has \"merged\"; GitHub sends it only for a single pull request")
	}
	head := listed["head"].(map[string]any)
	if head["ref"] != "kongsnap/drift/prod" || head["label"] != "kongsnap-test:kongsnap/drift/prod" ||
		head["sha"] != "1111111111111111111111111111111111111111" {
		t.Errorf("head = %v", head)
	}

	srv.Merge(1)
	status, single := call(t, srv, "GET", pulls+"/1", "")
	got := single.(map[string]any)
	if status != http.StatusOK || got["merged"] != true || got["state"] != "closed" || got["merged_at"] == nil {
		t.Errorf("merged pull request = %d %v", status, got)
	}
}

func TestCreateValidation(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // a message GitHub gives
	}{
		{name: "already exists", body: `{"title":"t","head":"drift","base":"main"}`, want: "A pull request already exists for kongsnap-test:drift."},
		{name: "no title", body: `{"head":"other","base":"main"}`, want: "missing_field"},
		{name: "head equals base", body: `{"title":"t","head":"main","base":"main"}`, want: "No commits between main and main"},
		{name: "body too long", body: `{"title":"t","head":"other","base":"main","body":"` + strings.Repeat("x", 65537) + `"}`,
			want: "body is too long (maximum is 65536 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubfake.New(t)
			openPull(t, srv, "drift", "main")
			status, out := call(t, srv, "POST", pulls, tt.body)
			text, _ := json.Marshal(out)
			if status != http.StatusUnprocessableEntity || !strings.Contains(string(text), tt.want) {
				t.Errorf("answer = %d %s, want 422 saying %q", status, text, tt.want)
			}
			if n := len(srv.PullRequests()); n != 1 {
				t.Errorf("%d pull requests, want 1", n)
			}
		})
	}
}

func TestLabelsAreCreatedAndMatchedIgnoringCase(t *testing.T) {
	srv := githubfake.New(t)
	openPull(t, srv, "a", "main")
	openPull(t, srv, "b", "main")
	call(t, srv, "POST", "/repos/kongsnap-test/gateways/issues/1/labels", `["Kongsnap:Drift"]`)
	status, out := call(t, srv, "POST", "/repos/kongsnap-test/gateways/issues/2/labels", `{"labels":["kongsnap:drift","env:prod"]}`)
	if status != http.StatusOK {
		t.Fatalf("adding labels: %d %v", status, out)
	}
	if got := srv.PullRequests()[1].Labels; !slices.Equal(got, []string{"Kongsnap:Drift", "env:prod"}) {
		t.Errorf("labels = %q, want the repository's existing spelling and the new label", got)
	}
}

func TestAuthAndRepository(t *testing.T) {
	tests := []struct {
		name       string
		auth       string
		path       string
		wantStatus int
		wantMsg    string
	}{
		{name: "no token", path: pulls, wantStatus: 401, wantMsg: "Requires authentication"},
		{name: "wrong token", auth: "Bearer nope", path: pulls, wantStatus: 401, wantMsg: "Bad credentials"},
		{name: "classic token header", auth: "token " + githubfake.Token, path: pulls, wantStatus: 200},
		{name: "other repository", auth: "Bearer " + githubfake.Token, path: "/repos/someone/else/pulls", wantStatus: 404, wantMsg: "Not Found"},
		{name: "missing pull request", auth: "Bearer " + githubfake.Token, path: pulls + "/9", wantStatus: 404, wantMsg: "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubfake.New(t)
			status, out := callAs(t, srv, tt.auth, "GET", tt.path, "")
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d (%v)", status, tt.wantStatus, out)
			}
			if tt.wantMsg != "" {
				if m, _ := out.(map[string]any); m["message"] != tt.wantMsg {
					t.Errorf("answer = %v, want message %q", out, tt.wantMsg)
				}
			}
		})
	}
}

func TestFaults(t *testing.T) {
	srv := githubfake.New(t)
	srv.Inject(githubfake.Fault{Kind: githubfake.RateLimited, Method: "GET", Path: pulls, Times: 1})

	req, _ := http.NewRequest("GET", srv.URL()+strings.TrimPrefix(pulls, "/"), nil)
	req.Header.Set("Authorization", "Bearer "+githubfake.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("rate limited answer = %d %v", resp.StatusCode, resp.Header)
	}
	if status, _ := call(t, srv, "GET", pulls, ""); status != 200 {
		t.Errorf("second request: status %d, want 200 once the fault is used up", status)
	}
	want := []githubfake.Request{{Method: "GET", Path: pulls}, {Method: "GET", Path: pulls}}
	if got := srv.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
}

// recorder is a testing.TB that keeps the fake's complaints instead of failing the test.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestUnservedRequestsFailTheTest(t *testing.T) {
	tests := []struct {
		name string
		url  func(*githubfake.Server) string
		want string
	}{
		{
			name: "absolute path outside the API prefix",
			url: func(s *githubfake.Server) string {
				return strings.TrimSuffix(s.URL(), "api/v3/") + "repos/kongsnap-test/gateways/pulls"
			},
			want: "outside the API prefix",
		},
		{
			name: "endpoint the fake does not serve",
			url:  func(s *githubfake.Server) string { return s.URL() + "repos/kongsnap-test/gateways/issues" },
			want: "not an endpoint the fake serves",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			srv := githubfake.New(rec)
			req, _ := http.NewRequest("GET", tt.url(srv), nil)
			req.Header.Set("Authorization", "Bearer "+githubfake.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if resp.StatusCode != 404 || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], tt.want) {
				t.Errorf("status %d, complaints %q; want 404 and one complaint saying %q", resp.StatusCode, rec.errors, tt.want)
			}
		})
	}
}

func TestIssueCommentEventPayload(t *testing.T) {
	srv := githubfake.New(t)
	openPull(t, srv, "kongsnap/drift/prod", "kong/prod")
	srv.SetPermission("alice", "write")
	var ev map[string]any
	if err := json.Unmarshal(srv.UserComment(1, "alice", "/kongsnap plan"), &ev); err != nil {
		t.Fatal(err)
	}
	get := func(path ...string) any {
		var v any = ev
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: %v is not an object", path, v)
			}
			v = m[p]
		}
		return v
	}
	for _, tt := range []struct {
		path []string
		want any
	}{
		{[]string{"action"}, "created"},
		{[]string{"issue", "number"}, float64(1)},
		{[]string{"issue", "state"}, "open"},
		{[]string{"comment", "body"}, "/kongsnap plan"},
		{[]string{"comment", "user", "login"}, "alice"},
		{[]string{"comment", "author_association"}, "COLLABORATOR"},
		{[]string{"repository", "full_name"}, "kongsnap-test/gateways"},
		{[]string{"sender", "login"}, "alice"},
	} {
		if got := get(tt.path...); got != tt.want {
			t.Errorf("%s = %v, want %v", strings.Join(tt.path, "."), got, tt.want)
		}
	}
	// GitHub marks an issue that is a pull request with a pull_request object holding its URLs.
	if url, _ := get("issue", "pull_request", "url").(string); !strings.HasSuffix(url, "/repos/kongsnap-test/gateways/pulls/1") {
		t.Errorf("issue.pull_request.url = %v", url)
	}
	if id, _ := get("comment", "id").(float64); id == 0 {
		t.Error("comment.id missing")
	}
}

func TestMergeReviewersReactionsPermissions(t *testing.T) {
	srv := githubfake.New(t)
	openPull(t, srv, "kongsnap/drift/prod", "kong/prod")
	srv.SetBranch("kongsnap/drift/prod", "aaaa")
	srv.SetPermission("alice", "maintain")
	srv.AddTeam("owners")
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"reviewer who is no collaborator", "POST", pulls + "/1/requested_reviewers", `{"reviewers":["mallory"]}`, 422},
		{"the author cannot review", "POST", pulls + "/1/requested_reviewers", `{"reviewers":["kongsnap-bot"]}`, 422},
		{"unknown team", "POST", pulls + "/1/requested_reviewers", `{"team_reviewers":["nobody"]}`, 422},
		{"collaborator and team", "POST", pulls + "/1/requested_reviewers", `{"reviewers":["alice"],"team_reviewers":["owners"]}`, 201},
		{"permission of a maintainer", "GET", "/repos/kongsnap-test/gateways/collaborators/alice/permission", "", 200},
		{"permission of a stranger", "GET", "/repos/kongsnap-test/gateways/collaborators/bob/permission", "", 404},
		{"reaction to a missing comment", "POST", "/repos/kongsnap-test/gateways/issues/comments/999/reactions", `{"content":"eyes"}`, 404},
		{"merge of a moved head", "PUT", pulls + "/1/merge", `{"sha":"bbbb"}`, 409},
		{"bad merge method", "PUT", pulls + "/1/merge", `{"merge_method":"octopus"}`, 422},
		{"merge", "PUT", pulls + "/1/merge", `{"sha":"aaaa","merge_method":"merge"}`, 200},
		{"merge twice", "PUT", pulls + "/1/merge", `{}`, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, out := call(t, srv, tt.method, tt.path, tt.body); status != tt.want {
				t.Errorf("%s %s: %d %v, want %d", tt.method, tt.path, status, out, tt.want)
			}
		})
	}
	_, out := call(t, srv, "GET", "/repos/kongsnap-test/gateways/collaborators/alice/permission", "")
	if m := out.(map[string]any); m["permission"] != "write" || m["role_name"] != "maintain" {
		t.Errorf("maintainer permission = %v (GitHub folds maintain into write in the legacy field)", m)
	}
	pr := srv.PullRequests()[0]
	if !pr.Merged || !slices.Equal(pr.RequestedReviewers, []string{"alice"}) || !slices.Equal(pr.RequestedTeams, []string{"owners"}) {
		t.Errorf("pull request = %+v", pr)
	}
}

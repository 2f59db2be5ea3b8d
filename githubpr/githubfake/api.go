package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// handle routes pattern to h for the fake's repository only; every other repository is "Not Found", as
// GitHub answers for a repository the token cannot see. Handlers run with s.mu held.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.PathValue("owner"), Owner) || !strings.EqualFold(r.PathValue("repo"), Name) {
			writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
			return
		}
		h(w, r)
	})
}

func (s *Server) listPulls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "":
		state = "open"
	case "open", "closed", "all":
	default:
		writeValidation(w, validation{Resource: "PullRequest", Field: "state", Code: "invalid"})
		return
	}
	// GitHub filters by head only in the "owner:branch" form and silently ignores a bare branch name.
	headOwner, head, headFilter := strings.Cut(q.Get("head"), ":")
	base := q.Get("base")

	var found []*pull
	for _, p := range slices.Backward(s.pulls) { // newest first, GitHub's default order
		switch {
		case state != "all" && p.State != state:
		case headFilter && (!strings.EqualFold(headOwner, Owner) || p.Head != head):
		case base != "" && p.Base != base:
		default:
			found = append(found, p)
		}
	}
	perPage, page := intParam(q.Get("per_page"), 30), intParam(q.Get("page"), 1)
	perPage = min(perPage, 100)
	start := min((page-1)*perPage, len(found))
	end := min(start+perPage, len(found))

	out := make([]pullJSON, 0, end-start)
	for _, p := range found[start:end] {
		out = append(out, s.pullJSON(p, false))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	p := s.pathPull(w, r)
	if p == nil {
		return
	}
	writeJSON(w, http.StatusOK, s.pullJSON(p, true))
}

func (s *Server) createPull(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title *string `json:"title"`
		Head  string  `json:"head"`
		Base  string  `json:"base"`
		Body  string  `json:"body"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	switch {
	case in.Title == nil || *in.Title == "":
		writeValidation(w, validation{Resource: "PullRequest", Field: "title", Code: "missing_field"})
		return
	case in.Head == "":
		writeValidation(w, validation{Resource: "PullRequest", Field: "head", Code: "missing_field"})
		return
	case in.Base == "":
		writeValidation(w, validation{Resource: "PullRequest", Field: "base", Code: "missing_field"})
		return
	}
	head := in.Head
	if owner, branch, ok := strings.Cut(in.Head, ":"); ok {
		if !strings.EqualFold(owner, Owner) {
			writeValidation(w, validation{Resource: "PullRequest", Field: "head", Code: "invalid"})
			return
		}
		head = branch
	}
	if head == in.Base {
		writeValidation(w, validation{Resource: "PullRequest", Code: "custom",
			Message: fmt.Sprintf("No commits between %s and %s", in.Base, head)})
		return
	}
	if tooLong(in.Body) {
		writeValidation(w, bodyTooLong("Issue"))
		return
	}
	for _, p := range s.pulls {
		if p.State == "open" && p.Head == head && p.Base == in.Base {
			writeValidation(w, validation{Resource: "PullRequest", Code: "custom",
				Message: fmt.Sprintf("A pull request already exists for %s:%s.", Owner, head)})
			return
		}
	}
	now := time.Now()
	p := &pull{
		PullRequest: PullRequest{
			Number:  len(s.pulls) + 1,
			Title:   *in.Title,
			Body:    in.Body,
			Head:    head,
			Base:    in.Base,
			HeadSHA: s.branches[head],
			State:   "open",
		},
		created: now,
		updated: now,
	}
	s.pulls = append(s.pulls, p)
	w.Header().Set("Location", s.apiURL("pulls/%d", p.Number))
	writeJSON(w, http.StatusCreated, s.pullJSON(p, true))
}

func (s *Server) editPull(w http.ResponseWriter, r *http.Request) {
	p := s.pathPull(w, r)
	if p == nil {
		return
	}
	var in struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.State != nil && *in.State != "open" && *in.State != "closed" {
		writeValidation(w, validation{Resource: "PullRequest", Field: "state", Code: "invalid"})
		return
	}
	if in.Body != nil && tooLong(*in.Body) {
		writeValidation(w, bodyTooLong("Issue"))
		return
	}
	now := time.Now()
	if in.Title != nil {
		p.Title = *in.Title
	}
	if in.Body != nil {
		p.Body = *in.Body
	}
	if in.Base != nil {
		p.Base = *in.Base
	}
	if in.State != nil && *in.State != p.State && !p.Merged {
		p.State = *in.State
		if p.State == "closed" {
			p.closed = now
		} else {
			p.closed = time.Time{}
		}
	}
	p.updated = now
	writeJSON(w, http.StatusOK, s.pullJSON(p, true))
}

// addLabels adds labels to a pull request's issue. Like GitHub, it creates a label the repository does not
// have yet, and matches existing labels ignoring case.
func (s *Server) addLabels(w http.ResponseWriter, r *http.Request) {
	p := s.pathPull(w, r)
	if p == nil {
		return
	}
	var raw json.RawMessage
	if !readJSON(w, r, &raw) {
		return
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		var wrapped struct {
			Labels []string `json:"labels"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			writeError(w, http.StatusUnprocessableEntity, "Invalid request.", "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue")
			return
		}
		names = wrapped.Labels
	}
	for _, name := range names {
		name = s.repoLabel(name)
		if !slices.ContainsFunc(p.Labels, func(l string) bool { return strings.EqualFold(l, name) }) {
			p.Labels = append(p.Labels, name)
		}
	}
	p.updated = time.Now()
	out := make([]labelJSON, 0, len(p.Labels))
	for _, name := range p.Labels {
		out = append(out, s.labelJSON(name))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	p := s.pathPull(w, r)
	if p == nil {
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.Body == "" {
		writeValidation(w, validation{Resource: "IssueComment", Field: "body", Code: "missing_field"})
		return
	}
	if tooLong(in.Body) {
		writeValidation(w, bodyTooLong("IssueComment"))
		return
	}
	s.comments[p.Number] = append(s.comments[p.Number], in.Body)
	s.nextID++
	id := s.nextID
	now := timestamp(time.Now())
	writeJSON(w, http.StatusCreated, commentJSON{
		ID:                id,
		NodeID:            fmt.Sprintf("IC_fake%d", id),
		URL:               s.apiURL("issues/comments/%d", id),
		HTMLURL:           s.webURL("pull/%d#issuecomment-%d", p.Number, id),
		IssueURL:          s.apiURL("issues/%d", p.Number),
		Body:              in.Body,
		User:              botUser(),
		CreatedAt:         now,
		UpdatedAt:         now,
		AuthorAssociation: "NONE",
	})
}

// pathPull returns the pull request named by the {number} path value, or answers 404 and returns nil.
func (s *Server) pathPull(w http.ResponseWriter, r *http.Request) *pull {
	n, err := strconv.Atoi(r.PathValue("number"))
	if p := s.pull(n); err == nil && p != nil {
		return p
	}
	writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
	return nil
}

func (s *Server) pull(number int) *pull {
	if number < 1 || number > len(s.pulls) {
		return nil
	}
	return s.pulls[number-1]
}

// repoLabel returns the repository's spelling of label name, creating the label when it is new.
func (s *Server) repoLabel(name string) string {
	key := strings.ToLower(name)
	if l, ok := s.labels[key]; ok {
		return l.name
	}
	s.nextID++
	s.labels[key] = label{id: s.nextID, name: name}
	return name
}

func tooLong(body string) bool { return utf8.RuneCountInString(body) > maxBody }

func bodyTooLong(resource string) validation {
	return validation{Resource: resource, Field: "body", Code: "custom",
		Message: fmt.Sprintf("body is too long (maximum is %d characters)", maxBody)}
}

func intParam(v string, fallback int) int {
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return n
	}
	return fallback
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON", "https://docs.github.com/rest")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message, docs string) {
	writeJSON(w, status, errorJSON{Message: message, DocumentationURL: docs, Status: strconv.Itoa(status)})
}

type validation struct {
	Resource string `json:"resource"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

func writeValidation(w http.ResponseWriter, v validation) {
	writeJSON(w, http.StatusUnprocessableEntity, errorJSON{
		Message:          "Validation Failed",
		Errors:           []validation{v},
		DocumentationURL: "https://docs.github.com/rest/pulls/pulls",
		Status:           "422",
	})
}

type errorJSON struct {
	Message          string       `json:"message"`
	Errors           []validation `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status"`
}

type userJSON struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
}

func botUser() userJSON {
	return userJSON{Login: "kongsnap-bot", ID: 41, NodeID: "U_fake41", Type: "User"}
}

type repoJSON struct {
	ID       int64    `json:"id"`
	NodeID   string   `json:"node_id"`
	Name     string   `json:"name"`
	FullName string   `json:"full_name"`
	Private  bool     `json:"private"`
	Owner    userJSON `json:"owner"`
	HTMLURL  string   `json:"html_url"`
	URL      string   `json:"url"`
}

type refJSON struct {
	Label string   `json:"label"`
	Ref   string   `json:"ref"`
	SHA   string   `json:"sha"`
	User  userJSON `json:"user"`
	Repo  repoJSON `json:"repo"`
}

type labelJSON struct {
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	URL         string  `json:"url"`
	Name        string  `json:"name"`
	Color       string  `json:"color"`
	Default     bool    `json:"default"`
	Description *string `json:"description"`
}

type commentJSON struct {
	ID                int64    `json:"id"`
	NodeID            string   `json:"node_id"`
	URL               string   `json:"url"`
	HTMLURL           string   `json:"html_url"`
	IssueURL          string   `json:"issue_url"`
	Body              string   `json:"body"`
	User              userJSON `json:"user"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
	AuthorAssociation string   `json:"author_association"`
}

// pullJSON is GitHub's pull request object. The fields after Base are sent only by the single pull request
// endpoint, not by the list, as on GitHub.
type pullJSON struct {
	URL               string      `json:"url"`
	ID                int64       `json:"id"`
	NodeID            string      `json:"node_id"`
	HTMLURL           string      `json:"html_url"`
	IssueURL          string      `json:"issue_url"`
	Number            int         `json:"number"`
	State             string      `json:"state"`
	Locked            bool        `json:"locked"`
	Title             string      `json:"title"`
	User              userJSON    `json:"user"`
	Body              *string     `json:"body"`
	Labels            []labelJSON `json:"labels"`
	CreatedAt         string      `json:"created_at"`
	UpdatedAt         string      `json:"updated_at"`
	ClosedAt          *string     `json:"closed_at"`
	MergedAt          *string     `json:"merged_at"`
	Draft             bool        `json:"draft"`
	AuthorAssociation string      `json:"author_association"`
	Head              refJSON     `json:"head"`
	Base              refJSON     `json:"base"`

	Merged         *bool   `json:"merged,omitempty"`
	MergeableState *string `json:"mergeable_state,omitempty"`
	Comments       *int    `json:"comments,omitempty"`
}

func (s *Server) pullJSON(p *pull, single bool) pullJSON {
	out := pullJSON{
		URL:               s.apiURL("pulls/%d", p.Number),
		ID:                int64(7000 + p.Number),
		NodeID:            fmt.Sprintf("PR_fake%d", p.Number),
		HTMLURL:           s.webURL("pull/%d", p.Number),
		IssueURL:          s.apiURL("issues/%d", p.Number),
		Number:            p.Number,
		State:             p.State,
		Title:             p.Title,
		User:              botUser(),
		Labels:            []labelJSON{},
		CreatedAt:         timestamp(p.created),
		UpdatedAt:         timestamp(p.updated),
		ClosedAt:          optionalTimestamp(p.closed),
		MergedAt:          optionalTimestamp(p.mergedAt),
		AuthorAssociation: "NONE",
		Head:              s.refJSON(p.Head, p.HeadSHA),
		Base:              s.refJSON(p.Base, s.branches[p.Base]),
	}
	if p.Body != "" { // GitHub sends null for an empty body
		out.Body = &p.Body
	}
	for _, name := range p.Labels {
		out.Labels = append(out.Labels, s.labelJSON(name))
	}
	if single {
		merged, comments := p.Merged, len(s.comments[p.Number])
		mergeable := "clean"
		if p.State != "open" {
			mergeable = "unknown"
		}
		out.Merged, out.MergeableState, out.Comments = &merged, &mergeable, &comments
	}
	return out
}

func (s *Server) refJSON(branch, sha string) refJSON {
	owner := userJSON{Login: Owner, ID: 40, NodeID: "O_fake40", Type: "Organization"}
	return refJSON{
		Label: Owner + ":" + branch,
		Ref:   branch,
		SHA:   sha,
		User:  owner,
		Repo: repoJSON{
			ID:       4000,
			NodeID:   "R_fake4000",
			Name:     Name,
			FullName: Owner + "/" + Name,
			Private:  true,
			Owner:    owner,
			HTMLURL:  s.srv.URL + "/" + Owner + "/" + Name,
			URL:      s.srv.URL + prefix + "/repos/" + Owner + "/" + Name,
		},
	}
}

func (s *Server) labelJSON(name string) labelJSON {
	id := s.labels[strings.ToLower(name)].id
	return labelJSON{
		ID:     id,
		NodeID: fmt.Sprintf("LA_fake%d", id),
		URL:    s.apiURL("labels/%s", name),
		Name:   name,
		Color:  "ededed", // the colour GitHub gives a label created by adding it to an issue
	}
}

// apiURL is the API address of a path under the repository, e.g. "pulls/1".
func (s *Server) apiURL(format string, args ...any) string {
	return s.srv.URL + prefix + "/repos/" + Owner + "/" + Name + "/" + fmt.Sprintf(format, args...)
}

// webURL is the web address of a path under the repository, e.g. "pull/1".
func (s *Server) webURL(format string, args ...any) string {
	return s.srv.URL + "/" + Owner + "/" + Name + "/" + fmt.Sprintf(format, args...)
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optionalTimestamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	ts := timestamp(t)
	return &ts
}

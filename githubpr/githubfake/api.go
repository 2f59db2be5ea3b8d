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
	c := s.addComment(p, BotLogin, in.Body)
	writeJSON(w, http.StatusCreated, s.commentJSON(p, c))
}

func (s *Server) addComment(p *pull, login, body string) *comment {
	s.nextID++
	c := &comment{Comment: Comment{ID: s.nextID, User: login, Body: body}, number: p.Number, created: time.Now()}
	s.comments[p.Number] = append(s.comments[p.Number], c)
	p.updated = c.created
	return c
}

// mergePull merges as GitHub's merge button does, refusing what GitHub refuses: a pull request that is not open
// or not mergeable (405), and a head that moved since the caller looked (409).
func (s *Server) mergePull(w http.ResponseWriter, r *http.Request) {
	p := s.pathPull(w, r)
	if p == nil {
		return
	}
	var in struct {
		SHA         string `json:"sha"`
		MergeMethod string `json:"merge_method"`
		CommitTitle string `json:"commit_title"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	switch {
	case in.MergeMethod != "" && in.MergeMethod != "merge" && in.MergeMethod != "squash" && in.MergeMethod != "rebase":
		writeValidation(w, validation{Resource: "PullRequest", Field: "merge_method", Code: "invalid"})
		return
	case p.State != "open":
		writeError(w, http.StatusMethodNotAllowed, "Pull Request is not mergeable",
			"https://docs.github.com/rest/pulls/pulls#merge-a-pull-request")
		return
	case in.SHA != "" && in.SHA != p.HeadSHA:
		writeError(w, http.StatusConflict, "Head branch was modified. Review and try the merge again.",
			"https://docs.github.com/rest/pulls/pulls#merge-a-pull-request")
		return
	}
	sha := fmt.Sprintf("%040x", 0xfade0000+p.Number)
	if s.onMerge != nil {
		got, err := s.onMerge(p.PullRequest)
		if err != nil {
			writeError(w, http.StatusMethodNotAllowed, "Pull Request is not mergeable",
				"https://docs.github.com/rest/pulls/pulls#merge-a-pull-request")
			return
		}
		sha = got
	}
	now := time.Now()
	p.State, p.Merged, p.mergedAt, p.closed, p.updated = "closed", true, now, now, now
	writeJSON(w, http.StatusOK, map[string]any{"sha": sha, "merged": true, "message": "Pull Request successfully merged"})
}

// requestReviewers asks collaborators and teams for a review. Like GitHub it refuses the author and anyone who
// is not a collaborator, as one 422 for the whole request.
func (s *Server) requestReviewers(w http.ResponseWriter, r *http.Request) {
	p := s.pathPull(w, r)
	if p == nil {
		return
	}
	var in struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	notCollaborator := validation{Resource: "PullRequest", Code: "custom", Message: fmt.Sprintf("Reviews may only "+
		"be requested from collaborators. One or more of the users or teams you specified is not a collaborator "+
		"of the %s/%s repository.", Owner, Name)}
	for _, login := range in.Reviewers {
		if strings.EqualFold(login, BotLogin) {
			writeValidation(w, validation{Resource: "PullRequest", Code: "custom",
				Message: "Review cannot be requested from pull request author."})
			return
		}
		if perm, ok := s.perms[strings.ToLower(login)]; !ok || perm == "none" {
			writeValidation(w, notCollaborator)
			return
		}
	}
	for _, slug := range in.TeamReviewers {
		if !s.teams[strings.ToLower(slug)] {
			writeValidation(w, notCollaborator)
			return
		}
	}
	for _, login := range in.Reviewers {
		if !slices.Contains(p.RequestedReviewers, login) {
			p.RequestedReviewers = append(p.RequestedReviewers, login)
		}
	}
	for _, slug := range in.TeamReviewers {
		if !slices.Contains(p.RequestedTeams, slug) {
			p.RequestedTeams = append(p.RequestedTeams, slug)
		}
	}
	p.updated = time.Now()
	writeJSON(w, http.StatusCreated, s.pullJSON(p, true))
}

var reactionContents = []string{"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}

// createReaction reacts as the token's user: 201 for a new reaction, 200 when that user already reacted so.
func (s *Server) createReaction(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var c *comment
	for _, list := range s.comments {
		for _, cc := range list {
			if err == nil && cc.ID == id {
				c = cc
			}
		}
	}
	if c == nil {
		writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/reactions/reactions")
		return
	}
	var in struct {
		Content string `json:"content"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if !slices.Contains(reactionContents, in.Content) {
		writeValidation(w, validation{Resource: "Reaction", Field: "content", Code: "invalid"})
		return
	}
	status := http.StatusOK
	if !slices.Contains(c.Reactions, in.Content) {
		c.Reactions = append(c.Reactions, in.Content)
		status = http.StatusCreated
	}
	s.nextID++
	writeJSON(w, status, map[string]any{
		"id": s.nextID, "node_id": fmt.Sprintf("REA_fake%d", s.nextID), "user": botUser(), "content": in.Content,
		"created_at": timestamp(time.Now()),
	})
}

// permission answers GitHub's collaborator permission check. The legacy permission field folds maintain into
// write and triage into read; role_name keeps the real role.
func (s *Server) permission(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("username")
	role, ok := s.perms[strings.ToLower(login)]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found",
			"https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user")
		return
	}
	legacy := map[string]string{"maintain": "write", "triage": "read"}[role]
	if legacy == "" {
		legacy = role
	}
	writeJSON(w, http.StatusOK, map[string]any{"permission": legacy, "role_name": role, "user": user(login, 100)})
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

func botUser() userJSON { return user(BotLogin, 41) }

func user(login string, id int64) userJSON {
	return userJSON{Login: login, ID: id, NodeID: fmt.Sprintf("U_fake%d", id), Type: "User"}
}

// commentJSON is GitHub's issue comment object.
func (s *Server) commentJSON(p *pull, c *comment) commentJSON {
	at := timestamp(c.created)
	association := "NONE"
	switch s.perms[strings.ToLower(c.User)] {
	case "admin", "maintain", "write", "triage", "read":
		association = "COLLABORATOR"
	}
	u := botUser()
	if c.User != BotLogin {
		u = user(c.User, 1000+int64(len(c.User)))
	}
	return commentJSON{
		ID:                c.ID,
		NodeID:            fmt.Sprintf("IC_fake%d", c.ID),
		URL:               s.apiURL("issues/comments/%d", c.ID),
		HTMLURL:           s.webURL("pull/%d#issuecomment-%d", p.Number, c.ID),
		IssueURL:          s.apiURL("issues/%d", p.Number),
		Body:              c.Body,
		User:              u,
		CreatedAt:         at,
		UpdatedAt:         at,
		AuthorAssociation: association,
	}
}

// commentEvent is the issue_comment "created" webhook payload for comment c: GitHub sends the pull request as an
// issue, with a pull_request object marking it as one, the repository and the sender.
func (s *Server) commentEvent(p *pull, c *comment) map[string]any {
	pj := s.pullJSON(p, false)
	issue := map[string]any{
		"url":                s.apiURL("issues/%d", p.Number),
		"repository_url":     s.srv.URL + prefix + "/repos/" + Owner + "/" + Name,
		"labels_url":         s.apiURL("issues/%d/labels{/name}", p.Number),
		"comments_url":       s.apiURL("issues/%d/comments", p.Number),
		"events_url":         s.apiURL("issues/%d/events", p.Number),
		"html_url":           pj.HTMLURL,
		"id":                 int64(9000 + p.Number),
		"node_id":            fmt.Sprintf("PR_fake%d", p.Number),
		"number":             p.Number,
		"title":              p.Title,
		"user":               pj.User,
		"labels":             pj.Labels,
		"state":              p.State,
		"locked":             false,
		"assignee":           nil,
		"assignees":          []any{},
		"milestone":          nil,
		"comments":           len(s.comments[p.Number]),
		"created_at":         pj.CreatedAt,
		"updated_at":         pj.UpdatedAt,
		"closed_at":          pj.ClosedAt,
		"author_association": "NONE",
		"active_lock_reason": nil,
		"draft":              false,
		"pull_request": map[string]any{
			"url":       pj.URL,
			"html_url":  pj.HTMLURL,
			"diff_url":  pj.HTMLURL + ".diff",
			"patch_url": pj.HTMLURL + ".patch",
			"merged_at": pj.MergedAt,
		},
		"body":                     pj.Body,
		"timeline_url":             s.apiURL("issues/%d/timeline", p.Number),
		"performed_via_github_app": nil,
		"state_reason":             nil,
	}
	cj := s.commentJSON(p, c)
	return map[string]any{
		"action":     "created",
		"issue":      issue,
		"comment":    cj,
		"repository": pj.Base.Repo,
		"sender":     cj.User,
	}
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

	RequestedReviewers []userJSON `json:"requested_reviewers"`
	RequestedTeams     []teamJSON `json:"requested_teams"`

	Merged         *bool   `json:"merged,omitempty"`
	MergeableState *string `json:"mergeable_state,omitempty"`
	Comments       *int    `json:"comments,omitempty"`
}

type teamJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
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
	out.RequestedReviewers, out.RequestedTeams = []userJSON{}, []teamJSON{}
	for _, login := range p.RequestedReviewers {
		out.RequestedReviewers = append(out.RequestedReviewers, user(login, 1000+int64(len(login))))
	}
	for i, slug := range p.RequestedTeams {
		out.RequestedTeams = append(out.RequestedTeams, teamJSON{ID: int64(500 + i), Slug: slug, Name: slug})
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

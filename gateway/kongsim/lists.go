package kongsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// Tag filter syntax from kong/api/endpoints.lua: printable ASCII except ',' and '/', or UTF-8.
var (
	tagsAnd = regexp.MustCompile(`^([\x20-\x2B\x2D\x2E\x30-\x7E\x{80}-\x{10FFFF}]+(?:,|$))+$`)
	tagsOr  = regexp.MustCompile(`^([\x20-\x2B\x2D\x2E\x30-\x7E\x{80}-\x{10FFFF}]+(?:/|$))+$`)
)

// pageOptions are a list request's validated size, offset and tag filter.
type pageOptions struct {
	size  int
	after string // id of the last row of the previous page
	tags  []string
	or    bool
}

// parsePage validates size, tags and offset in the order Kong does, with its error bodies.
func parsePage(q *request, withTags bool) (pageOptions, *apiError) {
	args := ngxDecodeArgs(q.URL.RawQuery)
	opts := pageOptions{size: defaultPageSize}
	raw, hasTags := args["tags"]
	if withTags && hasTags && raw[0] == "" {
		return opts, invalidOption("tags", "cannot be null")
	}
	if v, ok := args["size"]; ok {
		n, err := strconv.ParseFloat(strings.TrimSpace(v[0]), 64)
		if err != nil {
			return opts, dbError(codeInvalidSize, "size must be a number", nil)
		}
		if n < 1 || n > maxPageSize || n != math.Floor(n) {
			return opts, dbError(codeInvalidSize, "size must be an integer between 1 and 1000", nil)
		}
		opts.size = int(n)
	}
	if withTags && hasTags {
		tags := raw[0]
		switch {
		case tagsAnd.MatchString(tags):
			opts.tags = splitTags(tags, ",")
		case tagsOr.MatchString(tags):
			opts.tags, opts.or = splitTags(tags, "/"), true
		default:
			return opts, invalidOption("tags", "invalid filter syntax")
		}
		if len(opts.tags) > 5 {
			return opts, invalidOption("tags", "cannot query more than 5 tags")
		}
	}
	if token, ok := args["offset"]; ok {
		after, err := decodeOffset(token[0])
		if err != nil {
			return opts, err
		}
		opts.after = after
	}
	return opts, nil
}

func splitTags(s, sep string) []string {
	var out []string
	for _, t := range strings.Split(s, sep) {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// encodeOffset is Kong's offset token: unpadded standard base64 of the JSON array of the row's primary key.
func encodeOffset(id string) string {
	data, _ := json.Marshal([]string{id})
	return base64.RawStdEncoding.EncodeToString(data)
}

func decodeOffset(token string) (string, *apiError) {
	data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(token, "="))
	if err != nil {
		return "", invalidOffset(token, "bad base64 encoding")
	}
	var pk []any
	if err := json.Unmarshal(data, &pk); err != nil || len(pk) == 0 {
		return "", invalidOffset(token, "bad json encoding")
	}
	id, ok := pk[0].(string)
	if !ok {
		return "", invalidOffset(token, "bad json encoding")
	}
	return strings.ToLower(id), nil
}

func (o pageOptions) keep(r row) bool {
	if len(o.tags) == 0 {
		return true
	}
	have := map[string]bool{}
	if tags, ok := r["tags"].([]any); ok {
		for _, t := range tags {
			if s, ok := t.(string); ok {
				have[s] = true
			}
		}
	}
	for _, t := range o.tags {
		if have[t] == o.or {
			return o.or
		}
	}
	return !o.or
}

// list serves GET /{coll} and GET /{parent}/{p}/{coll}: keyset pages ordered by id.
func (s *Server) list(q *request, k *kind, parent *parentRef) (int, any) {
	opts, err := parsePage(q, parent == nil)
	if err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tables[k.name]
	ids := t.ids
	if parent != nil {
		p, err := s.lookupLocked(parent.kind, parent.key)
		if err != nil {
			return 0, err
		}
		if p == nil {
			return 0, errNotFound
		}
		ids = t.children(parent.field, p["id"].(string))
	}
	start := sort.SearchStrings(ids, opts.after)
	if opts.after != "" && start < len(ids) && ids[start] == opts.after {
		start++
	}
	data := make([]any, 0, min(opts.size, len(ids)-start))
	offset := ""
	for _, id := range ids[start:] {
		r := t.rows[id]
		if s.expired(t, r) || !opts.keep(r) {
			continue
		}
		if len(data) == opts.size {
			offset = encodeOffset(data[len(data)-1].(map[string]any)["id"].(string))
			break
		}
		data = append(data, s.present(k, r))
	}
	body := map[string]any{"data": data, "next": nil}
	if offset == "" {
		return http.StatusOK, body
	}
	body["offset"] = offset
	args := ngxDecodeArgs(q.URL.RawQuery)
	if parent == nil {
		next := "/" + k.path + "?offset=" + escapeURI(offset)
		if tags, ok := args["tags"]; ok {
			next += "&tags=" + escapeURI(tags[0])
		}
		if size, ok := args["size"]; ok {
			next += "&size=" + size[0]
		}
		body["next"] = next
	} else {
		body["next"] = fmt.Sprintf("/%s/%s/%s?offset=%s", parent.kind.path, parent.key, k.nestedName(), escapeURI(offset))
	}
	return http.StatusOK, body
}

// escapeURI is ngx.escape_uri: everything but unreserved characters percent-encoded.
func escapeURI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// targetRoutes serves /upstreams/{u}/targets[/all|/{t}] (kong/api/routes/upstreams.lua).
func (s *Server) targetRoutes(q *request) (int, any) {
	upstreams := s.byPath["upstreams"]
	targets := s.byPath["targets"]
	parent := &parentRef{kind: upstreams, key: q.segs[1], field: "upstream"}
	switch {
	case len(q.segs) == 3 && q.Method == http.MethodPost:
		return s.collectionRoute(q, targets, parent)
	case len(q.segs) == 3 && q.Method == http.MethodGet:
		return s.listTargets(q, parent)
	case len(q.segs) == 3:
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	case len(q.segs) == 4 && q.segs[3] == "all":
		return only(q, http.MethodGet, func(q *request) (int, any) {
			status, body := s.list(q, targets, parent)
			if m, ok := body.(map[string]any); ok && m["next"] != nil {
				m["next"] = fmt.Sprintf("/upstreams/%s/targets/all?offset=%s", parent.key, escapeURI(m["offset"].(string)))
			}
			return status, body
		})
	case len(q.segs) == 4:
		return s.targetEntity(q, parent)
	case (len(q.segs) == 5 || len(q.segs) == 6) && (q.segs[len(q.segs)-1] == "healthy" || q.segs[len(q.segs)-1] == "unhealthy"):
		return s.setTargetHealth(q, parent)
	}
	return http.StatusNotFound, errNotFound
}

// listTargets pages an upstream's targets newest first, with a numeric offset (kong/db/dao/targets.lua).
func (s *Server) listTargets(q *request, parent *parentRef) (int, any) {
	args := ngxDecodeArgs(q.URL.RawQuery)
	size := defaultPageSize
	if v, ok := args["size"]; ok {
		n, err := strconv.ParseFloat(strings.TrimSpace(v[0]), 64)
		if err != nil {
			return 0, dbError(codeInvalidSize, "size must be a number", nil)
		}
		size = int(math.Min(n, maxPageSize))
	}
	offset := 0
	if v, ok := args["offset"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return http.StatusInternalServerError, map[string]any{"message": "An unexpected error occurred"}
		}
		offset = n
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.lookupLocked(parent.kind, parent.key)
	if err != nil {
		return 0, err
	}
	if u == nil {
		return 0, errNotFound
	}
	t := s.tables["targets"]
	ids := t.children("upstream", u["id"].(string))
	all := make([]row, len(ids))
	for i, id := range ids {
		all[i] = t.rows[id]
	}
	sort.Slice(all, func(i, j int) bool { // newest first; ties by descending id
		ci, cj := all[i]["created_at"].(float64), all[j]["created_at"].(float64)
		if ci != cj {
			return ci > cj
		}
		return all[i]["id"].(string) > all[j]["id"].(string)
	})
	data := []any{}
	for i := offset; i < offset+size && i < len(all); i++ {
		data = append(data, all[i])
	}
	body := map[string]any{"data": data, "next": nil}
	if offset+size < len(all) && size > 0 {
		next := strconv.Itoa(offset + size)
		body["offset"] = next
		body["next"] = fmt.Sprintf("/upstreams/%s/targets?offset=%s", parent.key, next)
	}
	return http.StatusOK, body
}

// targetEntity serves /upstreams/{u}/targets/{id or target}; PUT and PATCH update an existing target only.
func (s *Server) targetEntity(q *request, parent *parentRef) (int, any) {
	var body map[string]any
	switch q.Method {
	case http.MethodGet, http.MethodDelete:
	case http.MethodPut, http.MethodPatch:
		var err *apiError
		if body, err = q.body(s.byPath["targets"]); err != nil {
			return 0, err
		}
	default:
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.lookupLocked(parent.kind, parent.key)
	if err != nil {
		return 0, err
	}
	if u == nil {
		return 0, errNotFound
	}
	t := s.tables["targets"]
	key := q.segs[3]
	var target row
	if schema.IsUUID(key) {
		target = t.rows[strings.ToLower(key)]
	} else {
		for _, id := range t.children("upstream", u["id"].(string)) {
			if t.rows[id]["target"] == key {
				target = t.rows[id]
			}
		}
	}
	if target == nil || foreignID(target["upstream"]) != u["id"] {
		return 0, errNotFound
	}
	switch q.Method {
	case http.MethodGet:
		return http.StatusOK, target
	case http.MethodDelete:
		t.remove(target["id"].(string))
		return http.StatusNoContent, nil
	}
	saved, err := s.updateLocked(t.kind, target, body)
	if err != nil {
		return 0, err
	}
	return http.StatusOK, saved
}

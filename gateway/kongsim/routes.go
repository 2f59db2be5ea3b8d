package kongsim

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

// route dispatches a request the way Kong's Lapis application does: fixed routes first, then the endpoints
// generated from every entity schema and its foreign keys. It returns the status and the body to encode.
func (s *Server) route(r *http.Request) (int, any) {
	segs, ok := pathSegments(r)
	if !ok {
		return http.StatusBadRequest, map[string]any{"message": "Bad request"}
	}
	q := &request{Request: r, segs: segs}
	if len(segs) == 0 {
		return only(q, http.MethodGet, s.handshake)
	}
	switch head := segs[0]; {
	case wasmRoute(segs):
		return 0, errWasmDisabled
	case head == "status" && len(segs) == 1:
		return only(q, http.MethodGet, s.status)
	case head == "status" && len(segs) == 2 && segs[1] == "dns":
		return only(q, http.MethodGet, func(*request) (int, any) {
			return http.StatusNotImplemented, map[string]any{"message": "not implemented with the legacy DNS client"}
		})
	case head == "tags" && len(segs) <= 2:
		return s.tags(q)
	case head == "endpoints" && len(segs) == 1:
		return only(q, http.MethodGet, s.endpointList)
	case head == "timers" && len(segs) == 1:
		return only(q, http.MethodGet, s.timers)
	case head == "schemas":
		return s.schemas(q)
	case head == "plugins" && len(segs) == 2 && segs[1] == "enabled":
		return only(q, http.MethodGet, s.enabledPlugins)
	case head == "targets":
		return http.StatusNotFound, errNotFound
	case enterpriseOnly[head]:
		return http.StatusNotFound, errNotFound
	}
	k, ok := s.byPath[segs[0]]
	if !ok {
		return http.StatusNotFound, errNotFound
	}
	if k.name == "upstreams" && len(segs) == 3 && segs[2] == "health" {
		return s.upstreamHealth(q)
	}
	if k.name == "upstreams" && len(segs) >= 3 && segs[2] == "targets" {
		return s.targetRoutes(q)
	}
	switch len(segs) {
	case 1:
		return s.collectionRoute(q, k, nil)
	case 2:
		return s.entityRoute(q, k, nil)
	case 3:
		if f := foreignFieldNamed(k, segs[2]); f != "" {
			return s.foreignEntityRoute(q, k, f)
		}
		if child, field := childNamed(k, segs[2]); child != nil {
			return s.collectionRoute(q, child, &parentRef{kind: k, key: segs[1], field: field})
		}
	case 4:
		if child, field := childNamed(k, segs[2]); child != nil {
			return s.entityRoute(q, child, &parentRef{kind: k, key: segs[1], field: field})
		}
	}
	return http.StatusNotFound, errNotFound
}

// pathSegments splits the escaped path and unescapes each segment, so a key may contain an escaped slash.
func pathSegments(r *http.Request) ([]string, bool) {
	p := strings.Trim(r.URL.EscapedPath(), "/")
	if p == "" {
		return nil, true
	}
	raw := strings.Split(p, "/")
	segs := make([]string, len(raw))
	for i, seg := range raw {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return nil, false
		}
		segs[i] = u
	}
	return segs, true
}

func only(q *request, method string, h func(*request) (int, any)) (int, any) {
	if q.Method != method {
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	return h(q)
}

// parentRef is the parent part of a nested path: /services/{key}/routes.
type parentRef struct {
	kind  *kind
	key   string
	field string // the child's foreign field pointing at the parent
}

func foreignFieldNamed(k *kind, name string) string {
	for _, f := range k.foreignFields() {
		if f.Name == name {
			return f.Name
		}
	}
	return ""
}

// childNamed finds the kind nested under parent as name, and its foreign field referencing parent.
func childNamed(parent *kind, name string) (*kind, string) {
	for _, k := range kindList {
		if k.nestedName() != name || k.name == "targets" {
			continue
		}
		for _, f := range k.foreignFields() {
			if f.Reference == parent.name {
				return k, f.Name
			}
		}
	}
	return nil, ""
}

func (s *Server) collectionRoute(q *request, k *kind, parent *parentRef) (int, any) {
	switch q.Method {
	case http.MethodGet:
		if k.name == "consumers" && parent == nil && ngxDecodeArgs(q.URL.RawQuery).Has("custom_id") {
			return s.consumerByCustomID(q)
		}
		return s.list(q, k, parent)
	case http.MethodPost:
		body, err := q.body(k)
		if err != nil {
			return 0, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if parent != nil {
			p, err := s.lookupLocked(parent.kind, parent.key)
			if err != nil {
				return 0, err
			}
			if p == nil {
				return 0, errNotFound
			}
			body[parent.field] = map[string]any{"id": p["id"]}
		}
		created, err := s.insertLocked(k, body)
		if err != nil {
			return 0, err
		}
		return http.StatusCreated, s.present(k, created)
	}
	return http.StatusMethodNotAllowed, errMethodNotAllowed
}

func (s *Server) entityRoute(q *request, k *kind, parent *parentRef) (int, any) {
	key := q.segs[len(q.segs)-1]
	var body map[string]any
	switch q.Method {
	case http.MethodGet, http.MethodDelete:
	case http.MethodPut, http.MethodPatch:
		var err *apiError
		if body, err = q.body(k); err != nil {
			return 0, err
		}
	default:
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	if q.Method == http.MethodGet {
		s.mu.RLock()
		defer s.mu.RUnlock()
	} else {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	var p row
	if parent != nil {
		var err *apiError
		if p, err = s.lookupLocked(parent.kind, parent.key); err != nil {
			return 0, err
		}
		if p == nil {
			return 0, errNotFound
		}
	}
	if k.name == "acls" && parent != nil {
		id, err := s.aclByGroupLocked(q, p, body)
		if err != nil {
			return 0, err
		}
		key = id
	}
	if k.name == "certificates" {
		id, err := s.certificateKey(q.Method, key, body)
		if err != nil {
			return 0, err
		}
		key = id
	}
	if q.Method == http.MethodPut {
		if parent != nil {
			body[parent.field] = map[string]any{"id": p["id"]}
		}
		saved, err := s.upsertLocked(k, key, body)
		if err != nil {
			return 0, err
		}
		return http.StatusOK, s.present(k, saved)
	}
	existing, err := s.lookupLocked(k, key)
	if err != nil {
		return 0, err
	}
	if existing != nil && parent != nil && foreignID(existing[parent.field]) != p["id"] {
		existing = nil
	}
	switch q.Method {
	case http.MethodGet:
		if existing == nil {
			return 0, errNotFound
		}
		return http.StatusOK, s.present(k, existing)
	case http.MethodPatch:
		if existing == nil {
			if parent != nil {
				return 0, errNotFound
			}
			return 0, notFoundByKey(k, key)
		}
		if parent != nil {
			if _, ok := body[parent.field]; !ok {
				body[parent.field] = map[string]any{"id": p["id"]}
			}
		}
		saved, err := s.updateLocked(k, existing, body)
		if err != nil {
			return 0, err
		}
		return http.StatusOK, s.present(k, saved)
	default: // DELETE
		if existing == nil {
			if parent != nil {
				return 0, errNotFound
			}
			return http.StatusNoContent, nil
		}
		if err := s.deleteLocked(k, existing); err != nil {
			return 0, err
		}
		return http.StatusNoContent, nil
	}
}

// notFoundByKey is the code 6 body of a PATCH whose entity does not exist.
func notFoundByKey(k *kind, key string) *apiError {
	if schema.IsUUID(key) {
		pk := map[string]any{"id": strings.ToLower(key)}
		return dbError(codeNotFound, "could not find the entity with primary key '"+luaPretty(pk)+"'", pk)
	}
	filter := map[string]any{k.endpointKey(): key}
	return dbError(codeNotFound, "could not find the entity with '"+luaPretty(filter)+"'", filter)
}

// foreignEntityRoute serves /routes/{r}/service: the entity a foreign key points at (kong/api/endpoints.lua,
// is_foreign_entity_endpoint). PUT upserts it; when the key is null, PUT creates it with a new id and points the
// key at it. DELETE is refused with 405 once the entity is found.
func (s *Server) foreignEntityRoute(q *request, k *kind, field string) (int, any) {
	var body map[string]any
	switch q.Method {
	case http.MethodGet, http.MethodDelete:
	case http.MethodPut, http.MethodPatch:
		var err *apiError
		if body, err = q.body(s.kindByName(k.field(field).Reference)); err != nil {
			return 0, err
		}
	default:
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	child, err := s.lookupLocked(k, q.segs[1])
	if err != nil {
		return 0, err
	}
	if child == nil {
		return 0, errNotFound
	}
	target := s.kindByName(k.field(field).Reference)
	parentID := foreignID(child[field])
	if q.Method == http.MethodPut {
		associate := parentID == ""
		if associate {
			parentID = s.ids()
		}
		saved, err := s.upsertLocked(target, parentID, body)
		if err != nil {
			return 0, err
		}
		if associate {
			if _, err := s.updateLocked(k, child, map[string]any{field: map[string]any{"id": parentID}}); err != nil {
				return 0, err
			}
		}
		return http.StatusOK, s.present(target, saved)
	}
	if parentID == "" {
		return 0, errNotFound
	}
	parent := s.tables[target.name].rows[parentID]
	switch {
	case q.Method == http.MethodDelete:
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	case parent == nil:
		return 0, errNotFound
	case q.Method == http.MethodGet:
		return http.StatusOK, s.present(target, parent)
	}
	saved, err := s.updateLocked(target, parent, body)
	if err != nil {
		return 0, err
	}
	return http.StatusOK, s.present(target, saved)
}

func (s *Server) kindByName(name string) *kind { return s.tables[name].kind }

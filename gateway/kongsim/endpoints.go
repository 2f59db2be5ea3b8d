package kongsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

var errWasmDisabled = plainError(http.StatusBadRequest, "this endpoint is only available when wasm is enabled")

// wasmRoute reports whether segs is one of the filter-chain endpoints kong/api/routes/filter_chains.lua answers
// with 400 while wasm is off: /filter-chains[...], /{services|routes}/{x}/filter-chains[/{f}] and
// /routes/{r}/filters/{enabled|disabled|all}.
func wasmRoute(segs []string) bool {
	switch {
	case segs[0] == "filter-chains" && len(segs) <= 3:
		return true
	case (segs[0] == "services" || segs[0] == "routes") && len(segs) >= 3 && len(segs) <= 4 && segs[2] == "filter-chains":
		return true
	case segs[0] == "routes" && len(segs) == 4 && segs[2] == "filters":
		return segs[3] == "enabled" || segs[3] == "disabled" || segs[3] == "all"
	}
	return false
}

// tagRow is one row of GET /tags: an entity's tag, ordered by entity id then the tag's position.
type tagRow struct {
	entityID, entityName, tag string
	ordinality                int
}

// tagRows lists every tag of every entity (the tags table kong/db/strategies/postgres/tags.lua pages).
func (s *Server) tagRowsLocked(only string) []tagRow {
	var rows []tagRow
	for _, k := range kindList {
		if k.field("tags") == nil {
			continue
		}
		t := s.tables[k.name]
		for _, id := range t.ids {
			tags, _ := t.rows[id]["tags"].([]any)
			for i, tag := range tags {
				name, _ := tag.(string)
				if only == "" || name == only {
					rows = append(rows, tagRow{entityID: id, entityName: k.name, tag: name, ordinality: i + 1})
				}
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].entityID != rows[j].entityID {
			return rows[i].entityID < rows[j].entityID
		}
		return rows[i].ordinality < rows[j].ordinality
	})
	return rows
}

// tags serves GET /tags and GET /tags/{tag} (kong/api/routes/tags.lua): rows {entity_id, entity_name, tag},
// paged by an offset of [entity_id, ordinality] (by tag, [entity_id]).
func (s *Server) tags(q *request) (int, any) {
	if q.Method != http.MethodGet {
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	opts, err := parsePage(q, false)
	if err != nil {
		return 0, err
	}
	only := ""
	if len(q.segs) == 2 {
		only = q.segs[1]
	}
	afterOrd := 0
	if raw, ok := ngxDecodeArgs(q.URL.RawQuery)["offset"]; ok && only == "" {
		data, _ := base64.RawStdEncoding.DecodeString(strings.TrimRight(raw[0], "="))
		var pk []any
		if json.Unmarshal(data, &pk) == nil && len(pk) > 1 {
			if n, ok := pk[1].(float64); ok {
				afterOrd = int(n)
			}
		}
	}
	s.mu.RLock()
	rows := s.tagRowsLocked(only)
	s.mu.RUnlock()
	data := []any{}
	var offset any
	for _, r := range rows {
		if opts.after != "" && (r.entityID < opts.after || r.entityID == opts.after && (only != "" || r.ordinality <= afterOrd)) {
			continue
		}
		if len(data) == opts.size {
			last := data[len(data)-1].(map[string]any)
			pk := []any{last["entity_id"]}
			if only == "" {
				pk = append(pk, last["ordinality"])
			}
			enc, _ := json.Marshal(pk)
			offset = base64.RawStdEncoding.EncodeToString(enc)
			break
		}
		data = append(data, map[string]any{"entity_id": r.entityID, "entity_name": r.entityName, "tag": r.tag,
			"ordinality": r.ordinality})
	}
	for _, d := range data {
		delete(d.(map[string]any), "ordinality")
	}
	body := map[string]any{"data": data, "next": nil}
	if offset != nil {
		body["offset"] = offset
		if only == "" {
			body["next"] = "/tags?offset=" + escapeURI(offset.(string))
		} else {
			body["next"] = fmt.Sprintf("/tags/%s?offset=%s", only, escapeURI(offset.(string)))
		}
	}
	return http.StatusOK, body
}

// upstreamHealth is GET /upstreams/{u}/health (kong/api/routes/upstreams.lua, page_for_upstream_with_health).
// kongsim runs no balancer and no health checks: every target is reported as a node with health checks off
// reports it, HEALTHCHECKS_OFF, with its one address. balancer_health=1 gives the balancer's own summary.
func (s *Server) upstreamHealth(q *request) (int, any) {
	if q.Method != http.MethodGet {
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.lookupLocked(s.byPath["upstreams"], q.segs[1])
	if err != nil {
		return 0, err
	}
	if u == nil {
		return 0, errNotFound
	}
	if ngxDecodeArgs(q.URL.RawQuery).Get("balancer_health") == "1" {
		return http.StatusOK, map[string]any{"data": map[string]any{"health": "HEALTHCHECKS_OFF",
			"balancer_health": "HEALTHCHECKS_OFF"}, "next": nil, "node_id": s.nodeID}
	}
	t := s.tables["targets"]
	data := []any{}
	for _, id := range t.children("upstream", u["id"].(string)) {
		target := t.rows[id]
		if w, _ := target["weight"].(float64); w == 0 {
			continue
		}
		out := mergeTop(target, nil)
		host, portStr := hostPort(target["target"].(string))
		port, _ := strconv.Atoi(portStr)
		out["health"] = "HEALTHCHECKS_OFF"
		out["data"] = map[string]any{
			"host": strings.Trim(host, "[]"), "port": port, "nodeWeight": target["weight"], "dns": "A",
			"weight":    map[string]any{"total": target["weight"], "available": target["weight"], "unavailable": 0},
			"addresses": []any{map[string]any{"ip": strings.Trim(host, "[]"), "port": port, "health": "HEALTHCHECKS_OFF", "weight": target["weight"]}},
		}
		data = append(data, out)
	}
	return http.StatusOK, map[string]any{"data": data, "next": nil, "node_id": s.nodeID}
}

// setTargetHealth is PUT /upstreams/{u}/targets/{t}[/{address}]/healthy|unhealthy: with no balancer to tell,
// kongsim checks the upstream and target exist and answers 204, as Kong does once it has broadcast the event.
func (s *Server) setTargetHealth(q *request, parent *parentRef) (int, any) {
	if q.Method != http.MethodPut {
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.lookupLocked(parent.kind, parent.key)
	if err != nil {
		return 0, err
	}
	if u == nil || s.findTargetLocked(u, q.segs[3]) == nil {
		return 0, errNotFound
	}
	return http.StatusNoContent, nil
}

// findTargetLocked finds an upstream's target by id or by address (the latest with that address).
func (s *Server) findTargetLocked(u row, key string) row {
	t := s.tables["targets"]
	var target row
	if schema.IsUUID(key) {
		target = t.rows[strings.ToLower(key)]
	} else {
		if normal, ok := normalizeTarget(key); ok {
			key = normal
		}
		for _, id := range t.children("upstream", u["id"].(string)) {
			if t.rows[id]["target"] == key {
				target = t.rows[id]
			}
		}
	}
	if target == nil || foreignID(target["upstream"]) != u["id"] {
		return nil
	}
	return target
}

// timers is GET /timers: lua-resty-timer-ng's stats of the one worker.
func (s *Server) timers(*request) (int, any) {
	return http.StatusOK, map[string]any{
		"worker": map[string]any{"id": 0, "count": 1},
		"stats": map[string]any{
			"sys":        map[string]any{"running": 0, "pending": 0, "waiting": 0, "total": 0},
			"timers":     map[string]any{},
			"flamegraph": map[string]any{"running": "", "pending": "", "elapsed_time": ""},
		},
	}
}

// endpointList is GET /endpoints: every route the Admin API serves, with Kong's {param} placeholders, sorted
// segment by segment.
func (s *Server) endpointList(*request) (int, any) {
	set := map[string]bool{}
	add := func(paths ...string) {
		for _, p := range paths {
			set[p] = true
		}
	}
	add("/", "/endpoints", "/status", "/status/dns", "/timers", "/tags/{tags}", "/plugins/enabled",
		"/schemas/{name}", "/schemas/{db_entity_name}/validate", "/schemas/plugins/{name}",
		"/schemas/plugins/validate", "/schemas/vaults/{name}", "/schemas/vaults/validate", "/schemas/filters/{name}",
		"/upstreams/{upstreams}/health", "/upstreams/{upstreams}/targets/all",
		"/upstreams/{upstreams}/targets/{targets}/healthy", "/upstreams/{upstreams}/targets/{targets}/unhealthy",
		"/upstreams/{upstreams}/targets/{targets}/{address}/healthy",
		"/upstreams/{upstreams}/targets/{targets}/{address}/unhealthy",
		"/filter-chains", "/filter-chains/{filter_chains}", "/filter-chains/{filter_chains}/route",
		"/filter-chains/{filter_chains}/service", "/routes/{routes}/filter-chains",
		"/routes/{routes}/filter-chains/{filter_chains}", "/services/{services}/filter-chains",
		"/services/{services}/filter-chains/{filter_chains}", "/routes/{routes}/filters/enabled",
		"/routes/{routes}/filters/disabled", "/routes/{routes}/filters/all", "/tags")
	for _, k := range kindList {
		if k.name == "targets" {
			continue
		}
		param := "{" + k.name + "}"
		add("/"+k.path, "/"+k.path+"/"+param)
		for _, f := range k.foreignFields() {
			add("/" + k.path + "/" + param + "/" + f.Name)
			parent := s.kindByName(f.Reference)
			pp := "/" + parent.path + "/{" + parent.name + "}/" + k.nestedName()
			add(pp, pp+"/"+param)
		}
	}
	list := make([]string, 0, len(set))
	for p := range set {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		return strings.ReplaceAll(list[i], "/", "\x00") < strings.ReplaceAll(list[j], "/", "\x00")
	})
	data := make([]any, len(list))
	for i, p := range list {
		data[i] = p
	}
	return http.StatusOK, map[string]any{"data": data}
}

// aclByGroup resolves /consumers/{c}/acls/{group} to the ACL's id as kong/plugins/acl/api.lua does: a key that
// is not a UUID is a group of that consumer; an unknown group is 404, except on PUT, which creates it (the group
// taken from the URL unless the body names one).
func (s *Server) aclByGroupLocked(q *request, consumer row, body map[string]any) (string, *apiError) {
	key := q.segs[3]
	if schema.IsUUID(key) {
		return key, nil
	}
	if _, given := body["group"]; !given && q.Method == http.MethodPut {
		body["group"] = key
	}
	acls := s.tables["acls"]
	for _, id := range acls.children("consumer", consumer["id"].(string)) {
		if acls.rows[id]["group"] == key {
			return id, nil
		}
	}
	if q.Method != http.MethodPut {
		return "", errNotFound
	}
	return s.ids(), nil
}

// allowedMethods is what Kong's Lapis routes accept at segs, for OPTIONS (kong/api/api_helpers.lua adds HEAD to
// every GET route and OPTIONS to all); nil when no route matches.
func (s *Server) allowedMethods(segs []string) []string {
	const entity = "DELETE GET PATCH PUT"
	var m string
	switch {
	case len(segs) == 0:
		m = "GET"
	case wasmRoute(segs):
		m = "DELETE GET PATCH POST PUT"
	case segs[0] == "schemas" && len(segs) == 3 && segs[2] == "validate":
		m = "POST"
	case segs[0] == "schemas" && len(segs) <= 3, segs[0] == "tags" && len(segs) <= 2,
		len(segs) == 1 && (segs[0] == "status" || segs[0] == "endpoints" || segs[0] == "timers"),
		len(segs) == 2 && segs[0] == "status" && segs[1] == "dns",
		len(segs) == 2 && segs[0] == "plugins" && segs[1] == "enabled":
		m = "GET"
	case segs[0] == "upstreams" && len(segs) >= 3 && (segs[2] == "targets" || segs[2] == "health"):
		switch {
		case segs[2] == "health" && len(segs) == 3, len(segs) == 4 && segs[3] == "all":
			m = "GET"
		case len(segs) == 3:
			m = "GET POST"
		case len(segs) == 4:
			m = entity
		case len(segs) <= 6 && (segs[len(segs)-1] == "healthy" || segs[len(segs)-1] == "unhealthy"):
			m = "PUT"
		}
	default:
		k, ok := s.byPath[segs[0]]
		if !ok || k.name == "targets" {
			return nil
		}
		switch len(segs) {
		case 1:
			m = "GET POST"
		case 2:
			m = entity
		case 3:
			if foreignFieldNamed(k, segs[2]) != "" {
				m = entity
			} else if child, _ := childNamed(k, segs[2]); child != nil {
				m = "GET POST"
			}
		case 4:
			if child, _ := childNamed(k, segs[2]); child != nil {
				m = entity
			}
		}
	}
	if m == "" {
		return nil
	}
	methods := strings.Fields(m)
	if strings.Contains(m, "GET") {
		methods = append(methods, "HEAD")
	}
	methods = append(methods, "OPTIONS")
	sort.Strings(methods)
	return methods
}

// servedSchema is GET /schemas/{name}: an entity, or one of the schemas of entities kongsim does not store
// (tags, filter_chains).
func servedSchema(name string) (map[string]any, bool) {
	if sch, ok := schema.Entity(name); ok {
		return sch.Served(), true
	}
	return nil, false
}

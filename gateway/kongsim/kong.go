package kongsim

import (
	"net/http"
	"sync"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

// handshake is GET /: what go-kong and decK read to learn the version, edition and database mode.
func (s *Server) handshake(*request) (int, any) {
	available := map[string]any{}
	names := []any{}
	for _, p := range schema.Plugins() {
		available[p.Name] = map[string]any{"version": p.Version, "priority": p.Priority}
		names = append(names, p.Name)
	}
	s.mu.RLock()
	inUse := s.inUse.names(s.tables["plugins"])
	s.mu.RUnlock()
	conf := map[string]any{
		"database":               "postgres",
		"role":                   "traditional",
		"router_flavor":          "traditional_compatible",
		"wasm":                   false,
		"new_dns_client":         false,
		"plugins":                []any{"bundled"},
		"loaded_plugins":         loadedPlugins(names),
		"pg_host":                "127.0.0.1",
		"pg_port":                5432,
		"pg_database":            "kong",
		"pg_user":                "kong",
		"pg_password":            "******",
		"log_level":              "notice",
		"prefix":                 "/usr/local/kong",
		"nginx_worker_processes": "auto",
	}
	addListeners(conf)
	return http.StatusOK, map[string]any{
		"tagline":     "Welcome to kong",
		"version":     s.version,
		"edition":     "community",
		"hostname":    s.hostname,
		"node_id":     s.nodeID,
		"lua_version": "LuaJIT 2.1.0-20231117",
		"timers":      map[string]any{"running": 0, "pending": 0},
		"pids":        map[string]any{"master": 1, "workers": []any{2}},
		"plugins": map[string]any{
			"available_on_server": available,
			"enabled_in_cluster":  inUse,
		},
		"configuration": conf,
	}
}

// pluginsInUse remembers GET /'s plugins.enabled_in_cluster: the names of the configured plugins in the order a
// scan of the plugins table by id first meets each, as Kong's GET / scans kong.db.plugins:each()
// (kong/api/routes/kong.lua). The scan is done again only after the table has changed: at 30,000 plugins it took
// 35 ms of CPU, which every client's handshake paid.
type pluginsInUse struct {
	mu      sync.Mutex
	table   *table
	changes uint64
	list    []string
}

// names returns the names of the plugins plugins holds; s.mu is read-locked by the caller.
func (c *pluginsInUse) names(plugins *table) []any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.table != plugins || c.changes != plugins.changes || c.list == nil {
		c.list = []string{}
		seen := map[string]bool{}
		for _, id := range plugins.ids {
			name, _ := plugins.rows[id]["name"].(string)
			if !seen[name] {
				seen[name] = true
				c.list = append(c.list, name)
			}
		}
		c.table, c.changes = plugins, plugins.changes
	}
	out := make([]any, len(c.list))
	for i, n := range c.list {
		out[i] = n
	}
	return out
}

func loadedPlugins(names []any) map[string]any {
	out := map[string]any{}
	for _, n := range names {
		out[n.(string)] = true
	}
	return out
}

// status is GET /status.
func (s *Server) status(*request) (int, any) {
	total := s.total.Load()
	active := s.active.Load()
	return http.StatusOK, map[string]any{
		"database": map[string]any{"reachable": true},
		"memory": map[string]any{
			"lua_shared_dicts": map[string]any{
				"kong":          map[string]any{"allocated_slabs": "0.04 MiB", "capacity": "5.00 MiB"},
				"kong_db_cache": map[string]any{"allocated_slabs": "0.80 MiB", "capacity": "128.00 MiB"},
			},
			"workers_lua_vms": []any{map[string]any{"http_allocated_gc": "40.00 MiB", "pid": 2}},
		},
		"server": map[string]any{
			"connections_accepted": total,
			"connections_active":   active,
			"connections_handled":  total,
			"connections_reading":  0,
			"connections_waiting":  0,
			"connections_writing":  active,
			"total_requests":       total,
		},
	}
}

func (s *Server) enabledPlugins(*request) (int, any) {
	names := []any{}
	for _, p := range schema.Plugins() {
		names = append(names, p.Name)
	}
	return http.StatusOK, map[string]any{"enabled_plugins": names}
}

// schemas serves /schemas/{entity}, /schemas/plugins/{name}, /schemas/vaults/{name} and the /validate forms.
func (s *Server) schemas(q *request) (int, any) {
	segs := q.segs
	switch {
	case len(segs) == 2 && q.Method == http.MethodGet:
		if served, ok := servedSchema(segs[1]); ok {
			return http.StatusOK, served
		}
		return http.StatusNotFound, map[string]any{"message": "No entity named '" + segs[1] + "'"}
	case len(segs) == 3 && segs[1] == "plugins" && segs[2] != "validate" && q.Method == http.MethodGet:
		if sch, ok := schema.Plugin(segs[2]); ok {
			return http.StatusOK, sch.Served()
		}
		return http.StatusNotFound, map[string]any{"message": "No plugin named '" + segs[2] + "'"}
	case len(segs) == 3 && segs[1] == "vaults" && segs[2] != "validate" && q.Method == http.MethodGet:
		if sch, ok := schema.Vault(segs[2]); ok {
			return http.StatusOK, sch.Served()
		}
		return http.StatusNotFound, map[string]any{"message": "No vault named '" + segs[2] + "'"}
	case len(segs) == 3 && segs[1] == "filters" && q.Method == http.MethodGet:
		// kong/api/routes/kong.lua: with wasm off no filter is loaded.
		return http.StatusNotFound, map[string]any{"message": "Filter '" + segs[2] + "' not found"}
	case len(segs) == 3 && segs[2] == "validate" && q.Method == http.MethodPost:
		return s.validate(q, segs[1])
	case len(segs) == 2, len(segs) == 3:
		return http.StatusMethodNotAllowed, errMethodNotAllowed
	}
	return http.StatusNotFound, errNotFound
}

// validate is POST /schemas/{entity}/validate, /schemas/plugins/validate and /schemas/vaults/validate
// (kong/api/routes/kong.lua validate_schema): the schema checks of an insert, process_auto_fields then validate,
// with the error body a write gives, and no side effect. Like Kong it checks neither uniqueness nor that
// foreign keys point at existing rows, which only the database knows.
func (s *Server) validate(q *request, entity string) (int, any) {
	var k *kind
	if t := s.tables[entity]; t != nil {
		k = t.kind
	} else if _, ok := schema.Entity(entity); ok {
		k = &kind{name: entity, path: entity} // served but not stored (tags, filter_chains)
	} else {
		return http.StatusNotFound, map[string]any{"message": "No entity named '" + entity + "'"}
	}
	body, err := q.body(k)
	if err != nil {
		return 0, err
	}
	w := newWrite(k, body, "insert")
	switch entity {
	case "services", "targets": // the url shorthand and the target's own check run in the schema in Kong
		if err := s.beforeWrite(w); err != nil {
			return 0, err
		}
	}
	if err := s.checkSchema(w, false); err != nil {
		return 0, err
	}
	return http.StatusOK, map[string]any{"message": "schema validation successful"}
}

package kongsim_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Targets are keyed by upstream and address (kong/db/schema/entities/targets.lua cache_key): one address may
// serve two upstreams, but not twice in one.
func TestTargetsAreUniquePerUpstream(t *testing.T) {
	h := newHarness(t)
	for _, u := range []string{"u1", "u2"} {
		h.must(http.StatusCreated, http.MethodPost, "/upstreams", map[string]any{"name": u})
		h.must(http.StatusCreated, http.MethodPost, "/upstreams/"+u+"/targets", map[string]any{"target": "10.0.0.1:8080"})
	}
	body := h.must(http.StatusConflict, http.MethodPost, "/upstreams/u1/targets", map[string]any{"target": "10.0.0.1:8080"})
	if body["name"] != "unique constraint violation" {
		t.Errorf("duplicate target in one upstream = %v", body)
	}
	updated := h.must(http.StatusOK, http.MethodPut, "/upstreams/u2/targets/10.0.0.1:8080", map[string]any{"weight": 5})
	if updated["weight"] != 5.0 {
		t.Errorf("PUT by address = %v", updated)
	}
}

// kong/plugins/acl/api.lua addresses a consumer's ACLs by group name too; PUT on an unknown group creates it.
func TestACLsByGroup(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": "alice"})
	created := h.must(http.StatusCreated, http.MethodPost, "/consumers/alice/acls", map[string]any{"group": "admins"})
	got := h.must(http.StatusOK, http.MethodGet, "/consumers/alice/acls/admins", nil)
	if got["id"] != created["id"] {
		t.Errorf("GET by group = %v, want %v", got, created)
	}
	patched := h.must(http.StatusOK, http.MethodPatch, "/consumers/alice/acls/admins", map[string]any{"tags": []any{"t"}})
	if patched["id"] != created["id"] || !reflect.DeepEqual(patched["tags"], []any{"t"}) {
		t.Errorf("PATCH by group = %v", patched)
	}
	put := h.must(http.StatusOK, http.MethodPut, "/consumers/alice/acls/ops", map[string]any{})
	if put["group"] != "ops" {
		t.Errorf("PUT of an unknown group = %v", put)
	}
	h.must(http.StatusNotFound, http.MethodGet, "/consumers/alice/acls/nobody", nil)
	h.must(http.StatusNotFound, http.MethodPatch, "/consumers/alice/acls/nobody", map[string]any{})
	h.must(http.StatusNotFound, http.MethodDelete, "/consumers/alice/acls/nobody", nil)
	h.must(http.StatusNoContent, http.MethodDelete, "/consumers/alice/acls/admins", nil)
	h.must(http.StatusNotFound, http.MethodGet, "/consumers/alice/acls/admins", nil)
}

// typedefs.router_path: a regex path must compile under PCRE (lookarounds are fine), a prefix path must be
// normalized; the same checks run in POST /schemas/routes/validate.
func TestRoutePathChecks(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ path, want string }{
		{"~/users/(?!admin)\\w+$", ""},
		{"~/users/(foo/profile", `invalid regex: '/users/(foo/profile' (PCRE returned: pcre2_compile() failed: missing closing parenthesis in "/users/(foo/profile")`},
		{"/a/../b", "non-normalized path, consider use '/b' instead"},
		{"/a/./b", "non-normalized path, consider use '/a/b' instead"},
		{"/%41bc", "non-normalized path, consider use '/Abc' instead"},
	}
	for _, tt := range tests {
		body := map[string]any{"paths": []any{tt.path}}
		for _, path := range []string{"/routes", "/schemas/routes/validate"} {
			status, out := h.call(http.MethodPost, path, body)
			if tt.want == "" {
				if status >= 300 {
					t.Errorf("POST %s %q = %d %v", path, tt.path, status, out)
				}
				continue
			}
			fields, _ := out["fields"].(map[string]any)
			if status != http.StatusBadRequest || !reflect.DeepEqual(fields["paths"], []any{tt.want}) {
				t.Errorf("POST %s %q = %d %v, want paths error %q", path, tt.path, status, out, tt.want)
			}
		}
	}
}

// kong/api/routes/tags.lua: /tags lists every tag of every entity, /tags/{tag} the entities carrying one.
func TestTagsEndpoints(t *testing.T) {
	h := newHarness(t)
	svc := h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"host": "a.test", "tags": []any{"x", "y"}})
	c := h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": "c", "tags": []any{"y"}})
	all := h.must(http.StatusOK, http.MethodGet, "/tags", nil)
	if n := len(all["data"].([]any)); n != 3 {
		t.Errorf("GET /tags = %v", all)
	}
	byTag := h.must(http.StatusOK, http.MethodGet, "/tags/y", nil)
	var ids []string
	for _, r := range byTag["data"].([]any) {
		m := r.(map[string]any)
		if m["tag"] != "y" {
			t.Errorf("row %v", m)
		}
		ids = append(ids, m["entity_id"].(string))
	}
	want := []string{svc["id"].(string), c["id"].(string)}
	sort.Strings(want)
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("GET /tags/y ids = %v, want %v", ids, want)
	}
	page := h.must(http.StatusOK, http.MethodGet, "/tags?size=2", nil)
	if page["offset"] == nil || len(page["data"].([]any)) != 2 {
		t.Fatalf("GET /tags?size=2 = %v", page)
	}
	rest := h.must(http.StatusOK, http.MethodGet, "/tags?size=2&offset="+url.QueryEscape(page["offset"].(string)), nil)
	if len(rest["data"].([]any)) != 1 {
		t.Errorf("second page = %v", rest)
	}
	schema := h.must(http.StatusOK, http.MethodGet, "/schemas/tags", nil)
	if len(schema["fields"].([]any)) != 3 {
		t.Errorf("GET /schemas/tags = %v", schema)
	}
}

// kong/api/routes/upstreams.lua: health (no balancer runs, so every target's health checks are off),
// targets/all, and the healthy/unhealthy setters.
func TestUpstreamHealthEndpoints(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, "/upstreams", map[string]any{"name": "u"})
	target := h.must(http.StatusCreated, http.MethodPost, "/upstreams/u/targets", map[string]any{"target": "10.0.0.1:80"})
	health := h.must(http.StatusOK, http.MethodGet, "/upstreams/u/health", nil)
	data := health["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["health"] != "HEALTHCHECKS_OFF" || health["node_id"] == nil {
		t.Errorf("GET health = %v", health)
	}
	all := h.must(http.StatusOK, http.MethodGet, "/upstreams/u/targets/all", nil)
	if len(all["data"].([]any)) != 1 {
		t.Errorf("GET targets/all = %v", all)
	}
	for _, p := range []string{"/upstreams/u/targets/10.0.0.1:80/healthy", "/upstreams/u/targets/" + target["id"].(string) + "/unhealthy",
		"/upstreams/u/targets/10.0.0.1:80/10.0.0.1:80/unhealthy"} {
		h.must(http.StatusNoContent, http.MethodPut, p, nil)
	}
	h.must(http.StatusNotFound, http.MethodPut, "/upstreams/u/targets/10.9.9.9:80/healthy", nil)
	h.must(http.StatusNotFound, http.MethodGet, "/upstreams/nope/health", nil)
}

// The rest of kong/api/routes/kong.lua and dns.lua, as an OSS PostgreSQL node with wasm off and the legacy DNS
// client answers them, and the filter-chain endpoints of filter_chains.lua.
func TestNodeEndpoints(t *testing.T) {
	h := newHarness(t)
	endpoints := h.must(http.StatusOK, http.MethodGet, "/endpoints", nil)
	list := endpoints["data"].([]any)
	have := map[any]bool{}
	for _, e := range list {
		have[e] = true
	}
	for _, want := range []string{"/", "/services/{services}/routes/{routes}", "/consumers/{consumers}/key-auth",
		"/upstreams/{upstreams}/health", "/tags"} {
		if !have[want] {
			t.Errorf("GET /endpoints lacks %s: %v", want, list)
		}
	}
	timers := h.must(http.StatusOK, http.MethodGet, "/timers", nil)
	if timers["worker"] == nil || timers["stats"] == nil {
		t.Errorf("GET /timers = %v", timers)
	}
	dns := h.must(http.StatusNotImplemented, http.MethodGet, "/status/dns", nil)
	if dns["message"] != "not implemented with the legacy DNS client" {
		t.Errorf("GET /status/dns = %v", dns)
	}
	filter := h.must(http.StatusNotFound, http.MethodGet, "/schemas/filters/my-filter", nil)
	if filter["message"] != "Filter 'my-filter' not found" {
		t.Errorf("GET /schemas/filters = %v", filter)
	}
	h.must(http.StatusOK, http.MethodGet, "/schemas/filter_chains", nil)
	h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "s", "host": "a.test"})
	h.must(http.StatusCreated, http.MethodPost, "/routes", map[string]any{"name": "r", "paths": []any{"/"}})
	for _, p := range []string{"/services/s/filter-chains", "/routes/r/filter-chains", "/routes/r/filter-chains/x",
		"/routes/r/filters/enabled", "/routes/r/filters/all"} {
		body := h.must(http.StatusBadRequest, http.MethodGet, p, nil)
		if body["message"] != "this endpoint is only available when wasm is enabled" {
			t.Errorf("GET %s = %v", p, body)
		}
	}
}

// kong/conf_loader/listeners.lua adds the parsed listener lists to the configuration GET / serves.
func TestRootConfigurationListeners(t *testing.T) {
	h := newHarness(t)
	conf := h.must(http.StatusOK, http.MethodGet, "/", nil)["configuration"].(map[string]any)
	proxy, _ := conf["proxy_listeners"].([]any)
	if len(proxy) != 2 {
		t.Fatalf("proxy_listeners = %v", conf["proxy_listeners"])
	}
	first := proxy[0].(map[string]any)
	if first["ip"] != "0.0.0.0" || first["port"] != 8000.0 || first["ssl"] != false || first["listener"] != "0.0.0.0:8000" {
		t.Errorf("proxy_listeners[0] = %v", first)
	}
	if second := proxy[1].(map[string]any); second["ssl"] != true || second["listener"] != "0.0.0.0:8443 ssl" {
		t.Errorf("proxy_listeners[1] = %v", second)
	}
	if conf["proxy_ssl_enabled"] != true || conf["admin_listeners"] == nil {
		t.Errorf("configuration = %v", conf)
	}
	if s, ok := conf["stream_listeners"].(map[string]any); !ok || len(s) != 0 {
		t.Errorf("stream_listeners = %v, want {} (stream_listen = off)", conf["stream_listeners"])
	}
}

// kong/api/api_helpers.lua serves HEAD on every GET route and OPTIONS (204 with Allow) on every route.
func TestHeadAndOptions(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "s", "host": "a.test"})
	for path, allow := range map[string]string{
		"/services":                "GET, HEAD, OPTIONS, POST",
		"/services/s":              "DELETE, GET, HEAD, OPTIONS, PATCH, PUT",
		"/schemas/routes/validate": "OPTIONS, POST",
		"/":                        "GET, HEAD, OPTIONS",
	} {
		status, _, hdr := h.callHeader(http.MethodOptions, path, nil)
		if status != http.StatusNoContent || hdr.Get("Allow") != allow {
			t.Errorf("OPTIONS %s = %d Allow %q, want 204 %q", path, status, hdr.Get("Allow"), allow)
		}
	}
	h.must(http.StatusNotFound, http.MethodOptions, "/nowhere", nil)
	for _, path := range []string{"/services/s", "/services", "/status"} {
		status, body, hdr := h.callHeader(http.MethodHead, path, nil)
		if status != http.StatusOK || body != nil || hdr.Get("Content-Length") == "" {
			t.Errorf("HEAD %s = %d %v %v", path, status, body, hdr)
		}
	}
	h.must(http.StatusNotFound, http.MethodHead, "/services/nope", nil)
	log := h.sim.Requests()
	if last := log[len(log)-1]; last.Method != http.MethodHead || last.Status != http.StatusNotFound {
		t.Errorf("request log records %+v for a HEAD", last)
	}
}

// An offset Kong cannot decode is its code 7, including a percent escape that does not decode.
func TestInvalidOffsets(t *testing.T) {
	h := newHarness(t)
	for _, offset := range []string{"%%%", "bm90IGpzb24", "@@"} {
		body := h.must(http.StatusBadRequest, http.MethodGet, "/services?offset="+offset, nil)
		if body["code"] != 7.0 || body["name"] != "invalid offset" {
			t.Errorf("offset %q = %v", offset, body)
		}
	}
	body := h.must(http.StatusBadRequest, http.MethodGet, "/services?offset=%%%", nil)
	if body["message"] != "'%%%' is not a valid offset: bad base64 encoding" {
		t.Errorf("offset %%%% = %v", body)
	}
}

// Form bodies as kong/api/api_helpers.lua and arguments.lua take them: dotted and bracketed keys nest, a
// repeated key is an array, strings become the field's type.
func TestFormBodies(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"name": {"s"}, "host": {"a.test"}, "port": {"8080"}, "tags[]": {"a", "b"}, "enabled": {"false"}}
	resp, err := http.Post(h.url+"/services", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("urlencoded POST /services = %d", resp.StatusCode)
	}
	svc := h.must(http.StatusOK, http.MethodGet, "/services/s", nil)
	if svc["port"] != 8080.0 || svc["enabled"] != false || !reflect.DeepEqual(svc["tags"], []any{"a", "b"}) {
		t.Errorf("service from a form = %v", svc)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"name": "rate-limiting", "config.minute": "20", "config.policy": "local",
		"protocols[1]": "http", "protocols[2]": "https"} {
		_ = mw.WriteField(k, v)
	}
	mw.Close()
	resp, err = http.Post(h.url+"/services/s/plugins", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("multipart POST /services/s/plugins = %d", resp.StatusCode)
	}
	list := h.must(http.StatusOK, http.MethodGet, "/plugins", nil)["data"].([]any)
	p := list[0].(map[string]any)
	if p["config"].(map[string]any)["minute"] != 20.0 || !reflect.DeepEqual(p["protocols"], []any{"http", "https"}) {
		t.Errorf("plugin from a multipart form = %v", p)
	}
}

// Every bundled plugin of Kong 3.9.1 is available and serves its schema.
func TestEveryPluginIsServed(t *testing.T) {
	h := newHarness(t)
	available := h.must(http.StatusOK, http.MethodGet, "/", nil)["plugins"].(map[string]any)["available_on_server"].(map[string]any)
	if len(available) != 45 {
		t.Errorf("available_on_server has %d plugins, want Kong 3.9.1's 45", len(available))
	}
	for name := range available {
		body := h.must(http.StatusOK, http.MethodGet, "/schemas/plugins/"+name, nil)
		if _, ok := body["fields"].([]any); !ok {
			t.Errorf("GET /schemas/plugins/%s = %v", name, body)
		}
	}
}

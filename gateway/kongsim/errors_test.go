package kongsim_test

import (
	"net/http"
	"reflect"
	"testing"
)

func TestErrorBodies(t *testing.T) {
	h := newHarness(t)
	svc := h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "svc", "host": "a.test"})
	svcID := svc["id"].(string)
	h.must(http.StatusCreated, http.MethodPost, "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/"}})
	const missing = "5b1e0d77-0000-4000-8000-00000000abcd"

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		want   map[string]any
	}{
		{
			name: "schema violation", method: http.MethodPost, path: "/services", body: map[string]any{"name": "x"},
			status: 400, want: map[string]any{"code": 2.0, "name": "schema violation",
				"message": "schema violation (host: required field missing)", "fields": map[string]any{"host": "required field missing"}},
		},
		{
			name: "primary key", method: http.MethodPost, path: "/services", body: map[string]any{"id": svcID, "name": "y", "host": "b.test"},
			status: 400, want: map[string]any{"code": 3.0, "name": "primary key violation",
				"message": `primary key violation on key '{id="` + svcID + `"}'`, "fields": map[string]any{"id": svcID}},
		},
		{
			name: "dangling foreign key", method: http.MethodPost, path: "/routes", body: map[string]any{"paths": []string{"/x"}, "service": map[string]any{"id": missing}},
			status: 400, want: map[string]any{"code": 4.0, "name": "foreign key violation",
				"message": `the foreign key '{id="` + missing + `"}' does not reference an existing 'services' entity.`,
				"fields":  map[string]any{"service": map[string]any{"id": missing}}},
		},
		{
			name: "restricted delete", method: http.MethodDelete, path: "/services/svc",
			status: 400, want: map[string]any{"code": 4.0, "name": "foreign key violation",
				"message": "an existing 'routes' entity references this 'services' entity", "fields": map[string]any{"@referenced_by": "routes"}},
		},
		{
			name: "unique", method: http.MethodPost, path: "/services", body: map[string]any{"name": "svc", "host": "c.test"},
			status: 409, want: map[string]any{"code": 5.0, "name": "unique constraint violation",
				"message": `UNIQUE violation detected on '{name="svc"}'`, "fields": map[string]any{"name": "svc"}},
		},
		{
			name: "patch missing", method: http.MethodPatch, path: "/services/" + missing, body: map[string]any{"retries": 1},
			status: 404, want: map[string]any{"code": 6.0, "name": "not found",
				"message": `could not find the entity with primary key '{id="` + missing + `"}'`, "fields": map[string]any{"id": missing}},
		},
		{
			name: "unresolved foreign key", method: http.MethodPost, path: "/routes", body: map[string]any{"paths": []string{"/y"}, "service": map[string]any{"name": "ghost"}},
			status: 400, want: map[string]any{"code": 13.0, "name": "foreign keys unresolved",
				"message": `foreign key unresolved (service.name: the foreign key cannot be resolved with '{name="ghost"}' for an existing 'services' entity)`,
				"fields":  map[string]any{"service": map[string]any{"name": `the foreign key cannot be resolved with '{name="ghost"}' for an existing 'services' entity`}}},
		},
		{
			name: "unknown plugin", method: http.MethodPost, path: "/plugins", body: map[string]any{"name": "nope"},
			status: 400, want: map[string]any{"code": 2.0, "name": "schema violation",
				"message": "schema violation (name: plugin 'nope' not enabled; add it to the 'plugins' configuration property)",
				"fields":  map[string]any{"name": "plugin 'nope' not enabled; add it to the 'plugins' configuration property"}},
		},
		{name: "get missing", method: http.MethodGet, path: "/services/" + missing, status: 404, want: map[string]any{"message": "Not found"}},
		{name: "get missing by name", method: http.MethodGet, path: "/consumers/ghost", status: 404, want: map[string]any{"message": "Not found"}},
		{name: "method not allowed", method: http.MethodDelete, path: "/services", status: 405, want: map[string]any{"message": "Method not allowed"}},
		{name: "bad json", method: http.MethodPost, path: "/services", body: "{not json", status: 400, want: map[string]any{"message": "Cannot parse JSON body"}},
		{name: "delete absent", method: http.MethodDelete, path: "/consumers/" + missing, status: 204},
		{name: "top-level targets", method: http.MethodGet, path: "/targets", status: 404, want: map[string]any{"message": "Not found"}},
		{name: "enterprise consumer groups", method: http.MethodGet, path: "/consumer_groups", status: 404, want: map[string]any{"message": "Not found"}},
		{name: "enterprise workspaces", method: http.MethodGet, path: "/workspaces", status: 404, want: map[string]any{"message": "Not found"}},
		{name: "filter chains", method: http.MethodGet, path: "/filter-chains", status: 400, want: map[string]any{"message": "this endpoint is only available when wasm is enabled"}},
		{name: "unknown schema", method: http.MethodGet, path: "/schemas/nope", status: 404, want: map[string]any{"message": "No entity named 'nope'"}},
		{name: "unknown plugin schema", method: http.MethodGet, path: "/schemas/plugins/nope", status: 404, want: map[string]any{"message": "No plugin named 'nope'"}},
		{name: "route under other service", method: http.MethodGet, path: "/services/" + missing + "/routes/r", status: 404, want: map[string]any{"message": "Not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			status, body := h.call(tt.method, tt.path, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d %v, want %d", status, body, tt.status)
			}
			if !reflect.DeepEqual(body, tt.want) && !(tt.want == nil && body == nil) {
				t.Errorf("body = %#v\nwant   %#v", body, tt.want)
			}
		})
	}
}

func TestSchemasEndpoints(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/schemas/services", "/schemas/routes", "/schemas/upstreams", "/schemas/targets", "/schemas/plugins/rate-limiting"} {
		body := h.must(http.StatusOK, http.MethodGet, path, nil)
		if fields, ok := body["fields"].([]any); !ok || len(fields) == 0 {
			t.Errorf("GET %s fields = %v", path, body["fields"])
		}
	}
	ok := h.must(http.StatusOK, http.MethodPost, "/schemas/services/validate", map[string]any{"host": "a.test"})
	if ok["message"] != "schema validation successful" {
		t.Errorf("validate = %v", ok)
	}
	h.must(http.StatusBadRequest, http.MethodPost, "/schemas/services/validate", map[string]any{"port": 1})
}

// GET /schemas/vaults/{name} serves the vault's own subschema (kong/api/routes/kong.lua); decK's
// `dump --skip-defaults` reads it for every vault.
func TestVaultSchemaEndpoint(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		want       map[string]any
	}{
		{
			name: "env", method: http.MethodGet, path: "/schemas/vaults/env", wantStatus: http.StatusOK,
			want: map[string]any{"entity_checks": []any{}, "fields": []any{map[string]any{"config": map[string]any{
				"type": "record", "required": true, "fields": []any{
					map[string]any{"prefix": map[string]any{"type": "string", "match": "^[%a_-][%a%d_-]*$"}},
				},
			}}}},
		},
		{
			name: "unknown vault", method: http.MethodGet, path: "/schemas/vaults/aws", wantStatus: http.StatusNotFound,
			want: map[string]any{"message": "No vault named 'aws'"},
		},
		{
			name: "validate is POST only", method: http.MethodGet, path: "/schemas/vaults/validate",
			wantStatus: http.StatusMethodNotAllowed, want: map[string]any{"message": "Method not allowed"},
		},
		{
			name: "read only", method: http.MethodPut, path: "/schemas/vaults/env",
			wantStatus: http.StatusMethodNotAllowed, want: map[string]any{"message": "Method not allowed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := h.call(tt.method, tt.path, nil)
			if status != tt.wantStatus || !reflect.DeepEqual(body, tt.want) {
				t.Errorf("%s %s = %d %v\nwant %d %v", tt.method, tt.path, status, body, tt.wantStatus, tt.want)
			}
		})
	}
}

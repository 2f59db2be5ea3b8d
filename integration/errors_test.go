//go:build integration

package integration

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/kong/go-kong/kong"
)

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	svcName := k.name("svc")
	svc := k.create("/services", map[string]any{"name": svcName, "host": "a.test"}, "/services")
	svcID := svc["id"].(string)
	k.create("/services/"+svcID+"/routes", map[string]any{"name": k.name("r"), "paths": []string{"/" + k.prefix}}, "/routes")
	missing := newUUID(t)
	ghost := k.name("ghost")
	const unknownPlugin = "plugin 'kongsnap-no-such-plugin' not enabled; add it to the 'plugins' configuration property"

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		want   map[string]any
	}{
		{
			name: "schema violation", method: http.MethodPost, path: "/services", body: map[string]any{"name": k.name("x")},
			status: 400, want: map[string]any{"code": 2.0, "name": "schema violation",
				"message": "schema violation (host: required field missing)", "fields": map[string]any{"host": "required field missing"}},
		},
		{
			name: "two schema violations", method: http.MethodPost, path: "/services", body: map[string]any{"host": "a.test", "port": "x", "retries": -1},
			status: 400, want: map[string]any{"code": 2.0, "name": "schema violation",
				"message": "2 schema violations (port: expected an integer; retries: value should be between 0 and 32767)",
				"fields":  map[string]any{"port": "expected an integer", "retries": "value should be between 0 and 32767"}},
		},
		{
			name: "entity check", method: http.MethodPost, path: "/routes", body: map[string]any{"protocols": []string{"http"}},
			status: 400, want: map[string]any{"code": 2.0, "name": "schema violation",
				"message": "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http')",
				"fields":  map[string]any{"@entity": []any{"must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"}}},
		},
		{
			name: "nested plugin config", method: http.MethodPost, path: "/plugins", body: map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": "ten"}},
			status: 400, want: map[string]any{"code": 2.0, "name": "schema violation",
				"message": "schema violation (config.minute: expected a number)",
				"fields":  map[string]any{"config": map[string]any{"minute": "expected a number"}}},
		},
		{
			name: "primary key", method: http.MethodPost, path: "/services", body: map[string]any{"id": svcID, "name": k.name("y"), "host": "b.test"},
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
			name: "dangling consumer of a plugin", method: http.MethodPost, path: "/plugins", body: map[string]any{"name": "correlation-id", "consumer": map[string]any{"id": missing}},
			status: 400, want: map[string]any{"code": 4.0, "name": "foreign key violation",
				"message": `the foreign key '{id="` + missing + `"}' does not reference an existing 'consumers' entity.`,
				"fields":  map[string]any{"consumer": map[string]any{"id": missing}}},
		},
		{
			name: "restricted delete", method: http.MethodDelete, path: "/services/" + svcName,
			status: 400, want: map[string]any{"code": 4.0, "name": "foreign key violation",
				"message": "an existing 'routes' entity references this 'services' entity", "fields": map[string]any{"@referenced_by": "routes"}},
		},
		{
			name: "unique", method: http.MethodPost, path: "/services", body: map[string]any{"name": svcName, "host": "c.test"},
			status: 409, want: map[string]any{"code": 5.0, "name": "unique constraint violation",
				"message": `UNIQUE violation detected on '{name="` + svcName + `"}'`, "fields": map[string]any{"name": svcName}},
		},
		{
			name: "patch missing", method: http.MethodPatch, path: "/services/" + missing, body: map[string]any{"retries": 1},
			status: 404, want: map[string]any{"code": 6.0, "name": "not found",
				"message": `could not find the entity with primary key '{id="` + missing + `"}'`, "fields": map[string]any{"id": missing}},
		},
		{
			name: "unresolved foreign key", method: http.MethodPost, path: "/routes", body: map[string]any{"paths": []string{"/y"}, "service": map[string]any{"name": ghost}},
			status: 400, want: map[string]any{"code": 13.0, "name": "foreign keys unresolved",
				"message": `foreign key unresolved (service.name: the foreign key cannot be resolved with '{name="` + ghost + `"}' for an existing 'services' entity)`,
				"fields":  map[string]any{"service": map[string]any{"name": `the foreign key cannot be resolved with '{name="` + ghost + `"}' for an existing 'services' entity`}}},
		},
		{
			name: "unknown plugin", method: http.MethodPost, path: "/plugins", body: map[string]any{"name": "kongsnap-no-such-plugin"},
			status: 400, want: map[string]any{"code": 2.0, "name": "schema violation",
				"message": "schema violation (name: " + unknownPlugin + ")", "fields": map[string]any{"name": unknownPlugin}},
		},
		{name: "get missing", method: http.MethodGet, path: "/services/" + missing, status: 404, want: map[string]any{"message": "Not found"}},
		{name: "get missing by name", method: http.MethodGet, path: "/consumers/" + ghost, status: 404, want: map[string]any{"message": "Not found"}},
		{name: "method not allowed", method: http.MethodDelete, path: "/services", status: 405, want: map[string]any{"message": "Method not allowed"}},
		{name: "bad json", method: http.MethodPost, path: "/services", body: "{not json", status: 400, want: map[string]any{"message": "Cannot parse JSON body"}},
		{name: "delete absent", method: http.MethodDelete, path: "/consumers/" + missing, status: 204},
		{name: "delete absent by name", method: http.MethodDelete, path: "/services/" + ghost, status: 204},
		{name: "top-level targets", method: http.MethodGet, path: "/targets", status: 404, want: map[string]any{"message": "Not found"}},
		{name: "enterprise consumer groups", method: http.MethodGet, path: "/consumer_groups", status: 404, want: map[string]any{"message": "Not found"}},
		{name: "enterprise workspaces", method: http.MethodGet, path: "/workspaces", status: 404, want: map[string]any{"message": "Not found"}},
		{name: "filter chains", method: http.MethodGet, path: "/filter-chains", status: 400, want: map[string]any{"message": "this endpoint is only available when wasm is enabled"}},
		{name: "unknown schema", method: http.MethodGet, path: "/schemas/nope", status: 404, want: map[string]any{"message": "No entity named 'nope'"}},
		{name: "unknown plugin schema", method: http.MethodGet, path: "/schemas/plugins/nope", status: 404, want: map[string]any{"message": "No plugin named 'nope'"}},
		{name: "route under another service", method: http.MethodGet, path: "/services/" + missing + "/routes/" + k.name("r"), status: 404, want: map[string]any{"message": "Not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := k.in(t).do(tt.method, tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, r.status, r.raw, tt.status)
			}
			if !reflect.DeepEqual(r.body, tt.want) && !(tt.want == nil && r.body == nil) {
				t.Errorf("body = %#v\nwant   %#v", r.body, tt.want)
			}
		})
	}
}

func TestGoKongSeesErrors(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	k.create("/consumers", map[string]any{"username": k.name("c")}, "/consumers")
	_, err := k.client.Consumers.Create(c, &kong.Consumer{Username: kong.String(k.name("c"))})
	// go-kong keeps only the status and the message of Kong's error body
	want := fmt.Sprintf("HTTP status 409 (message: %q)", `UNIQUE violation detected on '{username="`+k.name("c")+`"}'`)
	var apiErr *kong.APIError
	if !errors.As(err, &apiErr) || apiErr.Code() != http.StatusConflict || err.Error() != want {
		t.Errorf("go-kong create of a taken username = %v, want %s", err, want)
	}
	if _, err := k.client.Consumers.Get(c, kong.String(k.name("nobody"))); !kong.IsNotFoundErr(err) {
		t.Errorf("go-kong get of a missing consumer = %v, want not found", err)
	}
}

func TestSchemasEndpoints(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	for _, path := range []string{"/schemas/services", "/schemas/routes", "/schemas/upstreams", "/schemas/targets", "/schemas/plugins/rate-limiting"} {
		body := k.must(http.StatusOK, http.MethodGet, path, nil)
		if fields, ok := body["fields"].([]any); !ok || len(fields) == 0 {
			t.Errorf("GET %s fields = %v, want a list", path, body["fields"])
		}
	}
	services := k.must(http.StatusOK, http.MethodGet, "/schemas/services", nil)
	defaults := map[string]any{}
	for _, f := range services["fields"].([]any) {
		for name, spec := range f.(map[string]any) {
			defaults[name] = spec.(map[string]any)["default"]
		}
	}
	checkFields(t, "/schemas/services defaults", defaults, map[string]any{
		"protocol": "http", "port": 80, "retries": 5, "connect_timeout": 60000, "enabled": true,
	})
	ok := k.must(http.StatusOK, http.MethodPost, "/schemas/services/validate", map[string]any{"host": "a.test"})
	if !reflect.DeepEqual(ok, map[string]any{"message": "schema validation successful"}) {
		t.Errorf("validate = %v", ok)
	}
	bad := k.must(http.StatusBadRequest, http.MethodPost, "/schemas/services/validate", map[string]any{"port": 1})
	if bad["code"] != float64(2) {
		t.Errorf("validate without host = %v, want a schema violation", bad)
	}
}

package kongsim_test

import (
	"net/http"
	"reflect"
	"testing"
)

// POST /schemas/{entity}/validate runs the schema checks a write runs (kong/api/routes/kong.lua validate_schema:
// process_auto_fields in insert context, then validate) and answers the write's error body, changing nothing.
func TestValidateRunsTheChecksOfAWrite(t *testing.T) {
	tests := []struct {
		name       string
		collection string // where the write goes
		entity     string // /schemas/{entity}/validate
		body       map[string]any
	}{
		{name: "service url shorthand", collection: "/services", entity: "services",
			body: map[string]any{"name": "s1", "url": "http://a.test:8080/x"}},
		{name: "service url without host", collection: "/services", entity: "services",
			body: map[string]any{"url": "http://"}},
		{name: "service unknown field", collection: "/services", entity: "services",
			body: map[string]any{"host": "a.test", "bogus": 1}},
		{name: "route entity check", collection: "/routes", entity: "routes",
			body: map[string]any{"protocols": []any{"http"}}},
		{name: "deprecated shorthand disagreeing with its field", collection: "/plugins", entity: "plugins",
			body: map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 5, "policy": "redis",
				"redis_host": "a.test", "redis": map[string]any{"host": "b.test"}}}},
		{name: "plugin config check", collection: "/plugins", entity: "plugins",
			body: map[string]any{"name": "rate-limiting", "config": map[string]any{"second": 10, "minute": 5}}},
		{name: "unknown plugin", collection: "/plugins", entity: "plugins",
			body: map[string]any{"name": "no-such-plugin"}},
		{name: "valid plugin", collection: "/plugins", entity: "plugins",
			body: map[string]any{"name": "key-auth"}},
		{name: "invalid target", collection: "/upstreams/u1/targets", entity: "targets",
			body: map[string]any{"target": "not a host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.must(http.StatusCreated, http.MethodPost, "/upstreams", map[string]any{"name": "u1"})
			h.must(http.StatusCreated, http.MethodPost, "/consumers",
				map[string]any{"username": "c1", "id": "00000000-0000-4000-8000-000000000001"})
			vStatus, vBody := h.call(http.MethodPost, "/schemas/"+tt.entity+"/validate", tt.body)
			list := map[string]string{"targets": "/upstreams/u1/targets", "keyauth_credentials": "/key-auths"}[tt.entity]
			if list == "" {
				list = "/" + tt.entity
			}
			before := h.must(http.StatusOK, http.MethodGet, list, nil)
			if n := len(before["data"].([]any)); n != 0 {
				t.Fatalf("validate stored something: %v", before)
			}
			wStatus, wBody := h.call(http.MethodPost, tt.collection, tt.body)
			if wStatus == http.StatusCreated {
				if vStatus != http.StatusOK || vBody["message"] != "schema validation successful" {
					t.Errorf("write succeeded but validate = %d %v", vStatus, vBody)
				}
				return
			}
			if vStatus != wStatus || !reflect.DeepEqual(vBody, wBody) {
				t.Errorf("validate = %d %v\nwrite    = %d %v", vStatus, vBody, wStatus, wBody)
			}
		})
	}
}

// Validation, like Kong's, checks neither uniqueness nor that a foreign key points at an existing row.
func TestValidateSkipsDatabaseChecks(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "s1", "host": "a.test"})
	h.must(http.StatusOK, http.MethodPost, "/schemas/services/validate", map[string]any{"name": "s1", "host": "a.test"})
	h.must(http.StatusOK, http.MethodPost, "/schemas/routes/validate", map[string]any{
		"paths": []any{"/x"}, "service": map[string]any{"id": "00000000-0000-4000-8000-00000000000f"}})
	h.must(http.StatusOK, http.MethodPost, "/schemas/vaults/validate", map[string]any{"name": "env", "prefix": "my-env"})
	// A ttl out of range is a schema error here and, as in Kong's DAO, an invalid option on a write.
	ttl := map[string]any{"key": "k", "ttl": -1, "consumer": map[string]any{"id": "00000000-0000-4000-8000-000000000001"}}
	body := h.must(http.StatusBadRequest, http.MethodPost, "/schemas/keyauth_credentials/validate", ttl)
	if body["message"] != "schema violation (ttl: must be an integer between 0 and 100000000)" {
		t.Errorf("validate ttl -1 = %v", body)
	}
	h.must(http.StatusCreated, http.MethodPost, "/consumers",
		map[string]any{"username": "c1", "id": "00000000-0000-4000-8000-000000000001"})
	body = h.must(http.StatusBadRequest, http.MethodPost, "/consumers/c1/key-auth", ttl)
	if body["message"] != "invalid option (ttl: must be an integer between 0 and 100000000)" {
		t.Errorf("write ttl -1 = %v", body)
	}
	body = h.must(http.StatusBadRequest, http.MethodPost, "/schemas/vaults/validate", map[string]any{"name": "env"})
	if body["name"] != "schema violation" {
		t.Errorf("vault without prefix = %v", body)
	}
}

// Kong validates against every DAO's schema, stored or not by kongsim.
func TestValidateSchemaOnlyEntities(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusOK, http.MethodPost, "/schemas/tags/validate", map[string]any{
		"tag": "t", "entity_name": "services", "entity_id": "00000000-0000-4000-8000-000000000001"})
	body := h.must(http.StatusBadRequest, http.MethodPost, "/schemas/tags/validate", map[string]any{"tag": "t"})
	if body["name"] != "schema violation" {
		t.Errorf("tag without entity = %v", body)
	}
	h.must(http.StatusNotFound, http.MethodPost, "/schemas/nothing/validate", map[string]any{})
}

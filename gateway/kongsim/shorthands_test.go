package kongsim_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/kong/go-kong/kong"
)

// redisShorthands are rate-limiting's deprecated config fields and the config.redis field each mirrors.
var redisShorthands = map[string]string{
	"redis_host": "host", "redis_port": "port", "redis_password": "password", "redis_username": "username",
	"redis_ssl": "ssl", "redis_ssl_verify": "ssl_verify", "redis_server_name": "server_name",
	"redis_timeout": "timeout", "redis_database": "database",
}

// checkShorthandsMirrored fails unless config holds every deprecated redis_* field with config.redis's value.
func checkShorthandsMirrored(t *testing.T, where string, config map[string]any) {
	t.Helper()
	redis, ok := config["redis"].(map[string]any)
	if !ok {
		t.Fatalf("%s: config.redis = %v", where, config["redis"])
	}
	for short, field := range redisShorthands {
		got, present := config[short]
		if !present || got != redis[field] {
			t.Errorf("%s: config.%s = %v (present %v), want config.redis.%s = %v", where, short, got, present, field, redis[field])
		}
	}
}

// Kong 3.9 returns a plugin's deprecated shorthand fields in every response (process_auto_fields, "select").
func TestDeprecatedShorthandsInResponses(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	created, err := h.client.Plugins.Create(c, &kong.Plugin{Name: kong.String("rate-limiting"), Config: kong.Configuration{
		"minute": 5, "policy": "redis", "redis": map[string]any{"host": "redis.test"},
	}})
	if err != nil {
		t.Fatalf("creating plugin: %v", err)
	}
	checkShorthandsMirrored(t, "go-kong create", created.Config)
	if created.Config["redis_host"] != "redis.test" || created.Config["redis_port"] != float64(6379) {
		t.Errorf("redis_host, redis_port = %v, %v", created.Config["redis_host"], created.Config["redis_port"])
	}
	if v, ok := created.Config["redis_password"]; !ok || v != nil {
		t.Errorf("redis_password = %v (present %v), want null", v, ok)
	}
	id := "/plugins/" + *created.ID
	got := h.must(http.StatusOK, http.MethodGet, id, nil)
	list := h.must(http.StatusOK, http.MethodGet, "/plugins", nil)
	put := h.must(http.StatusOK, http.MethodPut, id, map[string]any{"name": "rate-limiting",
		"config": map[string]any{"minute": 5, "redis": map[string]any{"host": "other.test", "timeout": 100}}})
	patch := h.must(http.StatusOK, http.MethodPatch, id, map[string]any{"config": map[string]any{"hour": 50}})
	for _, tc := range []struct {
		name   string
		config any
	}{
		{name: "GET", config: got["config"]},
		{name: "list", config: list["data"].([]any)[0].(map[string]any)["config"]},
		{name: "PUT", config: put["config"]},
		{name: "PATCH", config: patch["config"]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkShorthandsMirrored(t, tc.name, tc.config.(map[string]any))
		})
	}
	if cfg := patch["config"].(map[string]any); cfg["redis_host"] != "other.test" || cfg["redis_timeout"] != float64(100) {
		t.Errorf("after PATCH redis_host, redis_timeout = %v, %v", cfg["redis_host"], cfg["redis_timeout"])
	}
	plain := h.must(http.StatusCreated, http.MethodPost, "/plugins", map[string]any{"name": "cors"})
	for key := range plain["config"].(map[string]any) {
		if _, isShorthand := redisShorthands[key]; isShorthand {
			t.Errorf("cors config has %s; only plugins with deprecated shorthands echo them", key)
		}
	}
}

// Kong accepts a deprecated shorthand next to its replacement when both agree (validate_deprecation_exclusiveness)
// and rejects disagreeing or ill-typed ones before validation, keyed by the shorthand's own name.
func TestDeprecatedShorthandsOnWrite(t *testing.T) {
	const mismatch = "both deprecated and new field are used but their values mismatch: "
	tests := []struct {
		name       string
		method     string
		config     map[string]any
		wantStatus int
		wantHost   any
		wantFields map[string]any
	}{
		{
			name: "a GET response written back", method: http.MethodPut,
			config: map[string]any{"minute": 5, "redis": map[string]any{"host": "a.test", "port": 6379},
				"redis_host": "a.test", "redis_port": 6379, "redis_password": nil, "redis_ssl": false},
			wantStatus: http.StatusOK, wantHost: "a.test",
		},
		{
			name: "shorthand alone", method: http.MethodPut,
			config:     map[string]any{"minute": 5, "redis_host": "b.test"},
			wantStatus: http.StatusOK, wantHost: "b.test",
		},
		{
			name: "shorthand replaces the stored value on PATCH", method: http.MethodPatch,
			config:     map[string]any{"redis_host": "c.test"},
			wantStatus: http.StatusOK, wantHost: "c.test",
		},
		{
			name: "disagreeing values", method: http.MethodPut,
			config:     map[string]any{"minute": 5, "redis": map[string]any{"host": "a.test"}, "redis_host": "d.test"},
			wantStatus: http.StatusBadRequest,
			wantFields: map[string]any{"redis_host": mismatch + "redis_host = d.test vs redis.host = a.test"},
		},
		{
			name: "disagreeing values in one PATCH", method: http.MethodPatch,
			config:     map[string]any{"redis": map[string]any{"port": 1}, "redis_port": 2},
			wantStatus: http.StatusBadRequest,
			wantFields: map[string]any{"redis_port": mismatch + "redis_port = 2 vs redis.port = 1"},
		},
		{
			name: "ill-typed shorthand", method: http.MethodPut,
			config:     map[string]any{"minute": 5, "redis_port": "6379", "hour": "x"},
			wantStatus: http.StatusBadRequest,
			wantFields: map[string]any{"redis_port": "expected an integer"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := "/plugins/6a7f0b8e-1d2c-4f3a-9b5e-0c1d2e3f4a5b"
			h.must(http.StatusOK, http.MethodPut, id, map[string]any{"name": "rate-limiting",
				"config": map[string]any{"minute": 5, "redis": map[string]any{"host": "stored.test"}}})
			body := map[string]any{"config": tc.config}
			if tc.method == http.MethodPut {
				body["name"] = "rate-limiting"
			}
			status, out := h.call(tc.method, id, body)
			if status != tc.wantStatus {
				t.Fatalf("%s %s = %d %v, want %d", tc.method, id, status, out, tc.wantStatus)
			}
			if tc.wantFields != nil {
				if out["code"] != float64(2) || !reflect.DeepEqual(out["fields"], tc.wantFields) {
					t.Errorf("error = %v, want code 2 and fields %v", out, tc.wantFields)
				}
				return
			}
			config := out["config"].(map[string]any)
			if host := config["redis"].(map[string]any)["host"]; host != tc.wantHost || config["redis_host"] != tc.wantHost {
				t.Errorf("redis.host, redis_host = %v, %v, want %v", host, config["redis_host"], tc.wantHost)
			}
		})
	}
}

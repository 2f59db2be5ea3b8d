//go:build integration

package integration

import (
	"net/http"
	"strings"
	"testing"
)

func TestHandshake(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	root, err := k.client.Root(ctx(t))
	if err != nil {
		t.Fatalf("go-kong Root: %v", err)
	}
	version, _ := root["version"].(string)
	if !strings.HasPrefix(version, "3.9.") {
		t.Fatalf("version = %q, want 3.9.x (these tests are written for Kong 3.9)", version)
	}
	if root["edition"] != "community" {
		t.Errorf("edition = %v, want community", root["edition"])
	}
	for _, field := range []string{"tagline", "hostname", "node_id", "lua_version"} {
		if s, _ := root[field].(string); s == "" {
			t.Errorf("GET / %s = %v, want a string", field, root[field])
		}
	}
	conf, _ := root["configuration"].(map[string]any)
	for field, want := range map[string]any{"database": "postgres", "role": "traditional", "router_flavor": "traditional_compatible"} {
		if conf[field] != want {
			t.Errorf("configuration.%s = %v, want %v", field, conf[field], want)
		}
	}
	plugins, _ := root["plugins"].(map[string]any)
	available, _ := plugins["available_on_server"].(map[string]any)
	for _, name := range []string{"key-auth", "basic-auth", "jwt", "hmac-auth", "oauth2", "acl", "rate-limiting",
		"request-transformer", "response-transformer", "cors", "ip-restriction", "request-size-limiting",
		"request-termination", "proxy-cache", "correlation-id", "bot-detection", "http-log", "file-log", "prometheus"} {
		info, ok := available[name].(map[string]any)
		if !ok {
			t.Errorf("plugin %s missing from available_on_server", name)
			continue
		}
		if _, ok := info["version"].(string); !ok {
			t.Errorf("available_on_server[%s].version = %v, want a string", name, info["version"])
		}
		if _, ok := info["priority"].(float64); !ok {
			t.Errorf("available_on_server[%s].priority = %v, want a number", name, info["priority"])
		}
	}
	if _, ok := plugins["enabled_in_cluster"].([]any); !ok {
		t.Errorf("enabled_in_cluster = %#v, want an array", plugins["enabled_in_cluster"])
	}

	for _, path := range []string{"/", "/status", "/services", "/" + k.name("nowhere")} {
		r := k.do(http.MethodGet, path, nil)
		if got := r.header.Get("Server"); got != "kong/"+version {
			t.Errorf("GET %s: Server header = %q, want kong/%s", path, got, version)
		}
	}

	status := k.must(http.StatusOK, http.MethodGet, "/status", nil)
	db, _ := status["database"].(map[string]any)
	if db["reachable"] != true {
		t.Errorf("status database = %v, want reachable true", status["database"])
	}
	server, _ := status["server"].(map[string]any)
	for _, field := range []string{"connections_accepted", "connections_active", "connections_handled",
		"connections_reading", "connections_waiting", "connections_writing", "total_requests"} {
		if _, ok := server[field].(float64); !ok {
			t.Errorf("status server.%s = %v, want a number", field, server[field])
		}
	}
	if _, ok := status["memory"].(map[string]any); !ok {
		t.Errorf("status memory = %v, want an object", status["memory"])
	}
}

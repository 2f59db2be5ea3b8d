package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decode turns a JSON literal into the value encoding/json would give a server.
func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func mustEntity(t *testing.T, name string) *Schema {
	t.Helper()
	s, ok := Entity(name)
	if !ok {
		t.Fatalf("no entity %q", name)
	}
	return s
}

func TestFill(t *testing.T) {
	tests := []struct {
		name   string
		entity string
		input  string
		want   string // the fields of the filled object to compare, as JSON
	}{
		{
			name: "service defaults", entity: "services", input: `{"host":"example.com"}`,
			want: `{"ca_certificates":null,"client_certificate":null,"connect_timeout":60000,"enabled":true,
				"host":"example.com","name":null,"path":null,"port":80,"protocol":"http","read_timeout":60000,
				"retries":5,"tags":null,"tls_verify":null,"tls_verify_depth":null,"write_timeout":60000}`,
		},
		{
			name: "service url shorthand", entity: "services", input: `{"url":"https://api.example.com:8443/v1"}`,
			want: `{"protocol":"https","host":"api.example.com","port":8443,"path":"/v1"}`,
		},
		{
			name: "route defaults", entity: "routes", input: `{"paths":["/a"]}`,
			want: `{"protocols":["http","https"],"https_redirect_status_code":426,"strip_path":true,
				"preserve_host":false,"request_buffering":true,"response_buffering":true,"regex_priority":0,
				"path_handling":"v0","service":null,"snis":null,"sources":null,"destinations":null,"methods":null,
				"hosts":null,"headers":null,"paths":["/a"],"name":null,"tags":null}`,
		},
		{
			name: "grpc route does not strip path", entity: "routes", input: `{"protocols":["grpc"],"hosts":["a"]}`,
			want: `{"strip_path":false}`,
		},
		{
			name: "route sources are filled records", entity: "routes",
			input: `{"protocols":["tcp"],"sources":[{"ip":"10.0.0.1"}]}`,
			want:  `{"sources":[{"ip":"10.0.0.1","port":null}]}`,
		},
		{
			name: "set duplicates removed", entity: "routes", input: `{"methods":["GET","GET","POST"]}`,
			want: `{"methods":["GET","POST"]}`,
		},
		{
			name: "upstream healthchecks", entity: "upstreams", input: `{"name":"u"}`,
			want: `{"algorithm":"round-robin","hash_on":"none","hash_fallback":"none","hash_on_cookie_path":"/",
				"slots":10000,"use_srv_name":false,"healthchecks":{"threshold":0,
				"active":{"type":"http","timeout":1,"concurrency":10,"http_path":"/","https_sni":null,
					"https_verify_certificate":true,"headers":null,
					"healthy":{"interval":0,"http_statuses":[200,302],"successes":0},
					"unhealthy":{"interval":0,"http_statuses":[429,404,500,501,502,503,504,505],"tcp_failures":0,
						"timeouts":0,"http_failures":0}},
				"passive":{"type":"http",
					"healthy":{"http_statuses":[200,201,202,203,204,205,206,207,208,226,300,301,302,303,304,305,306,307,308],"successes":0},
					"unhealthy":{"http_statuses":[429,500,503],"tcp_failures":0,"timeouts":0,"http_failures":0}}}}`,
		},
		{
			name: "partial healthchecks keep given values", entity: "upstreams",
			input: `{"name":"u","healthchecks":{"active":{"timeout":5}}}`,
			want: `{"healthchecks":{"threshold":0,"active":{"type":"http","timeout":5,"concurrency":10,"http_path":"/",
				"https_sni":null,"https_verify_certificate":true,"headers":null,
				"healthy":{"interval":0,"http_statuses":[200,302],"successes":0},
				"unhealthy":{"interval":0,"http_statuses":[429,404,500,501,502,503,504,505],"tcp_failures":0,
					"timeouts":0,"http_failures":0}},
				"passive":{"type":"http",
					"healthy":{"http_statuses":[200,201,202,203,204,205,206,207,208,226,300,301,302,303,304,305,306,307,308],"successes":0},
					"unhealthy":{"http_statuses":[429,500,503],"tcp_failures":0,"timeouts":0,"http_failures":0}}}}`,
		},
		{
			name: "least-connections clears hash_on", entity: "upstreams",
			input: `{"name":"u","algorithm":"least-connections","hash_on":"none"}`,
			want:  `{"algorithm":"least-connections","hash_on":"none"}`,
		},
		{
			name: "hash_on selects consistent hashing", entity: "upstreams", input: `{"name":"u","hash_on":"ip"}`,
			want: `{"algorithm":"consistent-hashing","hash_on":"ip"}`,
		},
		{
			name: "rate-limiting config", entity: "plugins", input: `{"name":"rate-limiting","config":{"minute":5}}`,
			want: `{"protocols":["grpc","grpcs","http","https"],"enabled":true,"route":null,"service":null,
				"consumer":null,"instance_name":null,"tags":null,"config":{"second":null,"minute":5,"hour":null,
				"day":null,"month":null,"year":null,"limit_by":"consumer","header_name":null,"path":null,
				"policy":"local","fault_tolerant":true,"hide_client_headers":false,"error_code":429,
				"error_message":"API rate limit exceeded","sync_rate":-1,
				"redis":{"host":null,"port":6379,"timeout":2000,"username":null,"password":null,"database":0,
					"ssl":false,"ssl_verify":false,"server_name":null}}}`,
		},
		{
			name: "deprecated redis shorthand", entity: "plugins",
			input: `{"name":"rate-limiting","config":{"minute":5,"redis_host":"r.local"}}`,
			want: `{"config":{"second":null,"minute":5,"hour":null,"day":null,"month":null,"year":null,
				"limit_by":"consumer","header_name":null,"path":null,"policy":"local","fault_tolerant":true,
				"hide_client_headers":false,"error_code":429,"error_message":"API rate limit exceeded","sync_rate":-1,
				"redis":{"host":"r.local","port":6379,"timeout":2000,"username":null,"password":null,"database":0,
					"ssl":false,"ssl_verify":false,"server_name":null}}}`,
		},
		{
			name: "key-auth ttl", entity: "keyauth_credentials", input: `{"consumer":{"id":"x"}}`,
			want: `{"ttl":null,"key":null,"tags":null}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := decode(t, tt.input)
			before := decode(t, tt.input)
			got := mustEntity(t, tt.entity).Fill(input)
			if !reflect.DeepEqual(input, before) {
				t.Errorf("Fill modified its input: %v", input)
			}
			for k, want := range decode(t, tt.want) {
				if !reflect.DeepEqual(got[k], want) {
					gotJSON, _ := json.Marshal(got[k])
					wantJSON, _ := json.Marshal(want)
					t.Errorf("field %s = %s, want %s", k, gotJSON, wantJSON)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		entity string
		input  string
		want   string // expected errors as JSON; "" = valid
	}{
		{name: "valid service", entity: "services", input: `{"host":"example.com"}`},
		{name: "required", entity: "services", input: `{}`, want: `{"host":"required field missing"}`},
		{name: "expected a string", entity: "services", input: `{"host":1}`, want: `{"host":"expected a string"}`},
		{name: "expected an integer", entity: "services", input: `{"host":"a","port":1.5}`,
			want: `{"port":"expected an integer"}`},
		{name: "expected a boolean", entity: "services", input: `{"host":"a","enabled":"yes"}`,
			want: `{"enabled":"expected a boolean"}`},
		{name: "between", entity: "services", input: `{"host":"a","port":70000}`,
			want: `{"port":"value should be between 0 and 65535"}`},
		{name: "one of", entity: "services", input: `{"host":"a","protocol":"ftp"}`,
			want: `{"protocol":"expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"}`},
		{name: "unknown field", entity: "services", input: `{"host":"a","colour":"red"}`,
			want: `{"colour":"unknown field"}`},
		{name: "empty string", entity: "consumers", input: `{"username":""}`,
			want: `{"username":"length must be at least 1",
				"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}`},
		{name: "host with port", entity: "services", input: `{"host":"a:80"}`, want: `{"host":"must not have a port"}`},
		{name: "path for tcp", entity: "services", input: `{"host":"a","protocol":"tcp","path":"/x"}`,
			want: `{"path":"value must be null","@entity":["failed conditional validation given value of field 'protocol'"]}`},
		{name: "consumer needs username or custom_id", entity: "consumers", input: `{}`,
			want: `{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}`},
		{name: "http route needs a matcher", entity: "routes", input: `{"protocols":["http"]}`,
			want: `{"@entity":["must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"]}`},
		{name: "https route needs a matcher", entity: "routes", input: `{}`,
			want: `{"@entity":["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"]}`},
		{name: "tcp route", entity: "routes", input: `{"protocols":["tcp"],"paths":["/a"]}`,
			want: `{"paths":"cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'",
				"@entity":["must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'"]}`},
		{name: "route path element", entity: "routes", input: `{"paths":["/a","b"]}`,
			want: `{"paths":[null,"should start with: / (fixed path) or ~/ (regex path)"]}`},
		{name: "mixed protocols", entity: "routes", input: `{"protocols":["http","tcp"],"paths":["/a"]}`,
			want: `{"protocols":"these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')"}`},
		{name: "snis on http", entity: "routes", input: `{"protocols":["http"],"hosts":["a"],"snis":["a.com"]}`,
			want: `{"snis":"length must be 0","@entity":["'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"]}`},
		{name: "foreign without id", entity: "routes", input: `{"paths":["/"],"service":{}}`,
			want: `{"service":{"id":"missing primary key"}}`},
		{name: "foreign bad uuid", entity: "routes", input: `{"paths":["/"],"service":{"id":"x"}}`,
			want: `{"service":{"id":"expected a valid UUID"}}`},
		{name: "expected an array", entity: "routes", input: `{"paths":"/a"}`, want: `{"paths":"expected an array"}`},
		{name: "expected a set", entity: "routes", input: `{"paths":["/"],"methods":"GET"}`,
			want: `{"methods":"expected a set"}`},
		{name: "expected a map", entity: "routes", input: `{"headers":"x"}`, want: `{"headers":"expected a map"}`},
		{name: "expected a record", entity: "upstreams", input: `{"name":"u","healthchecks":"x"}`,
			want: `{"healthchecks":"expected a record"}`},
		{name: "keys need jwk or pem", entity: "keys", input: `{"kid":"k"}`,
			want: `{"@entity":["at least one of these fields must be non-empty: 'jwk', 'pem'"]}`},
		{name: "keys not both", entity: "keys", input: `{"kid":"k","jwk":"{\"kid\":\"k\"}","pem":{"public_key":"x"}}`,
			want: `{"@entity":["only one or none of these fields must be set: 'jwk', 'pem'"]}`},
		{name: "jwt RS256 needs key", entity: "jwt_secrets", input: `{"consumer":{"id":"4fd8d8d5-4c50-4b2a-a0e6-0e4e5e8b6c4a"},"algorithm":"RS256"}`,
			want: `{"rsa_public_key":"required field missing","@entity":["failed conditional validation given value of field 'algorithm'"]}`},
		{name: "unknown plugin", entity: "plugins", input: `{"name":"nope"}`,
			want: `{"name":"plugin 'nope' not enabled; add it to the 'plugins' configuration property"}`},
		{name: "rate-limiting nested type", entity: "plugins", input: `{"name":"rate-limiting","config":{"minute":"x"}}`,
			want: `{"config":{"minute":"expected a number"}}`},
		{name: "rate-limiting needs a limit", entity: "plugins", input: `{"name":"rate-limiting"}`,
			want: `{"@entity":["at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'"]}`},
		{name: "rate-limiting period order", entity: "plugins", input: `{"name":"rate-limiting","config":{"second":10,"minute":5}}`,
			want: `{"config":"The limit for minute(5.0) cannot be lower than the limit for second(10.0)"}`},
		{name: "rate-limiting redis needs host", entity: "plugins", input: `{"name":"rate-limiting","config":{"minute":5,"policy":"redis"}}`,
			want: `{"config":{"redis":{"host":"required field missing"}},"@entity":["failed conditional validation given value of field 'config.policy'"]}`},
		{name: "ip-restriction needs allow or deny", entity: "plugins", input: `{"name":"ip-restriction"}`,
			want: `{"@entity":["at least one of these fields must be non-empty: 'config.allow', 'config.deny'"]}`},
		{name: "acl not both", entity: "plugins", input: `{"name":"acl","config":{"allow":["a"],"deny":["b"]}}`,
			want: `{"@entity":["exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"]}`},
		{name: "key-auth has no consumer scope", entity: "plugins",
			input: `{"name":"key-auth","consumer":{"id":"4fd8d8d5-4c50-4b2a-a0e6-0e4e5e8b6c4a"}}`,
			want:  `{"consumer":"value must be null"}`},
		{name: "oauth2 needs a flow", entity: "plugins", input: `{"name":"oauth2","config":{"provision_key":"p"}}`,
			want: `{"config":"at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant"}`},
		{name: "http-log needs endpoint", entity: "plugins", input: `{"name":"http-log"}`,
			want: `{"config":{"http_endpoint":"required field missing"}}`},
		{name: "ttl range", entity: "keyauth_credentials",
			input: `{"consumer":{"id":"4fd8d8d5-4c50-4b2a-a0e6-0e4e5e8b6c4a"},"key":"k","ttl":-1}`,
			want:  `{"ttl":"must be an integer between 0 and 100000000"}`},
		{name: "tag with comma", entity: "consumers", input: `{"username":"u","tags":["a,b"]}`,
			want: "{\"tags\":[\"invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences\"]}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustEntity(t, tt.entity)
			got := s.Validate(s.Fill(decode(t, tt.input)))
			if tt.want == "" {
				if got != nil {
					t.Fatalf("Validate = %v, want valid", got)
				}
				return
			}
			gotJSON, _ := json.Marshal(got)
			var gotValue any
			_ = json.Unmarshal(gotJSON, &gotValue)
			var want any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if !reflect.DeepEqual(gotValue, want) {
				t.Errorf("Validate = %s\nwant       %s", gotJSON, tt.want)
			}
		})
	}
}

func TestViolationMessage(t *testing.T) {
	tests := []struct {
		name   string
		fields string
		want   string
	}{
		{name: "one field", fields: `{"host":"required field missing"}`,
			want: "schema violation (host: required field missing)"},
		{name: "sorted fields", fields: `{"port":"expected an integer","host":"required field missing"}`,
			want: "2 schema violations (host: required field missing; port: expected an integer)"},
		{name: "nested", fields: `{"config":{"minute":"expected a number"}}`,
			want: "schema violation (config.minute: expected a number)"},
		{name: "entity checks first", fields: `{"path":"value must be null","@entity":["failed conditional validation given value of field 'protocol'"]}`,
			want: "2 schema violations (failed conditional validation given value of field 'protocol'; path: value must be null)"},
		{name: "array elements", fields: `{"paths":[null,"bad"]}`, want: "schema violation (paths.2: bad)"},
		{name: "deeper tables", fields: `{"config":{"redis":{"host":"required field missing"}}}`,
			want: "schema violation (config.redis: {\n  host = \"required field missing\"\n})"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ViolationMessage(decode(t, tt.fields)); got != tt.want {
				t.Errorf("ViolationMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func lookupServed(t *testing.T, body map[string]any, name string) map[string]any {
	t.Helper()
	for _, entry := range body["fields"].([]any) {
		if f, ok := entry.(map[string]any)[name]; ok {
			return f.(map[string]any)
		}
	}
	t.Fatalf("served schema has no field %q", name)
	return nil
}

func TestServed(t *testing.T) {
	services := mustEntity(t, "services").Served()
	port := lookupServed(t, services, "port")
	if port["type"] != "integer" || port["default"] != float64(80) || port["required"] != true {
		t.Errorf("services port served as %v", port)
	}
	if _, ok := services["entity_checks"].([]any); !ok {
		t.Errorf("services served without entity_checks: %v", services)
	}
	depth := lookupServed(t, services, "tls_verify_depth")
	if d, ok := depth["default"]; !ok || d != nil {
		t.Errorf("tls_verify_depth must serve a null default, got %v", depth)
	}

	rl, _ := Plugin("rate-limiting")
	body := rl.Served()
	if len(body["fields"].([]any)) != 2 {
		t.Errorf("rate-limiting serves %d fields, want protocols and config only", len(body["fields"].([]any)))
	}
	protocols := lookupServed(t, body, "protocols")
	if !reflect.DeepEqual(protocols["default"], []any{"grpc", "grpcs", "http", "https"}) {
		t.Errorf("protocols default = %v", protocols["default"])
	}
	config := lookupServed(t, body, "config")
	var redis map[string]any
	for _, entry := range config["fields"].([]any) {
		if r, ok := entry.(map[string]any)["redis"]; ok {
			redis = r.(map[string]any)
		}
	}
	if redis["required"] != true {
		t.Errorf("config.redis must be served as a required record, got %v", redis)
	}
	if _, ok := config["shorthand_fields"]; !ok {
		t.Errorf("config must serve its deprecated shorthand fields")
	}
	if _, err := json.Marshal(body); err != nil {
		t.Errorf("served body does not encode: %v", err)
	}
}

// TestServedDefaultsMatchFill checks that what a client derives from the served schema (the defaults, as
// go-kong reads them) is what Fill stores, for every entity decK fills from /schemas and every plugin.
func TestServedDefaultsMatchFill(t *testing.T) {
	check := func(t *testing.T, served []any, filled map[string]any) {
		for _, entry := range served {
			for name, def := range entry.(map[string]any) {
				d := def.(map[string]any)
				if d["type"] == "record" {
					continue
				}
				got := filled[name]
				if elems, ok := d["elements"].(map[string]any); ok && elems["type"] == "record" {
					// Kong serves a default array of records as declared and reads it back with every
					// record's missing fields null (process_auto_fields in "select" context).
					got = dropRecordNulls(got)
				}
				if want, ok := d["default"]; ok && !reflect.DeepEqual(got, want) {
					t.Errorf("%s: served default %v, filled %v", name, want, got)
				}
			}
		}
	}
	for _, name := range []string{"services", "routes", "upstreams", "targets"} {
		t.Run(name, func(t *testing.T) {
			s := mustEntity(t, name)
			check(t, s.Served()["fields"].([]any), s.Fill(map[string]any{}))
		})
	}
	for _, p := range Plugins() {
		t.Run(p.Name, func(t *testing.T) {
			s, _ := Plugin(p.Name)
			config := lookupServed(t, s.Served(), "config")
			filled := s.Fill(map[string]any{"name": p.Name})
			check(t, config["fields"].([]any), filled["config"].(map[string]any))
		})
	}
}

func dropRecordNulls(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			out[i] = e
			continue
		}
		kept := map[string]any{}
		for k, x := range m {
			if x != nil {
				kept[k] = x
			}
		}
		out[i] = kept
	}
	return out
}

// minimalConfigs supplies what a plugin requires beyond its defaults.
var minimalConfigs = map[string]string{
	"acl":            `{"allow":["admins"]}`,
	"file-log":       `{"path":"/tmp/log"}`,
	"http-log":       `{"http_endpoint":"http://log.example.com/"}`,
	"ip-restriction": `{"allow":["10.0.0.0/8"]}`,
	"oauth2":         `{"enable_client_credentials":true}`,
	"proxy-cache":    `{"strategy":"memory"}`,
	"rate-limiting":  `{"minute":10}`,

	"acme":                    `{"account_email":"ops@example.com"}`,
	"ai-prompt-decorator":     `{"prompts":{"prepend":[{"content":"Be brief."}]}}`,
	"ai-prompt-guard":         `{"deny_patterns":[".*password.*"]}`,
	"ai-prompt-template":      `{"templates":[{"name":"t","template":"Say {{x}}"}]}`,
	"ai-proxy":                `{"route_type":"llm/v1/chat","model":{"provider":"openai"}}`,
	"ai-request-transformer":  `{"prompt":"p","llm":{"route_type":"llm/v1/chat","model":{"provider":"openai"}}}`,
	"ai-response-transformer": `{"prompt":"p","llm":{"route_type":"llm/v1/chat","model":{"provider":"openai"}}}`,
	"azure-functions":         `{"appname":"a","functionname":"f"}`,
	"ldap-auth":               `{"ldap_host":"ldap.example.com","base_dn":"dc=example,dc=com","attribute":"cn"}`,
	"loggly":                  `{"key":"k"}`,
	"opentelemetry":           `{"traces_endpoint":"http://otel.example.com:4318/v1/traces"}`,
	"post-function":           `{"access":["kong.log.info('x')"]}`,
	"pre-function":            `{"access":["kong.log.info('x')"]}`,
	"redirect":                `{"location":"https://example.com/"}`,
	"response-ratelimiting":   `{"limits":{"video":{"minute":10}}}`,
	"standard-webhooks":       `{"secret_v1":"s"}`,
	"tcp-log":                 `{"host":"log.example.com","port":9000}`,
	"udp-log":                 `{"host":"log.example.com","port":9000}`,
}

func TestEveryPluginFillsValid(t *testing.T) {
	names := Plugins()
	if len(names) < 19 {
		t.Fatalf("only %d bundled plugins", len(names))
	}
	for _, p := range names {
		t.Run(p.Name, func(t *testing.T) {
			if p.Version != KongVersion || p.Priority == 0 {
				t.Errorf("plugin info %+v", p)
			}
			s, _ := Plugin(p.Name)
			obj := map[string]any{"name": p.Name}
			if c, ok := minimalConfigs[p.Name]; ok {
				obj["config"] = decode(t, c)
			}
			filled := s.Fill(s.Auto(obj, time.Unix(1700000000, 0), true))
			if errs := s.Validate(filled); errs != nil {
				t.Errorf("filled %s does not validate: %v (%s)", p.Name, errs, ViolationMessage(errs))
			}
			generic := mustEntity(t, "plugins")
			if errs := generic.Validate(generic.Fill(filled)); errs != nil {
				t.Errorf("generic plugins entity rejects %s: %v", p.Name, errs)
			}
		})
	}
}

func TestAuto(t *testing.T) {
	now := time.Unix(1700000000, 500_000_000)
	s := mustEntity(t, "keyauth_credentials")
	got := s.Auto(map[string]any{"consumer": map[string]any{"id": "c"}}, now, true)
	if id, _ := got["id"].(string); !uuidPattern.MatchString(id) {
		t.Errorf("id = %v", got["id"])
	}
	if key, _ := got["key"].(string); len(key) != 32 || strings.ContainsAny(key, "+/") {
		t.Errorf("key = %v", got["key"])
	}
	if got["created_at"] != float64(1700000000) {
		t.Errorf("created_at = %v", got["created_at"])
	}
	targets := mustEntity(t, "targets")
	if got := targets.Auto(map[string]any{}, now, true); got["created_at"] != 1700000000.5 {
		t.Errorf("target created_at = %v, want fractional seconds", got["created_at"])
	}
	oauth2, _ := Plugin("oauth2")
	got = oauth2.Auto(map[string]any{"name": "oauth2"}, now, true)
	config, _ := got["config"].(map[string]any)
	if key, _ := config["provision_key"].(string); len(key) != 32 {
		t.Errorf("provision_key = %v", config["provision_key"])
	}
	kept := s.Auto(map[string]any{"id": "given", "created_at": 5.0}, now, false)
	if kept["id"] != "given" || kept["created_at"] != 5.0 {
		t.Errorf("update must keep id and created_at: %v", kept)
	}
}

func TestLuaPatterns(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"^%u+$", "GET", true},
		{"^%u+$", "get", false},
		{"^[^:]+:.*$", "a:b", true},
		{"^[^:]+:.*$", ":b", false},
		{"^[a-z][a-z%d-]-[a-z%d]+$", "my-vault1", true},
		{"^[a-z][a-z%d-]-[a-z%d]+$", "my-", false},
		{"^[^*&%%\\`]+$", "/tmp/file.log", true},
		{"^[^*&%%\\`]+$", "/tmp/a%b", false},
		{"%.%*$", "example.*", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.value, func(t *testing.T) {
			if got := luaMatch(tt.pattern, tt.value); got != tt.want {
				t.Errorf("luaMatch = %v, want %v (regexp %s)", got, tt.want, luaToRegexp(tt.pattern))
			}
		})
	}
}

package schema

import (
	"fmt"
	"net/url"
	"strings"
)

// The bundled plugins: one table per plugin, transcribed from kong/plugins/<name>/schema.lua and the
// PRIORITY of its handler.lua in Kong 3.9.

var plugins = map[string]*Schema{}

type pluginDef struct {
	name     string
	priority int
	fields   []Field // the plugin's own fields: consumer, protocols, config
	checks   []Check
}

func def(name string, priority int, noConsumer bool, protocolsField Field, config []Field, checks ...Check) pluginDef {
	var fields []Field
	if noConsumer {
		fields = append(fields, named("consumer", tdNoConsumer()))
	}
	fields = append(fields, named("protocols", protocolsField),
		Field{Name: "config", Type: "record", Fields: config})
	return pluginDef{name: name, priority: priority, fields: fields, checks: checks}
}

func b(name string, req bool, dflt any) Field {
	f := Field{Name: name, Type: "boolean", Required: req}
	if dflt != nil {
		f.Default, f.HasDefault = dflt, true
	}
	return f
}

func str(name string) Field { return Field{Name: name, Type: "string"} }

func strings_(name string) Field {
	return Field{Name: name, Type: "array", Elements: &Field{Type: "string"}}
}

func withConfigCheck(p pluginDef, custom func(any) string, checks ...Check) pluginDef {
	for i := range p.fields {
		if p.fields[i].Name == "config" {
			p.fields[i].Custom = custom
			p.fields[i].EntityChecks = checks
		}
	}
	return p
}

func bundledPlugins() []pluginDef {
	return []pluginDef{
		def("acl", 950, true, tdProtocolsHTTP(), []Field{
			strings_("allow"), strings_("deny"),
			b("hide_groups_header", true, false), b("always_use_authenticated_groups", true, false),
		}, Check{OnlyOneOf: []string{"config.allow", "config.deny"}},
			Check{AtLeastOneOf: []string{"config.allow", "config.deny"}}),
		def("basic-auth", 1100, true, tdProtocolsHTTP(), []Field{
			str("anonymous"), b("hide_credentials", true, false),
			{Name: "realm", Type: "string", Required: true, Default: "service", HasDefault: true},
		}),
		def("bot-detection", 2500, true, tdProtocolsHTTP(), []Field{
			{Name: "allow", Type: "array", Elements: &Field{Type: "string", IsRegex: true}, Default: []any{}, HasDefault: true},
			{Name: "deny", Type: "array", Elements: &Field{Type: "string", IsRegex: true}, Default: []any{}, HasDefault: true},
		}),
		def("correlation-id", 100001, false, tdProtocolsHTTP(), []Field{
			{Name: "header_name", Type: "string", Default: "Kong-Request-ID", HasDefault: true},
			{Name: "generator", Type: "string", Default: "uuid#counter", HasDefault: true, Required: true,
				OneOf: []any{"uuid", "uuid#counter", "tracker"}},
			b("echo_downstream", true, false),
		}),
		corsPlugin(),
		def("file-log", 9, false, tdProtocols(), []Field{
			{Name: "path", Type: "string", Required: true, Match: "^[^*&%%\\`]+$", Err: "not a valid filename"},
			b("reopen", true, false),
			named("custom_fields_by_lua", tdLuaCode()),
		}),
		hmacAuthPlugin(),
		httpLogPlugin(),
		def("ip-restriction", 990, false,
			withDefault(tdProtocols(), []any{"http", "https", "tcp", "tls", "grpc", "grpcs"}), []Field{
				{Name: "allow", Type: "array", Elements: ptr(tdIPOrCIDR())},
				{Name: "deny", Type: "array", Elements: ptr(tdIPOrCIDR())},
				{Name: "status", Type: "number", NotRequired: true},
				{Name: "message", Type: "string", NotRequired: true},
			}, Check{AtLeastOneOf: []string{"config.allow", "config.deny"}}),
		jwtPlugin(),
		def("key-auth", 1250, true, tdProtocolsHTTP(), []Field{
			{Name: "key_names", Type: "array", Required: true, Elements: ptr(tdHeaderName()),
				Default: []any{"apikey"}, HasDefault: true},
			b("hide_credentials", true, false),
			str("anonymous"),
			b("key_in_header", true, true), b("key_in_query", true, true), b("key_in_body", true, false),
			b("run_on_preflight", true, true),
			{Name: "realm", Type: "string", NotRequired: true},
		}),
		oauth2Plugin(),
		def("prometheus", 13, false, tdProtocols(), []Field{
			b("per_consumer", false, false), b("status_code_metrics", false, false), b("ai_metrics", false, false),
			b("latency_metrics", false, false), b("bandwidth_metrics", false, false),
			b("upstream_health_metrics", false, false),
		}),
		proxyCachePlugin(),
		rateLimitingPlugin(),
		requestSizeLimitingPlugin(),
		requestTerminationPlugin(),
		requestTransformerPlugin(),
		responseTransformerPlugin(),
	}
}

func corsPlugin() pluginDef {
	methods := []any{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
	return def("cors", 2000, true, tdProtocolsHTTP(), []Field{
		{Name: "origins", Type: "array", Elements: &Field{Type: "string", Custom: validRegexOrAsterisk}},
		strings_("headers"), strings_("exposed_headers"),
		{Name: "methods", Type: "array", Default: methods, HasDefault: true, Elements: &Field{Type: "string", OneOf: methods}},
		{Name: "max_age", Type: "number"},
		b("credentials", true, false), b("private_network", true, false), b("preflight_continue", true, false),
	})
}

func hmacAuthPlugin() pluginDef {
	algorithms := []any{"hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"}
	return def("hmac-auth", 1030, true, tdProtocolsHTTP(), []Field{
		b("hide_credentials", true, false),
		{Name: "clock_skew", Type: "number", Default: 300, HasDefault: true, Gt: ptrFloat(0)},
		str("anonymous"),
		b("validate_request_body", true, false),
		{Name: "enforce_headers", Type: "array", Elements: &Field{Type: "string"}, Default: []any{}, HasDefault: true},
		{Name: "algorithms", Type: "array", Elements: &Field{Type: "string", OneOf: algorithms}, Default: algorithms,
			HasDefault: true},
		{Name: "realm", Type: "string", NotRequired: true},
	})
}

func queueField() Field {
	num := func(name, typ string, dflt any, between []float64) Field {
		return Field{Name: name, Type: typ, Default: dflt, HasDefault: dflt != nil, Between: between}
	}
	return Field{Name: "queue", Type: "record", Fields: []Field{
		num("max_batch_size", "integer", 1, []float64{1, 1000000}),
		num("max_coalescing_delay", "number", 1, []float64{0, 3600}),
		num("max_entries", "integer", 10000, []float64{1, 1000000}),
		num("max_bytes", "integer", nil, nil),
		num("max_retry_time", "number", 60, nil),
		num("initial_retry_delay", "number", 0.01, []float64{0.001, 1000000}),
		num("max_retry_delay", "number", 60, []float64{0.001, 1000000}),
		{Name: "concurrency_limit", Type: "integer", Default: 1, HasDefault: true, OneOf: []any{-1, 1}},
	}}
}

func httpLogPlugin() pluginDef {
	endpoint := named("http_endpoint", required(tdURL()))
	endpoint.Encrypted, endpoint.Referenceable = true, true
	headerKeys := tdHeaderName()
	headerKeys.MatchNone = []PatternErr{
		{Pattern: "^[Hh][Oo][Ss][Tt]$", Err: "cannot contain 'Host' header"},
		{Pattern: "^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]%-[Ll][Ee][nn][Gg][Tt][Hh]$", Err: "cannot contain 'Content-Length' header"},
		{Pattern: "^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]%-[Tt][Yy][Pp][Ee]$", Err: "cannot contain 'Content-Type' header"},
	}
	p := def("http-log", 12, false, tdProtocols(), []Field{
		endpoint,
		{Name: "method", Type: "string", Default: "POST", HasDefault: true, OneOf: []any{"POST", "PUT", "PATCH"}},
		{Name: "content_type", Type: "string", Default: "application/json", HasDefault: true,
			OneOf: []any{"application/json", "application/json; charset=utf-8"}},
		{Name: "timeout", Type: "number", Default: 10000, HasDefault: true},
		{Name: "keepalive", Type: "number", Default: 60000, HasDefault: true},
		{Name: "retry_count", Type: "integer"},
		{Name: "queue_size", Type: "integer"},
		{Name: "flush_timeout", Type: "number"},
		{Name: "headers", Type: "map", Keys: &headerKeys, Values: &Field{Type: "string", Referenceable: true}},
		queueField(),
		named("custom_fields_by_lua", tdLuaCode()),
	})
	return withConfigCheck(p, func(v any) string {
		config, _ := v.(map[string]any)
		endpoint, _ := config["http_endpoint"].(string)
		headers, _ := config["headers"].(map[string]any)
		if u, err := url.Parse(endpoint); err == nil && u.User != nil {
			for name := range headers {
				if strings.EqualFold(name, "authorization") {
					return "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed"
				}
			}
		}
		return ""
	})
}

func jwtPlugin() pluginDef {
	set := func(name string, dflt []any) Field {
		f := Field{Name: name, Type: "set", Elements: &Field{Type: "string"}}
		if dflt != nil {
			f.Default, f.HasDefault = dflt, true
		}
		return f
	}
	return def("jwt", 1450, true, tdProtocolsHTTP(), []Field{
		set("uri_param_names", []any{"jwt"}),
		set("cookie_names", []any{}),
		{Name: "key_claim_name", Type: "string", Default: "iss", HasDefault: true},
		b("secret_is_base64", true, false),
		{Name: "claims_to_verify", Type: "set", Elements: &Field{Type: "string", OneOf: []any{"exp", "nbf"}}},
		str("anonymous"),
		b("run_on_preflight", true, true),
		{Name: "maximum_expiration", Type: "number", Default: 0, HasDefault: true, Between: []float64{0, 31536000}},
		set("header_names", []any{"authorization"}),
		{Name: "realm", Type: "string", NotRequired: true},
	}, Check{Conditional: &Conditional{
		IfField: "config.maximum_expiration", IfMatch: Field{Gt: ptrFloat(0)},
		ThenField: "config.claims_to_verify", ThenMatch: Field{Contains: "exp"},
	}})
}

func oauth2Plugin() pluginDef {
	ttl := named("refresh_token_ttl", withDefault(required(tdTTL()), 1209600))
	p := def("oauth2", 1400, true, tdProtocolsHTTP(), []Field{
		strings_("scopes"),
		b("mandatory_scope", true, false),
		{Name: "provision_key", Type: "string", Unique: true, Auto: true, Required: true, Encrypted: true},
		{Name: "token_expiration", Type: "number", Default: 7200, HasDefault: true, Required: true},
		b("enable_authorization_code", true, false),
		b("enable_implicit_grant", true, false),
		b("enable_client_credentials", true, false),
		b("enable_password_grant", true, false),
		b("hide_credentials", true, false),
		b("accept_http_if_already_terminated", true, false),
		str("anonymous"),
		b("global_credentials", true, false),
		{Name: "auth_header_name", Type: "string", Default: "authorization", HasDefault: true},
		ttl,
		b("reuse_refresh_token", true, false),
		{Name: "pkce", Type: "string", Default: "lax", HasDefault: true, NotRequired: true,
			OneOf: []any{"none", "lax", "strict"}},
		{Name: "realm", Type: "string", NotRequired: true},
	})
	return withConfigCheck(p, func(v any) string {
		config, _ := v.(map[string]any)
		for _, flow := range []string{"enable_authorization_code", "enable_implicit_grant",
			"enable_client_credentials", "enable_password_grant"} {
			if config[flow] == true {
				return ""
			}
		}
		return "at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, " +
			"enable_client_credentials, enable_password_grant"
	}, Check{Conditional: &Conditional{
		IfField: "mandatory_scope", IfMatch: Field{Eq: true},
		ThenField: "scopes", ThenMatch: Field{Required: true},
	}})
}

// proxyCacheDictionaries are the shared dictionaries of Kong's default nginx template.
var proxyCacheDictionaries = map[string]bool{
	"kong": true, "kong_locks": true, "kong_healthchecks": true, "kong_cluster_events": true,
	"kong_rate_limiting_counters": true, "kong_core_db_cache": true, "kong_core_db_cache_miss": true,
	"kong_db_cache": true, "kong_db_cache_miss": true, "kong_secrets": true, "prometheus_metrics": true,
}

func proxyCachePlugin() pluginDef {
	return def("proxy-cache", 100, false, tdProtocols(), []Field{
		{Name: "response_code", Type: "array", Default: []any{200, 301, 404}, HasDefault: true, LenMin: ptrInt(1),
			Required: true, Elements: &Field{Type: "integer", Between: []float64{100, 900}}},
		{Name: "request_method", Type: "array", Default: []any{"GET", "HEAD"}, HasDefault: true, Required: true,
			Elements: &Field{Type: "string", OneOf: []any{"HEAD", "GET", "POST", "PATCH", "PUT"}}},
		{Name: "content_type", Type: "array", Default: []any{"text/plain", "application/json"}, HasDefault: true,
			Required: true, Elements: &Field{Type: "string"}},
		{Name: "cache_ttl", Type: "integer", Default: 300, HasDefault: true, Gt: ptrFloat(0)},
		{Name: "strategy", Type: "string", OneOf: []any{"memory"}, Required: true},
		b("cache_control", true, false),
		{Name: "ignore_uri_case", Type: "boolean", Default: false, HasDefault: true, NotRequired: true},
		{Name: "storage_ttl", Type: "integer"},
		{Name: "memory", Type: "record", Fields: []Field{
			{Name: "dictionary_name", Type: "string", Required: true, Default: "kong_db_cache", HasDefault: true},
		}},
		strings_("vary_query_params"), strings_("vary_headers"),
		{Name: "response_headers", Type: "record", Fields: []Field{
			b("age", false, true), b("X-Cache-Status", false, true), b("X-Cache-Key", false, true),
		}},
	}, Check{Custom: &CustomCheck{FieldSources: []string{"config"}, Fn: func(e map[string]any) string {
		config, _ := e["config"].(map[string]any)
		memory, _ := config["memory"].(map[string]any)
		name, _ := memory["dictionary_name"].(string)
		if config["strategy"] == "memory" && !proxyCacheDictionaries[name] {
			return "missing shared dict '" + name + "'"
		}
		return ""
	}}})
}

func redisField() Field {
	server := named("server_name", tdSNI())
	server.NotRequired = true
	return Field{Name: "redis", Type: "record", Fields: []Field{
		named("host", tdHost()),
		named("port", withDefault(tdPort(), 6379)),
		named("timeout", withDefault(tdTimeout(), 2000)),
		{Name: "username", Type: "string", Referenceable: true},
		{Name: "password", Type: "string", Encrypted: true, Referenceable: true, LenMin: ptrInt(0)},
		{Name: "database", Type: "integer", Default: 0, HasDefault: true},
		{Name: "ssl", Type: "boolean", NotRequired: true, Default: false, HasDefault: true},
		{Name: "ssl_verify", Type: "boolean", NotRequired: true, Default: false, HasDefault: true},
		server,
	}}
}

func redisShorthands(plugin string) []Shorthand {
	fields := []struct{ name, typ string }{
		{"host", "string"}, {"port", "integer"}, {"password", "string"}, {"username", "string"},
		{"ssl", "boolean"}, {"ssl_verify", "boolean"}, {"server_name", "string"}, {"timeout", "integer"},
		{"database", "integer"},
	}
	out := make([]Shorthand, len(fields))
	for i, f := range fields {
		out[i] = Shorthand{
			Name: "redis_" + f.name, Type: f.typ, ReplacedWith: []string{"redis", f.name},
			Deprecation: fmt.Sprintf("%s: config.redis_%s is deprecated, please use config.redis.%s instead",
				plugin, f.name, f.name),
			Expand: func(v any) map[string]any { return map[string]any{"redis": map[string]any{f.name: v}} },
		}
	}
	return out
}

func rateLimitingPlugin() pluginDef {
	period := func(name string) Field { return Field{Name: name, Type: "number", Gt: ptrFloat(0)} }
	p := def("rate-limiting", 910, false, tdProtocolsHTTP(), []Field{
		period("second"), period("minute"), period("hour"), period("day"), period("month"), period("year"),
		{Name: "limit_by", Type: "string", Default: "consumer", HasDefault: true,
			OneOf: []any{"consumer", "credential", "ip", "service", "header", "path"}},
		named("header_name", tdHeaderName()),
		named("path", tdPath()),
		{Name: "policy", Type: "string", Default: "local", HasDefault: true, LenMin: ptrInt(0),
			OneOf: []any{"local", "cluster", "redis"}},
		b("fault_tolerant", true, true),
		redisField(),
		b("hide_client_headers", true, false),
		{Name: "error_code", Type: "number", Default: 429, HasDefault: true, Gt: ptrFloat(0)},
		{Name: "error_message", Type: "string", Default: "API rate limit exceeded", HasDefault: true},
		{Name: "sync_rate", Type: "number", Required: true, Default: -1, HasDefault: true},
	},
		Check{AtLeastOneOf: []string{"config.second", "config.minute", "config.hour", "config.day", "config.month",
			"config.year"}},
		policyNeeds("config.redis.host"), policyNeeds("config.redis.port"), policyNeeds("config.redis.timeout"),
		limitByNeeds("header", "config.header_name"), limitByNeeds("path", "config.path"),
	)
	p = withConfigCheck(p, validatePeriodsOrder)
	for i := range p.fields {
		if p.fields[i].Name == "config" {
			p.fields[i].Shorthands = redisShorthands("rate-limiting")
		}
	}
	return p
}

func policyNeeds(field string) Check {
	return Check{Conditional: &Conditional{IfField: "config.policy", IfMatch: Field{Eq: "redis"},
		ThenField: field, ThenMatch: Field{Required: true}}}
}

func limitByNeeds(value, field string) Check {
	return Check{Conditional: &Conditional{IfField: "config.limit_by", IfMatch: Field{Eq: value},
		ThenField: field, ThenMatch: Field{Required: true}}}
}

func validatePeriodsOrder(v any) string {
	config, _ := v.(map[string]any)
	periods := []string{"second", "minute", "hour", "day", "month", "year"}
	for i, lower := range periods {
		v1, ok := toFloat(config[lower])
		if !ok {
			continue
		}
		for _, upper := range periods[i+1:] {
			if v2, ok := toFloat(config[upper]); ok && v2 < v1 {
				return fmt.Sprintf("The limit for %s(%.1f) cannot be lower than the limit for %s(%.1f)", upper, v2, lower, v1)
			}
		}
	}
	syncRate, _ := toFloat(config["sync_rate"])
	if config["policy"] != "redis" && syncRate != -1 {
		return "sync_rate can only be used with the redis policy"
	}
	if config["policy"] == "redis" && syncRate != -1 && syncRate < 0.02 {
		return "sync_rate must be greater than 0.02, or -1 to disable"
	}
	return ""
}

func requestSizeLimitingPlugin() pluginDef {
	return def("request-size-limiting", 951, false, tdProtocolsHTTP(), []Field{
		{Name: "allowed_payload_size", Type: "integer", Default: 128, HasDefault: true},
		{Name: "size_unit", Type: "string", Required: true, Default: "megabytes", HasDefault: true,
			OneOf: []any{"megabytes", "kilobytes", "bytes"}},
		b("require_content_length", true, false),
	})
}

func requestTerminationPlugin() pluginDef {
	p := def("request-termination", 2, false, tdProtocolsHTTP(), []Field{
		{Name: "status_code", Type: "integer", Required: true, Default: 503, HasDefault: true, Between: []float64{100, 599}},
		str("message"), str("content_type"), str("body"),
		b("echo", true, false),
		named("trigger", tdHeaderName()),
	})
	return withConfigCheck(p, func(v any) string {
		config, _ := v.(map[string]any)
		present := func(k string) bool { s, _ := config[k].(string); return s != "" }
		switch {
		case present("message") && (present("content_type") || present("body")):
			return "message cannot be used with content_type or body"
		case present("content_type") && !present("body"):
			return "content_type requires a body"
		case config["echo"] == true && (present("content_type") || present("body")):
			return "echo cannot be used with content_type and body"
		}
		return ""
	})
}

// headerPairError checks the header name before the first colon of "name:value", and the value as a header
// name too when renaming.
func headerPairError(pair string, checkValue bool) string {
	name, value, _ := strings.Cut(pair, ":")
	value = strings.TrimLeft(value, ":")
	if headerNameError(name) != "" {
		return fmt.Sprintf("'%s' is not a valid header", name)
	}
	if checkValue && headerNameError(value) != "" {
		return fmt.Sprintf("'%s' is not a valid header", value)
	}
	return ""
}

func stringArray(name string, elem Field) Field {
	return Field{Name: name, Type: "array", Default: []any{}, HasDefault: true, Required: true, Elements: &elem}
}

func requestTransformerPlugin() pluginDef {
	plain := Field{Type: "string"}
	headers := Field{Type: "string", Custom: func(v any) string { s, _ := v.(string); return headerPairError(s, false) }}
	colonValue := Field{Type: "string", Custom: func(v any) string {
		s, _ := v.(string)
		name, value, _ := strings.Cut(s, ":")
		if strings.TrimLeft(value, ":") == "" {
			return "key '" + name + "' has no value"
		}
		return ""
	}}
	colonHeader := Field{Type: "string", Match: "^[^:]+:.*$", Custom: headers.Custom}
	renameHeader := Field{Type: "string", Match: "^[^:]+:.*$",
		Custom: func(v any) string { s, _ := v.(string); return headerPairError(s, true) }}
	record := func(name string, body, hdrs, query Field, extra ...Field) Field {
		fields := []Field{stringArray("body", body), stringArray("headers", hdrs), stringArray("querystring", query)}
		return Field{Name: name, Type: "record", Fields: append(fields, extra...)}
	}
	return def("request-transformer", 801, false, tdProtocols(), []Field{
		named("http_method", tdHTTPMethod()),
		record("remove", plain, headers, plain),
		record("rename", colonValue, renameHeader, colonValue),
		record("replace", colonValue, colonHeader, colonValue, str("uri")),
		record("add", colonValue, colonHeader, colonValue),
		record("append", colonValue, colonHeader, colonValue),
	})
}

func responseTransformerPlugin() pluginDef {
	plain := Field{Type: "string"}
	colon := Field{Type: "string", Match: "^[^:]+:.*$"}
	renameHeader := Field{Type: "string", Match: "^[^:]+:.*$",
		Custom: func(v any) string { s, _ := v.(string); return headerPairError(s, true) }}
	colonRecord := func(name string) Field {
		return Field{Name: name, Type: "record", Fields: []Field{
			stringArray("json", colon),
			stringArray("json_types", Field{Type: "string", OneOf: []any{"boolean", "number", "string"}}),
			stringArray("headers", colon),
		}}
	}
	return def("response-transformer", 800, false, tdProtocolsHTTP(), []Field{
		{Name: "remove", Type: "record", Fields: []Field{stringArray("json", plain), stringArray("headers", plain)}},
		{Name: "rename", Type: "record", Fields: []Field{stringArray("json", colon), stringArray("headers", renameHeader)}},
		colonRecord("replace"), colonRecord("add"), colonRecord("append"),
	})
}

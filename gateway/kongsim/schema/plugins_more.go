package schema

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// The bundled plugins kongsim gained after its first nineteen, transcribed from Kong 3.9.1's
// kong/plugins/<name>/schema.lua (and kong/llm/schemas/init.lua for the AI plugins, kong/tools/queue_schema.lua,
// kong/tools/redis/schema.lua, kong/observability/tracing/propagation/schema.lua for the shared records) with
// the PRIORITY of each handler.lua. Validators Kong implements in Lua it cannot share (loadstring, the sandbox,
// ngx.shared lookups) accept every string.

// plugin builds a pluginDef from its top-level fields in Kong's order.
func plugin(name string, priority int, fields []Field, checks ...Check) pluginDef {
	return pluginDef{name: name, priority: priority, fields: fields, checks: checks}
}

func consumerNone() Field  { return named("consumer", tdNoConsumer()) }
func protocolsAll() Field  { return named("protocols", tdProtocols()) }
func protocolsHTTP() Field { return named("protocols", tdProtocolsHTTP()) }
func config(fields []Field, checks ...Check) Field {
	return Field{Name: "config", Type: "record", Fields: fields, EntityChecks: checks}
}

func num(name string, dflt any) Field {
	f := Field{Name: name, Type: "number"}
	if dflt != nil {
		f.Default, f.HasDefault = dflt, true
	}
	return f
}

func integer(name string, dflt any) Field {
	f := num(name, dflt)
	f.Type = "integer"
	return f
}

func strDefault(name string, dflt string) Field {
	return Field{Name: name, Type: "string", Default: dflt, HasDefault: true}
}

func secret(name string, encrypted bool) Field {
	return Field{Name: name, Type: "string", Encrypted: encrypted, Referenceable: true}
}

func deprecated(f Field, message string, oldDefault any) Field {
	f.Deprecation = &FieldDeprecation{Message: message, OldDefault: oldDefault}
	return f
}

func hostField(name string, req bool, dflt any) Field {
	f := named(name, tdHost())
	f.Required = req
	if dflt != nil {
		f.Default, f.HasDefault = dflt, true
	}
	return f
}

func portField(name string, req bool, dflt any) Field {
	f := named(name, tdPort())
	f.Required = req
	if dflt != nil {
		f.Default, f.HasDefault = dflt, true
	}
	return f
}

func timeoutField(name string, dflt int) Field { return named(name, withDefault(tdTimeout(), dflt)) }

// tdHosts is typedefs.hosts: the same element rules as a route's hosts.
func tdHosts() Field {
	f, _ := routesSchema().Field("hosts")
	c := *f
	c.Name = ""
	return c
}

// queueWith is typedefs.queue with a default record, as opentelemetry declares it.
func queueWith(dflt map[string]any) Field {
	q := queueField()
	if dflt != nil {
		q.Default, q.HasDefault = dflt, true
	}
	return q
}

var propagationFormats = []any{"w3c", "b3", "b3-single", "jaeger", "ot", "datadog", "aws", "gcp"}

// propagationField is typedefs.propagation with the plugin's default record.
func propagationField(defaultFormat string) Field {
	extractors := []any{}
	for _, f := range propagationFormats {
		if f != "b3-single" {
			extractors = append(extractors, f)
		}
	}
	return Field{Name: "propagation", Type: "record", Default: map[string]any{"default_format": defaultFormat},
		HasDefault: true, Fields: []Field{
			{Name: "extract", Type: "array", Elements: &Field{Type: "string", OneOf: extractors}},
			{Name: "clear", Type: "array", Elements: &Field{Type: "string", Custom: validHeaderName}},
			{Name: "inject", Type: "array", Elements: &Field{Type: "string",
				OneOf: append([]any{"preserve"}, propagationFormats...)}},
			{Name: "default_format", Type: "string", Required: true, OneOf: propagationFormats},
		}}
}

func severity(name string, req bool) Field {
	return Field{Name: name, Type: "string", Default: "info", HasDefault: true, Required: req,
		OneOf: []any{"debug", "info", "notice", "warning", "err", "crit", "alert", "emerg"}}
}

func moreBundledPlugins() []pluginDef {
	return []pluginDef{
		plugin("tcp-log", 7, []Field{protocolsAll(), config([]Field{
			hostField("host", true, nil), portField("port", true, nil),
			num("timeout", 10000), num("keepalive", 60000),
			b("tls", true, false), str("tls_sni"),
			named("custom_fields_by_lua", tdLuaCode()),
		})}),
		plugin("udp-log", 8, []Field{protocolsAll(), config([]Field{
			hostField("host", true, nil), portField("port", true, nil),
			num("timeout", 10000),
			named("custom_fields_by_lua", tdLuaCode()),
		})}),
		responseRateLimitingPlugin(),
		plugin("syslog", 4, []Field{protocolsAll(), config([]Field{
			severity("log_level", true), severity("successful_severity", true),
			severity("client_errors_severity", true), severity("server_errors_severity", true),
			named("custom_fields_by_lua", tdLuaCode()),
			{Name: "facility", Type: "string", Default: "user", HasDefault: true, Required: true,
				OneOf: []any{"auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog",
					"user", "uucp", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}},
		})}),
		plugin("loggly", 6, []Field{protocolsAll(), config([]Field{
			hostField("host", false, "logs-01.loggly.com"), portField("port", false, 514),
			{Name: "key", Type: "string", Required: true, Encrypted: true, Referenceable: true},
			{Name: "tags", Type: "set", Default: []any{"kong"}, HasDefault: true, Elements: &Field{Type: "string"}},
			severity("log_level", false), severity("successful_severity", false),
			severity("client_errors_severity", false), severity("server_errors_severity", false),
			num("timeout", 10000),
			named("custom_fields_by_lua", tdLuaCode()),
		})}),
		datadogPlugin(),
		plugin("ldap-auth", 1200, []Field{consumerNone(), protocolsHTTP(), config([]Field{
			hostField("ldap_host", true, nil), portField("ldap_port", true, 389),
			b("ldaps", true, false), b("start_tls", true, false), b("verify_ldap_host", true, false),
			{Name: "base_dn", Type: "string", Required: true},
			{Name: "attribute", Type: "string", Required: true},
			{Name: "cache_ttl", Type: "number", Required: true, Default: 60, HasDefault: true},
			b("hide_credentials", true, false),
			num("timeout", 10000), num("keepalive", 60000),
			str("anonymous"),
			strDefault("header_type", "ldap"),
			{Name: "realm", Type: "string", NotRequired: true},
		}, Check{Conditional: &Conditional{
			IfField: "ldaps", IfMatch: Field{Eq: true}, ThenField: "start_tls", ThenMatch: Field{Eq: false},
			ThenErr: "'ldaps' and 'start_tls' cannot be enabled simultaneously",
		}})}),
		statsdPlugin(),
		awsLambdaPlugin(),
		sessionPlugin(),
		acmePlugin(),
		plugin("grpc-gateway", 998, []Field{protocolsAll(), config([]Field{
			{Name: "proto", Type: "string", NotRequired: true},
		})}),
		plugin("grpc-web", 3, []Field{protocolsAll(), config([]Field{
			{Name: "proto", Type: "string", NotRequired: true},
			{Name: "pass_stripped_path", Type: "boolean", NotRequired: true},
			{Name: "allow_origin_header", Type: "string", NotRequired: true, Default: "*", HasDefault: true},
		})}),
		functionPlugin("pre-function", 1000000),
		functionPlugin("post-function", -1000),
		plugin("azure-functions", 749, []Field{protocolsAll(), config([]Field{
			num("timeout", 600000), num("keepalive", 60000),
			{Name: "https", Type: "boolean", Default: true, HasDefault: true},
			{Name: "https_verify", Type: "boolean", Default: false, HasDefault: true},
			secret("apikey", true), secret("clientid", true),
			{Name: "appname", Type: "string", Required: true},
			{Name: "hostdomain", Type: "string", Required: true, Default: "azurewebsites.net", HasDefault: true},
			strDefault("routeprefix", "api"),
			{Name: "functionname", Type: "string", Required: true},
		})}),
		zipkinPlugin(),
		opentelemetryPlugin(),
		aiProxyPlugin(),
		aiPromptDecoratorPlugin(),
		aiPromptTemplatePlugin(),
		aiPromptGuardPlugin(),
		aiTransformerPlugin("ai-request-transformer", 777, false),
		aiTransformerPlugin("ai-response-transformer", 768, true),
		plugin("standard-webhooks", 760, []Field{consumerNone(), protocolsHTTP(), config([]Field{
			{Name: "secret_v1", Type: "string", Required: true, Referenceable: true, Encrypted: true},
			{Name: "tolerance_second", Type: "integer", Required: true, Gt: ptrFloat(-1), Default: 300, HasDefault: true},
		})}),
		plugin("redirect", 779, []Field{protocolsHTTP(), config([]Field{
			{Name: "status_code", Type: "integer", Required: true, Default: 301, HasDefault: true,
				Between: []float64{100, 599}},
			named("location", required(tdURL())),
			{Name: "keep_incoming_path", Type: "boolean", Default: false, HasDefault: true},
		})}),
	}
}

// validatePeriods is the periods order check of response-ratelimiting's limits (lowercase "the", unlike
// rate-limiting's).
func validatePeriods(v any) string {
	limit, _ := v.(map[string]any)
	periods := []string{"second", "minute", "hour", "day", "month", "year"}
	for i, lower := range periods {
		v1, ok := toFloat(limit[lower])
		if !ok {
			continue
		}
		for _, upper := range periods[i+1:] {
			if v2, ok := toFloat(limit[upper]); ok && v2 < v1 {
				return fmt.Sprintf("the limit for %s(%.1f) cannot be lower than the limit for %s(%.1f)", upper, v2, lower, v1)
			}
		}
	}
	return ""
}

func responseRateLimitingPlugin() pluginDef {
	period := func(name string) Field { return Field{Name: name, Type: "number", Gt: ptrFloat(0)} }
	limits := Field{Type: "record", Required: true, Custom: validatePeriods,
		Fields: []Field{period("second"), period("minute"), period("hour"), period("day"), period("month"),
			period("year")},
		EntityChecks: []Check{{AtLeastOneOf: []string{"second", "minute", "hour", "day", "month", "year"}}},
	}
	cfg := config([]Field{
		strDefault("header_name", "x-kong-limit"),
		{Name: "limit_by", Type: "string", Default: "consumer", HasDefault: true,
			OneOf: []any{"consumer", "credential", "ip"}},
		{Name: "policy", Type: "string", Default: "local", HasDefault: true, OneOf: []any{"local", "cluster", "redis"}},
		b("fault_tolerant", true, true),
		redisField(),
		b("block_on_first_violation", true, false),
		b("hide_client_headers", true, false),
		{Name: "limits", Type: "map", Required: true, LenMin: ptrInt(1), Keys: &Field{Type: "string"}, Values: &limits},
	})
	cfg.Shorthands = redisShorthands("response-ratelimiting")
	return plugin("response-ratelimiting", 900, []Field{protocolsHTTP(), cfg},
		policyNeeds("config.redis.host"), policyNeeds("config.redis.port"), policyNeeds("config.redis.timeout"))
}

func metricRecord(names, statTypes []any, extra []Field, sampleRate Field) Field {
	fields := []Field{
		{Name: "name", Type: "string", Required: true, OneOf: names},
		{Name: "stat_type", Type: "string", Required: true, OneOf: statTypes},
	}
	return Field{Type: "record", Fields: append(fields, append([]Field{sampleRate}, extra...)...),
		EntityChecks: []Check{{Conditional: &Conditional{
			IfField: "stat_type", IfMatch: Field{OneOf: []any{"counter", "gauge"}},
			ThenField: "sample_rate", ThenMatch: Field{Required: true},
		}}}}
}

var consumerIdentifiers = []any{"consumer_id", "custom_id", "username"}

func datadogPlugin() pluginDef {
	metric := func(name, stat string, rate bool) map[string]any {
		m := map[string]any{"name": name, "stat_type": stat, "tags": []any{"app:kong"}, "consumer_identifier": "custom_id"}
		if rate {
			m["sample_rate"] = 1
		}
		return m
	}
	defaults := []any{metric("request_count", "counter", true), metric("latency", "timer", false),
		metric("request_size", "timer", false), metric("response_size", "timer", false),
		metric("upstream_latency", "timer", false), metric("kong_latency", "timer", false)}
	names := []any{"kong_latency", "latency", "request_count", "request_size", "response_size", "upstream_latency"}
	stats := []any{"counter", "gauge", "histogram", "meter", "set", "timer", "distribution"}
	rec := metricRecord(names, stats, []Field{
		{Name: "consumer_identifier", Type: "string", OneOf: consumerIdentifiers},
	}, Field{Name: "sample_rate", Type: "number", Between: []float64{0, 1}})
	// tags come between stat_type and sample_rate in Kong's record
	rec.Fields = append(rec.Fields[:2], append([]Field{{Name: "tags", Type: "array",
		Elements: &Field{Type: "string", Match: "^.*[^:]$"}}}, rec.Fields[2:]...)...)
	host := hostField("host", false, "localhost")
	host.Referenceable = true
	return plugin("datadog", 10, []Field{protocolsAll(), config([]Field{
		host, portField("port", false, 8125),
		strDefault("prefix", "kong"), strDefault("service_name_tag", "name"), strDefault("status_tag", "status"),
		strDefault("consumer_tag", "consumer"),
		deprecated(integer("retry_count", nil),
			"datadog: config.retry_count no longer works, please use config.queue.max_retry_time instead", 10),
		deprecated(integer("queue_size", nil),
			"datadog: config.queue_size is deprecated, please use config.queue.max_batch_size instead", 1),
		deprecated(num("flush_timeout", nil),
			"datadog: config.flush_timeout is deprecated, please use config.queue.max_coalescing_delay instead", 2),
		queueField(),
		{Name: "metrics", Type: "array", Required: true, Default: defaults, HasDefault: true, Elements: &rec},
	})})
}

func statsdPlugin() pluginDef {
	names := []any{"kong_latency", "latency", "request_count", "request_per_user", "request_size", "response_size",
		"status_count", "status_count_per_user", "unique_users", "upstream_latency", "status_count_per_workspace",
		"status_count_per_user_per_route", "shdict_usage"}
	stats := []any{"counter", "gauge", "histogram", "meter", "set", "timer"}
	services := []any{"service_id", "service_name", "service_host", "service_name_or_host"}
	workspaces := []any{"workspace_id", "workspace_name"}
	rec := metricRecord(names, stats, []Field{
		{Name: "consumer_identifier", Type: "string", OneOf: consumerIdentifiers},
		{Name: "service_identifier", Type: "string", OneOf: services},
		{Name: "workspace_identifier", Type: "string", OneOf: workspaces},
	}, Field{Name: "sample_rate", Type: "number", Gt: ptrFloat(0)})
	metric := func(name, stat string, rate bool) any {
		m := map[string]any{"name": name, "stat_type": stat}
		if rate {
			m["sample_rate"] = 1
		}
		return m
	}
	defaults := []any{metric("request_count", "counter", true), metric("latency", "timer", false),
		metric("request_size", "counter", true), metric("status_count", "counter", true),
		metric("response_size", "counter", true), metric("unique_users", "set", false),
		metric("request_per_user", "counter", true), metric("upstream_latency", "timer", false),
		metric("kong_latency", "timer", false), metric("status_count_per_user", "counter", true),
		metric("status_count_per_workspace", "counter", true),
		metric("status_count_per_user_per_route", "counter", true), metric("shdict_usage", "gauge", true)}
	return plugin("statsd", 11, []Field{protocolsAll(), config([]Field{
		hostField("host", false, "localhost"), portField("port", false, 8125),
		strDefault("prefix", "kong"),
		{Name: "metrics", Type: "array", Default: defaults, HasDefault: true, Elements: &rec},
		{Name: "allow_status_codes", Type: "array", Elements: &Field{Type: "string", Match: "^[0-9]+-[0-9]+$"}},
		{Name: "udp_packet_size", Type: "number", Between: []float64{0, 65507}, Default: 0, HasDefault: true},
		{Name: "use_tcp", Type: "boolean", Default: false, HasDefault: true},
		{Name: "hostname_in_prefix", Type: "boolean", Default: false, HasDefault: true},
		{Name: "consumer_identifier_default", Type: "string", Required: true, Default: "custom_id", HasDefault: true,
			OneOf: consumerIdentifiers},
		{Name: "service_identifier_default", Type: "string", Required: true, Default: "service_name_or_host",
			HasDefault: true, OneOf: services},
		{Name: "workspace_identifier_default", Type: "string", Required: true, Default: "workspace_id",
			HasDefault: true, OneOf: workspaces},
		deprecated(integer("retry_count", nil),
			"statsd: config.retry_count no longer works, please use config.queue.max_retry_time instead", 10),
		deprecated(integer("queue_size", nil),
			"statsd: config.queue_size is deprecated, please use config.queue.max_batch_size instead", 1),
		deprecated(num("flush_timeout", nil),
			"statsd: config.flush_timeout is deprecated, please use config.queue.max_coalescing_delay instead", 2),
		{Name: "tag_style", Type: "string", NotRequired: true, OneOf: []any{"dogstatsd", "influxdb", "librato", "signalfx"}},
		queueField(),
	})})
}

func awsLambdaPlugin() pluginDef {
	flag := func(name string, dflt bool) Field {
		return Field{Name: name, Type: "boolean", Default: dflt, HasDefault: true}
	}
	return plugin("aws-lambda", 750, []Field{protocolsHTTP(), config([]Field{
		{Name: "timeout", Type: "number", Required: true, Default: 60000, HasDefault: true},
		{Name: "keepalive", Type: "number", Required: true, Default: 60000, HasDefault: true},
		secret("aws_key", true), secret("aws_secret", true), secret("aws_assume_role_arn", true),
		strDefault("aws_role_session_name", "kong"),
		named("aws_sts_endpoint_url", tdURL()),
		named("aws_region", tdHost()),
		{Name: "function_name", Type: "string", NotRequired: true},
		str("qualifier"),
		{Name: "invocation_type", Type: "string", Required: true, Default: "RequestResponse", HasDefault: true,
			OneOf: []any{"RequestResponse", "Event", "DryRun"}},
		{Name: "log_type", Type: "string", Required: true, Default: "Tail", HasDefault: true, OneOf: []any{"Tail", "None"}},
		named("host", tdHost()),
		portField("port", false, 443),
		flag("disable_https", false),
		{Name: "unhandled_status", Type: "integer", Between: []float64{100, 999}},
		flag("forward_request_method", false), flag("forward_request_uri", false),
		flag("forward_request_headers", false), flag("forward_request_body", false),
		flag("is_proxy_integration", false), flag("awsgateway_compatible", false),
		named("proxy_url", tdURL()),
		flag("skip_large_bodies", true), flag("base64_encode_body", true),
		{Name: "aws_imds_protocol_version", Type: "string", Required: true, Default: "v1", HasDefault: true,
			OneOf: []any{"v1", "v2"}},
		{Name: "empty_arrays_mode", Type: "string", Required: true, Default: "legacy", HasDefault: true,
			OneOf: []any{"legacy", "correct"}},
	})},
		Check{MutuallyRequired: []string{"config.aws_key", "config.aws_secret"}},
		Check{Custom: &CustomCheck{FieldSources: []string{"config.proxy_url"}, Fn: func(e map[string]any) string {
			config, _ := e["config"].(map[string]any)
			proxy, _ := config["proxy_url"].(string)
			if scheme, _, found := strings.Cut(proxy, "://"); found && scheme != "" && scheme != "http" {
				return "proxy_url scheme must be http"
			}
			return ""
		}}})
}

// sessionSecret is session's config.secret default: Kong draws it once, when the schema loads, as 32 random
// bytes in base64 with '/', '+' and '=' replaced by a digit, an upper and a lower case letter.
var sessionSecret = func() string {
	var buf [32]byte
	_, _ = rand.Read(buf[:])
	s := base64.StdEncoding.EncodeToString(buf[:])
	s = strings.ReplaceAll(s, "/", string(rune('0'+randN(10))))
	s = strings.ReplaceAll(s, "+", string(rune('A'+randN(26))))
	return strings.ReplaceAll(s, "=", string(rune('a'+randN(26))))
}()

func sessionPlugin() pluginDef {
	headers := func(name string) Field {
		return Field{Name: name, Type: "set", Elements: &Field{Type: "string", OneOf: []any{"id", "audience", "subject",
			"timeout", "idling-timeout", "rolling-timeout", "absolute-timeout"}}}
	}
	flag := func(name string, dflt bool) Field {
		return Field{Name: name, Type: "boolean", Default: dflt, HasDefault: true}
	}
	sec := secret("secret", true)
	sec.NotRequired, sec.Default, sec.HasDefault = true, sessionSecret, true
	cfg := config([]Field{
		sec,
		{Name: "storage", Type: "string", OneOf: []any{"cookie", "kong"}, Default: "cookie", HasDefault: true},
		strDefault("audience", "default"),
		num("idling_timeout", 900), num("rolling_timeout", 3600), num("absolute_timeout", 86400), num("stale_ttl", 10),
		strDefault("cookie_name", "session"), strDefault("cookie_path", "/"), str("cookie_domain"),
		{Name: "cookie_same_site", Type: "string", Default: "Strict", HasDefault: true,
			OneOf: []any{"Strict", "Lax", "None", "Default"}},
		flag("cookie_http_only", true), flag("cookie_secure", true), flag("remember", false),
		strDefault("remember_cookie_name", "remember"),
		num("remember_rolling_timeout", 604800), num("remember_absolute_timeout", 2592000),
		headers("response_headers"), headers("request_headers"),
		flag("read_body_for_logout", false),
		{Name: "logout_methods", Type: "set", Default: []any{"POST", "DELETE"}, HasDefault: true,
			Elements: &Field{Type: "string", OneOf: []any{"GET", "POST", "DELETE"}}},
		strDefault("logout_query_arg", "session_logout"), strDefault("logout_post_arg", "session_logout"),
	})
	to := func(field string) func(any) map[string]any {
		return func(v any) map[string]any { return map[string]any{field: v} }
	}
	cfg.Shorthands = []Shorthand{
		{Name: "cookie_lifetime", Type: "number", Expand: to("rolling_timeout")},
		{Name: "cookie_idletime", Type: "number", Expand: func(v any) map[string]any {
			if v == nil {
				v = float64(0)
			}
			return map[string]any{"idling_timeout": v}
		}},
		{Name: "cookie_renew", Type: "number", Expand: func(any) map[string]any { return nil }},
		{Name: "cookie_discard", Type: "number", Expand: to("stale_ttl")},
		{Name: "cookie_samesite", Type: "string", Expand: func(v any) map[string]any {
			if v == "off" {
				v = "Lax"
			}
			return map[string]any{"cookie_same_site": v}
		}},
		{Name: "cookie_httponly", Type: "boolean", Expand: to("cookie_http_only")},
		{Name: "cookie_persistent", Type: "boolean", Expand: to("remember")},
	}
	return plugin("session", 1900, []Field{consumerNone(), protocolsAll(), cfg})
}

// acmeReservedWords are the namespace prefixes kong/plugins/acme/reserved_words.lua reserves.
var acmeReservedWords = []string{"kong_acme:renew_config:", "kong_acme:renew_last_run", "kong_acme:cert_key:"}

func acmePlugin() pluginDef {
	redis := redisField()
	redis.Fields = append(redis.Fields, Field{Name: "extra_options", Type: "record", Fields: []Field{
		{Name: "namespace", Type: "string", Required: true, Default: "", HasDefault: true, LenMin: ptrInt(0),
			Custom: func(v any) string {
				ns, _ := v.(string)
				for _, w := range acmeReservedWords {
					if ns != "" && strings.HasPrefix(ns, w) {
						return "namespace can't be prefixed with reserved word: " + w
					}
				}
				return ""
			}},
		{Name: "scan_count", Type: "number", NotRequired: true, Default: 10, HasDefault: true},
	}})
	legacy := func(name, typ string, path []string, message string) Shorthand {
		return Shorthand{Name: name, Type: typ, ReplacedWith: path, Deprecation: message,
			Expand: func(v any) map[string]any {
				if len(path) == 1 {
					return map[string]any{path[0]: v}
				}
				return map[string]any{path[0]: map[string]any{path[1]: v}}
			}}
	}
	redis.Shorthands = []Shorthand{
		legacy("auth", "string", []string{"password"},
			"acme: config.storage_config.redis.auth is deprecated, please use config.storage_config.redis.password instead"),
		legacy("ssl_server_name", "string", []string{"server_name"},
			"acme: config.storage_config.redis.ssl_server_name is deprecated, please use config.storage_config.redis.server_name instead"),
		legacy("namespace", "string", []string{"extra_options", "namespace"},
			"acme: config.storage_config.redis.namespace is deprecated, please use config.storage_config.redis.extra_options.namespace instead"),
		legacy("scan_count", "integer", []string{"extra_options", "scan_count"},
			"acme: config.storage_config.redis.scan_count is deprecated, please use config.storage_config.redis.extra_options.scan_count instead"),
	}
	store := func(token bool, extra ...Field) Field {
		fields := []Field{
			{Name: "https", Type: "boolean", Default: false, HasDefault: true},
			named("host", tdHost()), named("port", tdPort()),
			str("kv_path"), {Name: "timeout", Type: "number"},
			{Name: "token", Type: "string", Referenceable: true},
		}
		return Field{Type: "record", Fields: append(fields, extra...)}
	}
	consul := store(true)
	consul.Name = "consul"
	vault := store(true,
		Field{Name: "tls_verify", Type: "boolean", Default: true, HasDefault: true},
		str("tls_server_name"),
		Field{Name: "auth_method", Type: "string", Default: "token", HasDefault: true, OneOf: []any{"token", "kubernetes"}},
		str("auth_path"), str("auth_role"), str("jwt_path"))
	vault.Name = "vault"
	email := secret("account_email", true)
	email.Required, email.Match = true, "%w*%p*@+%w*%.?%w*"
	return plugin("acme", 1705, []Field{
		consumerNone(),
		{Name: "service", Type: "foreign", Reference: "services", EqNull: true},
		{Name: "route", Type: "foreign", Reference: "routes", EqNull: true},
		protocolsHTTP(),
		config([]Field{
			email,
			{Name: "account_key", Type: "record", NotRequired: true, Fields: []Field{
				{Name: "key_id", Type: "string", Required: true}, str("key_set"),
			}},
			named("api_uri", withDefault(tdURL(), "https://acme-v02.api.letsencrypt.org/directory")),
			{Name: "tos_accepted", Type: "boolean", Default: false, HasDefault: true},
			secret("eab_kid", true), secret("eab_hmac_key", true),
			{Name: "cert_type", Type: "string", Default: "rsa", HasDefault: true, OneOf: []any{"rsa", "ecc"}},
			{Name: "rsa_key_size", Type: "number", Default: 4096, HasDefault: true, OneOf: []any{2048, 3072, 4096}},
			num("renew_threshold_days", 14),
			named("domains", tdHosts()),
			{Name: "allow_any_domain", Type: "boolean", Default: false, HasDefault: true},
			num("fail_backoff_minutes", 5),
			{Name: "storage", Type: "string", Default: "shm", HasDefault: true,
				OneOf: []any{"kong", "shm", "redis", "consul", "vault"}},
			{Name: "storage_config", Type: "record", Fields: []Field{
				{Name: "shm", Type: "record", Fields: []Field{strDefault("shm_name", "kong")}},
				{Name: "kong", Type: "record", Fields: []Field{}},
				redis, consul, vault,
			}},
			str("preferred_chain"),
			{Name: "enable_ipv4_common_name", Type: "boolean", Default: true, HasDefault: true},
		}),
	},
		Check{Conditional: &Conditional{
			IfField: "config.api_uri", IfMatch: Field{OneOf: []any{"https://acme-v02.api.letsencrypt.org",
				"https://acme-staging-v02.api.letsencrypt.org"}},
			ThenField: "config.tos_accepted", ThenMatch: Field{Eq: true},
			ThenErr: "terms of service must be accepted, see https://letsencrypt.org/repository/",
		}},
		Check{Conditional: &Conditional{IfField: "config.storage", IfMatch: Field{Eq: "redis"},
			ThenField: "config.storage_config.redis.host", ThenMatch: Field{Required: true}}},
		Check{Conditional: &Conditional{IfField: "config.storage", IfMatch: Field{Eq: "redis"},
			ThenField: "config.storage_config.redis.port", ThenMatch: Field{Required: true}}},
		// kongsim is a traditional PostgreSQL node: neither the dbless nor the hybrid refusal applies.
		Check{Custom: &CustomCheck{FieldSources: []string{"config.storage"}, Fn: func(map[string]any) string { return "" }}},
	)
}

func functionPlugin(name string, priority int) pluginDef {
	phase := func(n string) Field {
		return Field{Name: n, Type: "array", Required: true, Default: []any{}, HasDefault: true,
			Elements: &Field{Type: "string", NotRequired: true}}
	}
	return plugin(name, priority, []Field{consumerNone(), protocolsAll(), config([]Field{
		phase("certificate"), phase("rewrite"), phase("access"), phase("header_filter"), phase("body_filter"),
		phase("log"),
	})}, Check{AtLeastOneOf: []string{"config.certificate", "config.rewrite", "config.access",
		"config.header_filter", "config.body_filter", "config.log"}})
}

func zipkinPlugin() pluginDef {
	protected := []any{"error", "http.method", "http.path", "http.status_code", "kong.balancer.state",
		"kong.balancer.try", "kong.consumer", "kong.credential", "kong.node.id", "kong.route", "kong.service", "lc",
		"peer.hostname"}
	headerTypes := []any{"preserve", "ignore", "b3", "b3-single", "w3c", "jaeger", "ot", "aws", "datadog", "gcp"}
	reqStr := func(name, dflt string, oneOf []any) Field {
		return Field{Name: name, Type: "string", Required: true, Default: dflt, HasDefault: true, OneOf: oneOf}
	}
	return plugin("zipkin", 100000, []Field{protocolsAll(), config([]Field{
		reqStr("local_service_name", "kong", nil),
		named("http_endpoint", tdURL()),
		{Name: "sample_ratio", Type: "number", Default: 0.001, HasDefault: true, Between: []float64{0, 1}},
		str("default_service_name"),
		b("include_credential", true, true),
		{Name: "traceid_byte_count", Type: "integer", Required: true, Default: 16, HasDefault: true, OneOf: []any{8, 16}},
		deprecated(reqStr("header_type", "preserve", headerTypes),
			"zipkin: config.header_type is deprecated, please use config.propagation options instead", "preserve"),
		deprecated(reqStr("default_header_type", "b3", headerTypes[2:]),
			"zipkin: config.default_header_type is deprecated, please use config.propagation.default_format instead", "b3"),
		reqStr("tags_header", "Zipkin-Tags", nil),
		{Name: "static_tags", Type: "array", Elements: &Field{Type: "record", Fields: []Field{
			{Name: "name", Type: "string", Required: true, NotOneOf: protected},
			{Name: "value", Type: "string", Required: true},
		}}, Custom: func(v any) string {
			tags, _ := v.([]any)
			seen := map[any]bool{}
			for _, t := range tags {
				m, _ := t.(map[string]any)
				if seen[m["name"]] {
					return fmt.Sprintf("repeated tags are not allowed: %v", m["name"])
				}
				seen[m["name"]] = true
			}
			return ""
		}},
		reqStr("http_span_name", "method", []any{"method", "method_path"}),
		timeoutField("connect_timeout", 2000), timeoutField("send_timeout", 5000), timeoutField("read_timeout", 5000),
		str("http_response_header_for_traceid"),
		reqStr("phase_duration_flavor", "annotations", []any{"annotations", "tags"}),
		queueField(),
		propagationField("b3"),
	})})
}

func opentelemetryPlugin() pluginDef {
	url := func(name string) Field { f := named(name, tdURL()); f.Referenceable = true; return f }
	headerKeys := tdHeaderName()
	cfg := config([]Field{
		url("traces_endpoint"), url("logs_endpoint"),
		{Name: "headers", Type: "map", Keys: &headerKeys, Values: &Field{Type: "string", Referenceable: true}},
		{Name: "resource_attributes", Type: "map", Keys: &Field{Type: "string", Required: true},
			Values: &Field{Type: "string", Required: true}, Custom: func(v any) string {
				attrs, _ := v.(map[string]any)
				for _, a := range attrs {
					if s, ok := a.(string); ok && s == "" {
						return "required field missing"
					}
				}
				return ""
			}},
		queueWith(map[string]any{"max_batch_size": 200}),
		deprecated(integer("batch_span_count", nil),
			"opentelemetry: config.batch_span_count is deprecated, please use config.queue.max_batch_size instead", 200),
		deprecated(integer("batch_flush_delay", nil),
			"opentelemetry: config.batch_flush_delay is deprecated, please use config.queue.max_coalescing_delay instead", 3),
		timeoutField("connect_timeout", 1000), timeoutField("send_timeout", 5000), timeoutField("read_timeout", 5000),
		str("http_response_header_for_traceid"),
		deprecated(Field{Name: "header_type", Type: "string", NotRequired: true, Default: "preserve", HasDefault: true,
			OneOf: []any{"preserve", "ignore", "b3", "b3-single", "w3c", "jaeger", "ot", "aws", "gcp", "datadog"}},
			"opentelemetry: config.header_type is deprecated, please use config.propagation options instead", "preserve"),
		{Name: "sampling_rate", Type: "number", Between: []float64{0, 1}, NotRequired: true},
		propagationField("w3c"),
	}, Check{AtLeastOneOf: []string{"traces_endpoint", "logs_endpoint"}})
	cfg.Shorthands = []Shorthand{{Name: "endpoint", Type: "string",
		Deprecation: "OpenTelemetry: config.endpoint is deprecated, please use config.traces_endpoint instead",
		Expand:      func(v any) map[string]any { return map[string]any{"traces_endpoint": v} }}}
	return plugin("opentelemetry", 14, []Field{protocolsHTTP(), cfg})
}

// llmConfig is kong/llm/schemas/init.lua's config_schema: the LLM connection every AI plugin shares.
func llmConfig(name string) Field {
	opt := func(name, typ string) Field { return Field{Name: name, Type: typ, NotRequired: true} }
	optRef := func(name string, encrypted bool) Field {
		f := opt(name, "string")
		f.Referenceable, f.Encrypted = true, encrypted
		return f
	}
	optDefault := func(name, typ string, dflt any) Field {
		f := opt(name, typ)
		f.Default, f.HasDefault = dflt, true
		return f
	}
	with := func(f Field, set func(*Field)) Field { set(&f); return f }
	upstreamURL := named("upstream_url", tdURL())
	upstreamURL.NotRequired = true
	providerCheck := func(provider, field, err string) Check {
		return Check{ConditionalAtLeastOneOf: &ConditionalAtLeastOneOf{IfField: "model.provider",
			IfMatch: Field{OneOf: []any{provider}}, ThenAtLeastOneOf: []string{field}, ThenErr: err}}
	}
	return Field{Name: name, Type: "record", Fields: []Field{
		{Name: "route_type", Type: "string", Required: true, OneOf: []any{"llm/v1/chat", "llm/v1/completions", "preserve"}},
		{Name: "auth", Type: "record", NotRequired: true, Fields: []Field{
			optRef("header_name", false), optRef("header_value", true),
			optRef("param_name", false), optRef("param_value", true),
			with(opt("param_location", "string"), func(f *Field) { f.OneOf = []any{"query", "body"} }),
			optDefault("gcp_use_service_account", "boolean", false),
			optRef("gcp_service_account_json", false),
			optRef("aws_access_key_id", true), optRef("aws_secret_access_key", true),
			optDefault("allow_override", "boolean", false),
		}},
		{Name: "model", Type: "record", Required: true, Fields: []Field{
			{Name: "provider", Type: "string", Required: true, OneOf: []any{"openai", "azure", "anthropic", "cohere",
				"mistral", "llama2", "gemini", "bedrock", "huggingface"}},
			opt("name", "string"),
			{Name: "options", Type: "record", NotRequired: true, Fields: []Field{
				opt("max_tokens", "integer"),
				with(opt("input_cost", "number"), func(f *Field) { f.Gt = ptrFloat(0) }),
				with(opt("output_cost", "number"), func(f *Field) { f.Gt = ptrFloat(0) }),
				with(opt("temperature", "number"), func(f *Field) { f.Between = []float64{0, 5} }),
				with(opt("top_p", "number"), func(f *Field) { f.Between = []float64{0, 1} }),
				with(opt("top_k", "integer"), func(f *Field) { f.Between = []float64{0, 500} }),
				opt("anthropic_version", "string"), opt("azure_instance", "string"),
				optDefault("azure_api_version", "string", "2023-05-15"),
				opt("azure_deployment_id", "string"),
				with(opt("llama2_format", "string"), func(f *Field) { f.OneOf = []any{"raw", "openai", "ollama"} }),
				with(opt("mistral_format", "string"), func(f *Field) { f.OneOf = []any{"openai", "ollama"} }),
				upstreamURL,
				opt("upstream_path", "string"),
				{Name: "gemini", Type: "record", NotRequired: true, Fields: []Field{
					opt("api_endpoint", "string"), opt("project_id", "string"), opt("location_id", "string"),
				}, EntityChecks: []Check{{MutuallyRequired: []string{"api_endpoint", "project_id", "location_id"}}}},
				{Name: "bedrock", Type: "record", NotRequired: true, Fields: []Field{opt("aws_region", "string")}},
				{Name: "huggingface", Type: "record", NotRequired: true, Fields: []Field{
					opt("use_cache", "boolean"), opt("wait_for_model", "boolean"),
				}},
			}},
		}},
		{Name: "logging", Type: "record", Required: true, Fields: []Field{
			b("log_statistics", true, false), b("log_payloads", true, false),
		}},
	}, EntityChecks: []Check{
		{Conditional: &Conditional{IfField: "model.provider", IfMatch: Field{OneOf: []any{"bedrock", "gemini"}},
			ThenField: "auth.allow_override", ThenMatch: Field{Eq: false},
			ThenErr: "bedrock and gemini only support auth.allow_override = false"}},
		{MutuallyRequired: []string{"auth.header_name", "auth.header_value"}},
		{MutuallyRequired: []string{"auth.param_name", "auth.param_value", "auth.param_location"}},
		providerCheck("llama2", "model.options.llama2_format", "must set %s for llama2 provider"),
		providerCheck("mistral", "model.options.mistral_format", "must set %s for mistral provider"),
		providerCheck("anthropic", "model.options.anthropic_version", "must set %s for anthropic provider"),
		providerCheck("azure", "model.options.azure_instance", "must set %s for azure provider"),
		providerCheck("azure", "model.options.azure_api_version", "must set %s for azure provider"),
		providerCheck("azure", "model.options.azure_deployment_id", "must set %s for azure provider"),
		providerCheck("llama2", "model.options.upstream_url", "must set %s for self-hosted providers/models"),
		{Custom: &CustomCheck{FieldSources: []string{"route_type", "model", "logging"}, Fn: func(e map[string]any) string {
			logging, _ := e["logging"].(map[string]any)
			model, _ := e["model"].(map[string]any)
			if logging["log_statistics"] == true && e["route_type"] == "llm/v1/completions" && model["provider"] == "anthropic" {
				return "anthropic does not support statistics when route_type is llm/v1/completions"
			}
			return ""
		}}},
	}}
}

func maxBodySize() Field {
	return Field{Name: "max_request_body_size", Type: "integer", Default: 8 * 1024, HasDefault: true, Gt: ptrFloat(0)}
}

func llmFormat() Field {
	return Field{Name: "llm_format", Type: "string", Default: "openai", HasDefault: true, NotRequired: true,
		OneOf: []any{"openai", "bedrock", "gemini"}}
}

func aiProxyPlugin() pluginDef {
	cfg := llmConfig("config")
	cfg.Fields = append(cfg.Fields,
		Field{Name: "response_streaming", Type: "string", NotRequired: true, Default: "allow", HasDefault: true,
			OneOf: []any{"allow", "deny", "always"}},
		maxBodySize(),
		Field{Name: "model_name_header", Type: "boolean", Default: true, HasDefault: true},
		llmFormat(),
	)
	return plugin("ai-proxy", 770, []Field{protocolsHTTP(), cfg},
		Check{Conditional: &Conditional{IfField: "config.llm_format", IfMatch: Field{OneOf: []any{"bedrock", "gemini"}},
			ThenField: "config.route_type", ThenMatch: Field{Eq: "llm/v1/chat"},
			ThenErr: "native provider options in llm_format can only be used with the 'llm/v1/chat' route_type"}},
		Check{Conditional: &Conditional{IfField: "config.llm_format", IfMatch: Field{Eq: "bedrock"},
			ThenField: "config.model.provider", ThenMatch: Field{Eq: "bedrock"},
			ThenErr: "native llm_format 'bedrock' can only be used with the 'bedrock' model.provider"}},
		Check{Conditional: &Conditional{IfField: "config.llm_format", IfMatch: Field{Eq: "gemini"},
			ThenField: "config.model.provider", ThenMatch: Field{Eq: "gemini"},
			ThenErr: "native llm_format 'gemini' can only be used with the 'gemini' model.provider"}})
}

func aiPromptDecoratorPlugin() pluginDef {
	prompt := Field{Type: "record", NotRequired: true, Fields: []Field{
		{Name: "role", Type: "string", Required: true, OneOf: []any{"system", "assistant", "user"}, Default: "system",
			HasDefault: true},
		{Name: "content", Type: "string", Required: true, LenMin: ptrInt(1), LenMax: ptrInt(500)},
	}}
	list := func(name string) Field {
		return Field{Name: name, Type: "array", Elements: &prompt, NotRequired: true, LenMax: ptrInt(15)}
	}
	return plugin("ai-prompt-decorator", 772, []Field{protocolsHTTP(), config([]Field{
		{Name: "prompts", Type: "record", NotRequired: true, Fields: []Field{list("prepend"), list("append")}},
		maxBodySize(),
		llmFormat(),
	})}, Check{AtLeastOneOf: []string{"config.prompts.prepend", "config.prompts.append"}})
}

func aiPromptTemplatePlugin() pluginDef {
	return plugin("ai-prompt-template", 773, []Field{protocolsHTTP(), config([]Field{
		{Name: "templates", Type: "array", Required: true, Elements: &Field{Type: "record", Required: true, Fields: []Field{
			{Name: "name", Type: "string", Required: true}, {Name: "template", Type: "string", Required: true},
		}}},
		b("allow_untemplated_requests", true, true),
		b("log_original_request", true, false),
		maxBodySize(),
	})})
}

func aiPromptGuardPlugin() pluginDef {
	patterns := func(name string) Field {
		return Field{Name: name, Type: "array", NotRequired: true, LenMax: ptrInt(10),
			Elements: &Field{Type: "string", LenMin: ptrInt(1), LenMax: ptrInt(500)}}
	}
	return plugin("ai-prompt-guard", 771, []Field{protocolsHTTP(), config([]Field{
		patterns("allow_patterns"), patterns("deny_patterns"),
		b("allow_all_conversation_history", true, false),
		maxBodySize(),
		b("match_all_roles", true, false),
		llmFormat(),
	})},
		Check{AtLeastOneOf: []string{"config.allow_patterns", "config.deny_patterns"}},
		Check{Conditional: &Conditional{IfField: "config.match_all_roles", IfMatch: Field{Eq: true},
			ThenField: "config.allow_all_conversation_history", ThenMatch: Field{Eq: false}}})
}

func aiTransformerPlugin(name string, priority int, response bool) pluginDef {
	fields := []Field{
		{Name: "prompt", Type: "string", Required: true},
		{Name: "transformation_extract_pattern", Type: "string", NotRequired: true},
	}
	if response {
		fields = append(fields, b("parse_llm_response_json_instructions", true, false))
	}
	fields = append(fields,
		Field{Name: "http_timeout", Type: "integer", Required: true, Default: 60000, HasDefault: true},
		b("https_verify", true, true),
		maxBodySize(),
		named("http_proxy_host", tdHost()), named("http_proxy_port", tdPort()),
		named("https_proxy_host", tdHost()), named("https_proxy_port", tdPort()),
		llmConfig("llm"),
	)
	top := []Field{protocolsHTTP(), consumerNone(), config(fields)}
	if response {
		top = []Field{protocolsHTTP(), config(fields)}
	}
	return plugin(name, priority, top,
		Check{Conditional: &Conditional{IfField: "config.llm.route_type", IfMatch: Field{NotOneOf: []any{"llm/v1/chat"}},
			ThenField: "config.llm.route_type", ThenMatch: Field{Eq: "llm/v1/chat"},
			ThenErr: "'config.llm.route_type' must be 'llm/v1/chat' for AI transformer plugins"}},
		Check{MutuallyRequired: []string{"config.http_proxy_host", "config.http_proxy_port"}},
		Check{MutuallyRequired: []string{"config.https_proxy_host", "config.https_proxy_port"}})
}

package schema

import (
	"encoding/json"
	"strings"
)

// The core entities of Kong 3.9 (kong/db/schema/entities/*.lua) with router_flavor
// traditional_compatible, and the credential entities of the bundled auth plugins (kong/plugins/*/daos.lua).

var entities = map[string]*Schema{}

func named(name string, f Field) Field {
	f.Name = name
	return f
}

func idField() Field   { return named("id", tdUUID()) }
func createdAt() Field { return named("created_at", tdTimestampS()) }
func updatedAt() Field { return named("updated_at", tdTimestampS()) }
func tagsField() Field { return named("tags", tdTags()) }
func consumerRef() Field {
	return Field{Name: "consumer", Type: "foreign", Reference: "consumers", Required: true, OnDelete: "cascade"}
}

func httpsOnly(field string) Check {
	return Check{Conditional: &Conditional{
		IfField: "protocol", IfMatch: Field{NotOneOf: []any{"https", "tls"}},
		ThenField: field, ThenMatch: Field{EqNull: true},
	}}
}

func servicesSchema() *Schema {
	nonzeroTimeout := func(name string) Field {
		return Field{Name: name, Type: "integer", Between: []float64{1, 1<<31 - 2}, Default: 60000, HasDefault: true}
	}
	return &Schema{
		Name: "services", PrimaryKey: []string{"id"}, EndpointKey: "name",
		Fields: []Field{
			idField(), createdAt(), updatedAt(),
			named("name", tdUTF8Name()),
			{Name: "retries", Type: "integer", Default: 5, HasDefault: true, Between: []float64{0, 32767}},
			named("protocol", withDefault(required(tdProtocol()), "http")),
			named("host", required(tdHost())),
			named("port", withDefault(required(tdPort()), 80)),
			named("path", tdPath()),
			nonzeroTimeout("connect_timeout"), nonzeroTimeout("write_timeout"), nonzeroTimeout("read_timeout"),
			tagsField(),
			{Name: "client_certificate", Type: "foreign", Reference: "certificates"},
			{Name: "tls_verify", Type: "boolean"},
			{Name: "tls_verify_depth", Type: "integer", HasDefault: true, Between: []float64{0, 64}},
			{Name: "ca_certificates", Type: "array", Elements: &Field{Type: "string", UUID: true}},
			{Name: "enabled", Type: "boolean", Required: true, Default: true, HasDefault: true},
		},
		EntityChecks: []Check{
			{Conditional: &Conditional{
				IfField: "protocol", IfMatch: Field{OneOf: []any{"tcp", "tls", "udp", "grpc", "grpcs"}},
				ThenField: "path", ThenMatch: Field{EqNull: true},
			}},
			httpsOnly("client_certificate"), httpsOnly("tls_verify"), httpsOnly("tls_verify_depth"),
			httpsOnly("ca_certificates"),
		},
		Shorthands: []Shorthand{{Name: "url", Type: "string", Expand: expandServiceURL}},
	}
}

// expandServiceURL is the `url` shorthand of services: protocol, host, port and path from one URL.
func expandServiceURL(v any) map[string]any {
	raw, _ := v.(string)
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		scheme, rest = "", raw
	}
	hostport, path, hasPath := strings.Cut(rest, "/")
	if i := strings.IndexAny(hostport, "?#"); i >= 0 {
		hostport = hostport[:i]
	}
	host, portText := hostport, ""
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		host, portText = hostport[:i], hostport[i+1:]
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	var port any
	if p, err := json.Number(portText).Int64(); err == nil {
		port = float64(p)
	}
	protocol := scheme
	if protocol == "" {
		switch port {
		case float64(443):
			protocol = "https"
		default:
			protocol = "http"
		}
	}
	if port == nil {
		switch protocol {
		case "https":
			port = float64(443)
		default:
			port = float64(80)
		}
	}
	out := map[string]any{"protocol": protocol, "host": nil, "port": port, "path": nil}
	if host != "" {
		out["host"] = host
	}
	if hasPath {
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			path = path[:i]
		}
		out["path"] = "/" + path
	}
	return out
}

func routesSchema() *Schema {
	hosts := Field{Name: "hosts", Type: "array", Elements: &Field{
		Type: "string",
		MatchAll: []PatternErr{{Pattern: "^[^*]*%*?[^*]*$",
			Err: "invalid wildcard: must have at most one wildcard"}},
		MatchAny: &MatchAny{Patterns: []string{"^%*%.", "%.%*$", "^[^*]*$"},
			Err: "invalid wildcard: must be placed at leftmost or rightmost label"},
		Custom: func(v any) string {
			s, _ := v.(string)
			return validHostOptionalPort(strings.ReplaceAll(s, "*", "abc"))
		},
	}}
	paths := Field{Name: "paths", Type: "array", Elements: &Field{
		Type:      "string",
		MatchAny:  &MatchAny{Patterns: []string{"^/", "^~/"}, Err: "should start with: / (fixed path) or ~/ (regex path)"},
		MatchNone: []PatternErr{{Pattern: "//", Err: "must not have empty segments"}},
		Custom:    validRouterPath,
	}}
	headers := named("headers", tdHeaders())
	headers.Keys.MatchNone = []PatternErr{{Pattern: "^[Hh][Oo][Ss][Tt]$",
		Err: "cannot contain 'host' header, which must be specified in the 'hosts' attribute"}}
	methodElem := tdHTTPMethod()
	return &Schema{
		Name: "routes", PrimaryKey: []string{"id"}, EndpointKey: "name",
		Fields: []Field{
			idField(), createdAt(), updatedAt(),
			named("name", tdUTF8Name()),
			{Name: "protocols", Type: "set", LenMin: ptrInt(1), Required: true, Elements: ptr(tdProtocol()),
				MutuallyExclusiveSubsets: [][]string{{"http", "https"}, {"tcp", "tls", "udp"}, {"tls_passthrough"}, {"grpc", "grpcs"}},
				Default:                  []any{"http", "https"}, HasDefault: true},
			{Name: "https_redirect_status_code", Type: "integer", OneOf: []any{426, 301, 302, 307, 308},
				Default: 426, HasDefault: true, Required: true},
			{Name: "strip_path", Type: "boolean", Required: true, Default: true, HasDefault: true},
			{Name: "preserve_host", Type: "boolean", Required: true, Default: false, HasDefault: true},
			{Name: "request_buffering", Type: "boolean", Required: true, Default: true, HasDefault: true},
			{Name: "response_buffering", Type: "boolean", Required: true, Default: true, HasDefault: true},
			tagsField(),
			{Name: "service", Type: "foreign", Reference: "services"},
			{Name: "snis", Type: "set", Elements: ptr(tdWildcardHost())},
			named("sources", tdSources()),
			named("destinations", tdSources()),
			{Name: "methods", Type: "set", Elements: &methodElem},
			hosts, paths, headers,
			{Name: "regex_priority", Type: "integer", Default: 0, HasDefault: true},
			{Name: "path_handling", Type: "string", Default: "v0", HasDefault: true, OneOf: []any{"v0", "v1"}},
		},
		EntityChecks: []Check{
			{Conditional: &Conditional{
				IfField:   "protocols",
				IfMatch:   Field{Elements: &Field{Type: "string", NotOneOf: []any{"grpcs", "https", "tls", "tls_passthrough"}}},
				ThenField: "snis", ThenMatch: Field{LenEq: ptrInt(0)},
				ThenErr: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
			}},
			{Custom: &CustomCheck{FieldSources: []string{"path_handling"}, Fn: func(map[string]any) string { return "" }}},
			{Custom: &CustomCheck{
				FieldSources: []string{"id", "protocols", "snis", "sources", "destinations", "methods", "hosts",
					"paths", "headers", "expression", "regex_priority", "priority"},
				RunWithMissingFields: true,
				Fn:                   func(map[string]any) string { return "" },
			}},
		},
		subschemaKey: "protocols",
	}
}

func ptr(f Field) *Field { return &f }

// validRouterPath accepts prefix paths in normalized form and regex paths that compile.
// routeSubschemas are kong/db/schema/entities/routes_subschemas.lua: per protocol family, which fields must
// stay null and which must be set.
func routeSubschemas() map[string]subschemaDef {
	noField := func(name, family string) Field {
		return Field{Name: name, EqNull: true, Err: "cannot set '" + name + "' when 'protocols' is " + family}
	}
	httpFamily := "'http' or 'https'"
	streamFamily := "'tcp', 'tls', 'tls_passthrough' or 'udp'"
	grpcFamily := "'grpc' or 'grpcs'"
	http := subschemaDef{
		Fields: []Field{noField("sources", httpFamily), noField("destinations", httpFamily)},
		EntityChecks: []Check{{ConditionalAtLeastOneOf: &ConditionalAtLeastOneOf{
			IfField: "protocols", IfMatch: Field{Contains: "https"},
			ThenAtLeastOneOf:     []string{"methods", "hosts", "headers", "paths", "snis"},
			ThenErr:              "must set one of %s when 'protocols' is 'https'",
			ElseMatch:            &Field{Contains: "http"},
			ElseThenAtLeastOneOf: []string{"methods", "hosts", "headers", "paths"},
			ElseThenErr:          "must set one of %s when 'protocols' is 'http'",
		}}},
	}
	stream := subschemaDef{
		Fields: []Field{noField("methods", streamFamily), noField("hosts", streamFamily),
			noField("paths", streamFamily), noField("headers", streamFamily)},
		EntityChecks: []Check{
			{ConditionalAtLeastOneOf: &ConditionalAtLeastOneOf{
				IfField: "protocols", IfMatch: Field{Elements: &Field{Type: "string", OneOf: []any{"tcp", "tls", "udp"}}},
				ThenAtLeastOneOf: []string{"sources", "destinations", "snis"},
				ThenErr:          "must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'",
			}},
			{ConditionalAtLeastOneOf: &ConditionalAtLeastOneOf{
				IfField: "protocols", IfMatch: Field{Elements: &Field{Type: "string", OneOf: []any{"tls_passthrough"}}},
				ThenAtLeastOneOf: []string{"snis"},
				ThenErr:          "must set snis when 'protocols' is 'tls_passthrough'",
			}},
		},
	}
	grpc := subschemaDef{
		Fields: []Field{
			{Name: "strip_path", Type: "boolean", Required: true, Default: false, HasDefault: true, NeTrue: true,
				Err: "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"},
			noField("methods", grpcFamily), noField("sources", grpcFamily), noField("destinations", grpcFamily),
		},
		EntityChecks: []Check{{ConditionalAtLeastOneOf: &ConditionalAtLeastOneOf{
			IfField: "protocols", IfMatch: Field{Contains: "grpcs"},
			ThenAtLeastOneOf:     []string{"hosts", "headers", "paths", "snis"},
			ThenErr:              "must set one of %s when 'protocols' is 'grpcs'",
			ElseMatch:            &Field{Contains: "grpc"},
			ElseThenAtLeastOneOf: []string{"hosts", "headers", "paths"},
			ElseThenErr:          "must set one of %s when 'protocols' is 'grpc'",
		}}},
	}
	return map[string]subschemaDef{
		"http": http, "https": http, "tcp": stream, "tls": stream, "udp": stream, "tls_passthrough": stream,
		"grpc": grpc, "grpcs": grpc,
	}
}

func consumersSchema() *Schema {
	return &Schema{
		Name: "consumers", PrimaryKey: []string{"id"}, EndpointKey: "username",
		Fields: []Field{
			idField(), createdAt(), updatedAt(),
			{Name: "username", Type: "string", Unique: true},
			{Name: "custom_id", Type: "string", Unique: true},
			tagsField(),
		},
		EntityChecks: []Check{{AtLeastOneOf: []string{"custom_id", "username"}}},
	}
}

func pluginsSchema() *Schema {
	return &Schema{
		Name: "plugins", PrimaryKey: []string{"id"}, EndpointKey: "instance_name",
		CacheKey: []string{"name", "route", "service", "consumer"},
		Fields: []Field{
			idField(),
			{Name: "name", Type: "string", Required: true},
			named("instance_name", tdUTF8Name()),
			createdAt(), updatedAt(),
			{Name: "route", Type: "foreign", Reference: "routes", HasDefault: true, OnDelete: "cascade"},
			{Name: "service", Type: "foreign", Reference: "services", HasDefault: true, OnDelete: "cascade"},
			{Name: "consumer", Type: "foreign", Reference: "consumers", HasDefault: true, OnDelete: "cascade"},
			{Name: "config", Type: "record", Abstract: true},
			named("protocols", tdProtocols()),
			{Name: "enabled", Type: "boolean", Required: true, Default: true, HasDefault: true},
			tagsField(),
		},
		subschemaKey:   "name",
		subschemaError: "plugin '%s' not enabled; add it to the 'plugins' configuration property",
	}
}

func upstreamsSchema() *Schema {
	hashOn := func(name string) Field {
		return Field{Name: name, Type: "string", Default: "none", HasDefault: true,
			OneOf: []any{"none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}}
	}
	simpleParam := func(name string) Field { return Field{Name: name, Type: "string", LenMin: ptrInt(1)} }
	hashOnCookiePath := named("hash_on_cookie_path", withDefault(tdPath(), "/"))
	match := func(value string) Field { return Field{Match: "^" + value + "$"} }
	cond := func(ifField, value, thenField string, then Field) Check {
		return Check{Conditional: &Conditional{IfField: ifField, IfMatch: match(value), ThenField: thenField, ThenMatch: then}}
	}
	needed := Field{Required: true}
	return &Schema{
		Name: "upstreams", PrimaryKey: []string{"id"}, EndpointKey: "name",
		Fields: []Field{
			idField(), createdAt(),
			{Name: "name", Type: "string", Required: true, Unique: true, Custom: validUpstreamName},
			updatedAt(),
			{Name: "algorithm", Type: "string", Default: "round-robin", HasDefault: true,
				OneOf: []any{"consistent-hashing", "least-connections", "round-robin", "latency"}},
			hashOn("hash_on"), hashOn("hash_fallback"),
			named("hash_on_header", tdHeaderName()), named("hash_fallback_header", tdHeaderName()),
			named("hash_on_cookie", tdCookieName()),
			hashOnCookiePath,
			simpleParam("hash_on_query_arg"), simpleParam("hash_fallback_query_arg"),
			simpleParam("hash_on_uri_capture"), simpleParam("hash_fallback_uri_capture"),
			{Name: "slots", Type: "integer", Default: 10000, HasDefault: true, Between: []float64{10, 1 << 16}},
			healthchecksField(),
			tagsField(),
			named("host_header", tdHostWithOptionalPort()),
			{Name: "client_certificate", Type: "foreign", Reference: "certificates"},
			{Name: "use_srv_name", Type: "boolean", Default: false, HasDefault: true},
		},
		EntityChecks: []Check{
			cond("hash_on", "header", "hash_on_header", needed),
			cond("hash_fallback", "header", "hash_fallback_header", needed),
			cond("hash_on", "cookie", "hash_on_cookie", needed),
			cond("hash_fallback", "cookie", "hash_on_cookie", needed),
			cond("hash_on", "none", "hash_fallback", Field{OneOf: []any{"none"}}),
			cond("hash_on", "cookie", "hash_fallback", Field{OneOf: []any{"none"}}),
			cond("hash_on", "consumer", "hash_fallback",
				Field{OneOf: []any{"none", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}}),
			cond("hash_on", "ip", "hash_fallback",
				Field{OneOf: []any{"none", "consumer", "header", "cookie", "path", "query_arg", "uri_capture"}}),
			cond("hash_on", "path", "hash_fallback",
				Field{OneOf: []any{"none", "consumer", "header", "cookie", "query_arg", "ip", "uri_capture"}}),
			{Distinct: []string{"hash_on_header", "hash_fallback_header"}},
			cond("hash_on", "query_arg", "hash_on_query_arg", needed),
			cond("hash_fallback", "query_arg", "hash_fallback_query_arg", needed),
			{Distinct: []string{"hash_on_query_arg", "hash_fallback_query_arg"}},
			cond("hash_on", "uri_capture", "hash_on_uri_capture", needed),
			cond("hash_fallback", "uri_capture", "hash_fallback_uri_capture", needed),
			{Distinct: []string{"hash_on_uri_capture", "hash_fallback_uri_capture"}},
		},
		Shorthands: []Shorthand{
			{Name: "algorithm", Type: "string", Expand: func(v any) map[string]any {
				if v == "least-connections" || v == "latency" {
					return map[string]any{"algorithm": v, "hash_on": nil}
				}
				return map[string]any{"algorithm": v}
			}},
			{Name: "hash_on", Type: "string", Expand: func(v any) map[string]any {
				switch v {
				case nil:
					return map[string]any{"hash_on": "none"}
				case "none":
					return map[string]any{"hash_on": v, "algorithm": "round-robin"}
				}
				return map[string]any{"hash_on": v, "algorithm": "consistent-hashing"}
			}},
		},
	}
}

// healthchecksField is the upstream healthchecks record: its default object is Kong's, which leaves out
// https_sni, headers and threshold; filling the record adds them.
func healthchecksField() Field {
	seconds := func(name string, def any) Field {
		return Field{Name: name, Type: "number", Between: []float64{0, 65535}, Default: def, HasDefault: true}
	}
	oneByte := func(name string) Field {
		return Field{Name: name, Type: "integer", Between: []float64{0, 255}, Default: 0, HasDefault: true}
	}
	statuses := func(def []int) Field {
		return Field{Name: "http_statuses", Type: "array", Default: def, HasDefault: true,
			Elements: &Field{Type: "integer", Between: []float64{100, 999}}}
	}
	checkType := Field{Name: "type", Type: "string", OneOf: []any{"tcp", "http", "https", "grpc", "grpcs"},
		Default: "http", HasDefault: true}
	record := func(name string, fields []Field) Field {
		def := map[string]any{}
		for _, f := range fields {
			if f.HasDefault {
				def[f.Name] = f.Default
			}
		}
		return Field{Name: name, Type: "record", Fields: fields, Default: def, HasDefault: true}
	}
	httpPath := named("http_path", withDefault(tdPath(), "/"))
	httpsSNI := named("https_sni", tdSNI())
	httpsSNI.NotRequired = true
	headers := named("headers", tdHeaders())
	headers.NotRequired = true
	active := record("active", []Field{
		checkType,
		seconds("timeout", 1),
		{Name: "concurrency", Type: "integer", Between: []float64{1, 1 << 31}, Default: 10, HasDefault: true},
		httpPath,
		httpsSNI,
		{Name: "https_verify_certificate", Type: "boolean", Required: true, Default: true, HasDefault: true},
		headers,
		record("healthy", []Field{seconds("interval", 0), statuses([]int{200, 302}), oneByte("successes")}),
		record("unhealthy", []Field{seconds("interval", 0),
			statuses([]int{429, 404, 500, 501, 502, 503, 504, 505}),
			oneByte("tcp_failures"), oneByte("timeouts"), oneByte("http_failures")}),
	})
	passive := record("passive", []Field{
		checkType,
		record("healthy", []Field{
			statuses([]int{200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308}),
			oneByte("successes")}),
		record("unhealthy", []Field{statuses([]int{429, 500, 503}),
			oneByte("tcp_failures"), oneByte("timeouts"), oneByte("http_failures")}),
	})
	hc := record("healthchecks", []Field{active, passive})
	hc.Fields = append(hc.Fields, Field{Name: "threshold", Type: "number", Default: 0, HasDefault: true,
		Between: []float64{0, 100}})
	return hc
}

func targetsSchema() *Schema {
	return &Schema{
		Name: "targets", PrimaryKey: []string{"id"}, EndpointKey: "target", CacheKey: []string{"upstream", "target"},
		Fields: []Field{
			idField(),
			named("created_at", tdTimestampMS()), named("updated_at", tdTimestampMS()),
			{Name: "upstream", Type: "foreign", Reference: "upstreams", Required: true, OnDelete: "cascade"},
			{Name: "target", Type: "string", Required: true, Custom: validTarget},
			{Name: "weight", Type: "integer", Default: 100, HasDefault: true, Between: []float64{0, 65535}},
			tagsField(),
		},
	}
}

func certificatesSchema() *Schema {
	refCert := func(name string, req bool) Field {
		f := named(name, tdCertificate())
		f.Required, f.NotRequired, f.Referenceable = req, !req, true
		return f
	}
	refKey := func(name string, req bool) Field {
		f := named(name, tdKey())
		f.Required, f.NotRequired, f.Referenceable, f.Encrypted = req, !req, true, true
		return f
	}
	return &Schema{
		Name: "certificates", PrimaryKey: []string{"id"},
		Fields: []Field{
			idField(), createdAt(), updatedAt(),
			refCert("cert", true), refKey("key", true), refCert("cert_alt", false), refKey("key_alt", false),
			tagsField(),
			{Name: "snis", Type: "array", Elements: ptr(tdWildcardHost()), NotRequired: true, Transient: true},
		},
		EntityChecks: []Check{
			{MutuallyRequired: []string{"cert_alt", "key_alt"}},
			{Custom: &CustomCheck{FieldSources: []string{"cert", "key"}, Fn: func(e map[string]any) string {
				cert, _ := e["cert"].(string)
				key, _ := e["key"].(string)
				if !certificateMatchesKey(cert, key) {
					return "certificate does not match key"
				}
				return ""
			}}},
			{Custom: &CustomCheck{FieldSources: []string{"cert_alt", "key_alt"}, Fn: func(e map[string]any) string {
				cert, okC := e["cert_alt"].(string)
				key, okK := e["key_alt"].(string)
				if okC && okK && !certificateMatchesKey(cert, key) {
					return "alternative certificate does not match key"
				}
				return ""
			}}},
		},
	}
}

func caCertificatesSchema() *Schema {
	return &Schema{
		Name: "ca_certificates", PrimaryKey: []string{"id"},
		Fields: []Field{
			idField(), createdAt(), updatedAt(),
			named("cert", required(tdCertificate())),
			{Name: "cert_digest", Type: "string", Unique: true},
			tagsField(),
		},
		EntityChecks: []Check{{Custom: &CustomCheck{FieldSources: []string{"cert"}, Fn: func(e map[string]any) string {
			cert, _ := e["cert"].(string)
			const tag = "-----BEGIN CERTIFICATE-----"
			if strings.Count(cert, tag) > 1 {
				return "please submit only one certificate at a time"
			}
			if c, ok := parseCertificate(cert); ok && !c.IsCA {
				return "certificate does not appear to be a CA because it is missing the \"CA\" basic constraint"
			}
			return ""
		}}}},
	}
}

func snisSchema() *Schema {
	name := named("name", required(tdWildcardHost()))
	name.Unique = true
	return &Schema{
		Name: "snis", PrimaryKey: []string{"id"}, EndpointKey: "name",
		Fields: []Field{
			idField(), name, createdAt(), updatedAt(), tagsField(),
			{Name: "certificate", Type: "foreign", Reference: "certificates", Required: true},
		},
	}
}

func vaultsSchema() *Schema {
	return &Schema{
		Name: "vaults", PrimaryKey: []string{"id"}, EndpointKey: "prefix", CacheKey: []string{"prefix"},
		Fields: []Field{
			idField(),
			{Name: "prefix", Type: "string", Required: true, Unique: true, Match: "^[a-z][a-z%d-]-[a-z%d]+$",
				NotOneOf: []any{"env"}},
			{Name: "name", Type: "string", Required: true},
			{Name: "description", Type: "string"},
			{Name: "config", Type: "record", Abstract: true},
			createdAt(), updatedAt(), tagsField(),
		},
		subschemaKey:   "name",
		subschemaError: "vault '%s' is not installed",
	}
}

func vaultSubschemas() map[string]subschemaDef {
	return map[string]subschemaDef{"env": {Fields: []Field{{Name: "config", Type: "record", Fields: []Field{
		{Name: "prefix", Type: "string", Match: "^[%a_-][%a%d_-]*$"},
	}}}}}
}

func keySetsSchema() *Schema {
	return &Schema{
		Name: "key_sets", PrimaryKey: []string{"id"}, EndpointKey: "name", AdminAPIName: "key-sets",
		Fields: []Field{
			idField(),
			{Name: "name", Type: "string", NotRequired: true, Unique: true},
			tagsField(), createdAt(), updatedAt(),
		},
	}
}

func keysSchema() *Schema {
	pem := Field{Name: "pem", Type: "record", NotRequired: true, Fields: []Field{
		{Name: "private_key", Type: "string", NotRequired: true, Referenceable: true, Encrypted: true},
		{Name: "public_key", Type: "string", NotRequired: true, Referenceable: true},
	}, EntityChecks: []Check{{AtLeastOneOf: []string{"private_key", "public_key"}}}}
	return &Schema{
		Name: "keys", PrimaryKey: []string{"id"}, EndpointKey: "name", CacheKey: []string{"kid", "set"},
		Fields: []Field{
			idField(),
			{Name: "set", Type: "foreign", Reference: "key_sets", NotRequired: true, OnDelete: "cascade"},
			{Name: "name", Type: "string", NotRequired: true, Unique: true},
			{Name: "kid", Type: "string", Required: true},
			{Name: "jwk", Type: "string", Referenceable: true, Encrypted: true},
			pem,
			tagsField(), createdAt(), updatedAt(),
		},
		EntityChecks: []Check{
			{MutuallyExclusive: []string{"jwk", "pem"}},
			{AtLeastOneOf: []string{"jwk", "pem"}},
			{Custom: &CustomCheck{FieldSources: []string{"jwk", "pem", "kid"}, Fn: checkKey}},
		},
	}
}

func checkKey(e map[string]any) string {
	if jwk, ok := e["jwk"].(string); ok && !isReference(jwk) {
		var parsed map[string]any
		if err := json.Unmarshal([]byte(jwk), &parsed); err != nil {
			return "could not json decode jwk string"
		}
		if parsed["kid"] != e["kid"] {
			return "kid in jwk.kid must be equal to keys.kid"
		}
	}
	if pem, ok := e["pem"].(map[string]any); ok && pem["private_key"] == nil && pem["public_key"] == nil {
		return "need to supply a PEM formatted public and/or private key."
	}
	return ""
}

func credentialSchemas() []*Schema {
	jwtAlgorithms := []any{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
		"PS256", "PS384", "PS512", "EdDSA"}
	return []*Schema{
		{
			Name: "keyauth_credentials", PrimaryKey: []string{"id"}, EndpointKey: "key", TTL: true,
			AdminAPIName: "key-auths", AdminAPINestedName: "key-auth",
			Fields: []Field{idField(), createdAt(), consumerRef(),
				{Name: "key", Type: "string", NotRequired: true, Unique: true, Auto: true}, tagsField()},
		},
		{
			Name: "basicauth_credentials", PrimaryKey: []string{"id"}, EndpointKey: "username",
			AdminAPIName: "basic-auths", AdminAPINestedName: "basic-auth",
			Fields: []Field{idField(), createdAt(), consumerRef(),
				{Name: "username", Type: "string", Required: true, Unique: true},
				{Name: "password", Type: "string", Required: true, Encrypted: true}, tagsField()},
		},
		{
			Name: "hmacauth_credentials", PrimaryKey: []string{"id"}, EndpointKey: "username",
			AdminAPIName: "hmac-auths", AdminAPINestedName: "hmac-auth",
			Fields: []Field{idField(), createdAt(), consumerRef(),
				{Name: "username", Type: "string", Required: true, Unique: true},
				{Name: "secret", Type: "string", Auto: true}, tagsField()},
		},
		{
			Name: "jwt_secrets", PrimaryKey: []string{"id"}, EndpointKey: "key",
			AdminAPIName: "jwts", AdminAPINestedName: "jwt",
			Fields: []Field{idField(), createdAt(), consumerRef(),
				{Name: "key", Type: "string", NotRequired: true, Unique: true, Auto: true},
				{Name: "secret", Type: "string", Auto: true},
				{Name: "rsa_public_key", Type: "string"},
				{Name: "algorithm", Type: "string", Default: "HS256", HasDefault: true, OneOf: jwtAlgorithms},
				tagsField()},
			EntityChecks: []Check{{Conditional: &Conditional{
				IfField: "algorithm",
				IfMatch: Field{MatchAny: &MatchAny{Patterns: []string{"^RS256$", "^RS384$", "^RS512$", "^PS256$",
					"^PS384$", "^PS512$", "^EdDSA$"}}},
				ThenField: "rsa_public_key",
				ThenMatch: Field{Required: true, Custom: func(v any) string {
					s, _ := v.(string)
					if _, ok := parsePublicOfKey(s); !ok {
						return "invalid key"
					}
					return ""
				}},
			}}},
		},
		{
			Name: "acls", PrimaryKey: []string{"id"}, CacheKey: []string{"consumer", "group"},
			AdminAPIName: "acls", AdminAPINestedName: "acls",
			Fields: []Field{idField(), createdAt(), consumerRef(),
				{Name: "group", Type: "string", Required: true}, tagsField()},
		},
		{
			Name: "oauth2_credentials", PrimaryKey: []string{"id"}, EndpointKey: "client_id",
			AdminAPIName: "oauth2", AdminAPINestedName: "oauth2",
			Fields: []Field{idField(), createdAt(), consumerRef(),
				{Name: "name", Type: "string", Required: true},
				{Name: "client_id", Type: "string", NotRequired: true, Unique: true, Auto: true},
				{Name: "client_secret", Type: "string", NotRequired: true, Auto: true, Encrypted: true},
				{Name: "hash_secret", Type: "boolean", Required: true, Default: false, HasDefault: true},
				{Name: "redirect_uris", Type: "array", NotRequired: true,
					Elements: &Field{Type: "string", Custom: validRedirectURI}},
				tagsField(),
				{Name: "client_type", Type: "string", Required: true, Default: "confidential", HasDefault: true,
					OneOf: []any{"confidential", "public"}},
			},
		},
	}
}

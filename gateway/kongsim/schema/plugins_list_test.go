package schema

import (
	"reflect"
	"sort"
	"testing"
)

// kong391Plugins is the bundled plugin list of Kong 3.9.1 OSS, kong/constants.lua.
var kong391Plugins = []string{"jwt", "acl", "correlation-id", "cors", "oauth2", "tcp-log", "udp-log", "file-log",
	"http-log", "key-auth", "hmac-auth", "basic-auth", "ip-restriction", "request-transformer",
	"response-transformer", "request-size-limiting", "rate-limiting", "response-ratelimiting", "syslog", "loggly",
	"datadog", "ldap-auth", "statsd", "bot-detection", "aws-lambda", "request-termination", "prometheus",
	"proxy-cache", "session", "acme", "grpc-gateway", "grpc-web", "pre-function", "post-function",
	"azure-functions", "zipkin", "opentelemetry", "ai-proxy", "ai-prompt-decorator", "ai-prompt-template",
	"ai-prompt-guard", "ai-request-transformer", "ai-response-transformer", "standard-webhooks", "redirect"}

func TestPluginsAreKong391s(t *testing.T) {
	want := append([]string(nil), kong391Plugins...)
	sort.Strings(want)
	var got []string
	for _, p := range Plugins() {
		got = append(got, p.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bundled plugins\n got %v\nwant %v", got, want)
	}
}

// servedAttribute lists the paths of every served field carrying attr: true; map values and array elements
// appear as <field>.values and <field>.elements.
func servedAttribute(fields []any, prefix, attr string) []string {
	var out []string
	var walk func(path string, def map[string]any)
	walk = func(path string, def map[string]any) {
		if def[attr] == true {
			out = append(out, path)
		}
		for _, sub := range []string{"elements", "values"} {
			if d, ok := def[sub].(map[string]any); ok {
				walk(path+"."+sub, d)
			}
		}
		if fs, ok := def["fields"].([]any); ok {
			for _, e := range fs {
				for name, d := range e.(map[string]any) {
					walk(path+"."+name, d.(map[string]any))
				}
			}
		}
	}
	for _, e := range fields {
		for name, d := range e.(map[string]any) {
			walk(prefix+name, d.(map[string]any))
		}
	}
	sort.Strings(out)
	return out
}

// The backup takes its secret fields from what /schemas/plugins/{name} serves, so `encrypted` and
// `referenceable` must sit exactly where Kong 3.9.1's plugin schemas put them (kong/plugins/*/schema.lua,
// kong/tools/redis/schema.lua, kong/llm/schemas/init.lua).
func TestServedSecretAttributes(t *testing.T) {
	redisPW := "config.redis.password"
	llmAuth := func(prefix string) (enc, ref []string) {
		enc = []string{prefix + "auth.aws_access_key_id", prefix + "auth.aws_secret_access_key",
			prefix + "auth.header_value", prefix + "auth.param_value"}
		ref = append([]string{prefix + "auth.gcp_service_account_json", prefix + "auth.header_name",
			prefix + "auth.param_name"}, enc...)
		return enc, ref
	}
	aiEnc, aiRef := llmAuth("config.")
	trEnc, trRef := llmAuth("config.llm.")
	acmeEnc := []string{"config.account_email", "config.eab_hmac_key", "config.eab_kid",
		"config.storage_config.redis.password"}
	encrypted := map[string][]string{
		"acme": acmeEnc, "ai-proxy": aiEnc, "ai-request-transformer": trEnc, "ai-response-transformer": trEnc,
		"aws-lambda":      {"config.aws_assume_role_arn", "config.aws_key", "config.aws_secret"},
		"azure-functions": {"config.apikey", "config.clientid"},
		"http-log":        {"config.http_endpoint"}, "loggly": {"config.key"}, "oauth2": {"config.provision_key"},
		"rate-limiting": {redisPW}, "response-ratelimiting": {redisPW}, "session": {"config.secret"},
		"standard-webhooks": {"config.secret_v1"},
	}
	redisRef := []string{redisPW, "config.redis.username"}
	referenceable := map[string][]string{
		"acme": append(append([]string{}, acmeEnc...), "config.storage_config.consul.token",
			"config.storage_config.redis.username", "config.storage_config.vault.token"),
		"ai-proxy": aiRef, "ai-request-transformer": trRef, "ai-response-transformer": trRef,
		"aws-lambda":      encrypted["aws-lambda"],
		"azure-functions": encrypted["azure-functions"],
		"datadog":         {"config.host"},
		"http-log":        {"config.headers.values", "config.http_endpoint"},
		"loggly":          {"config.key"},
		"opentelemetry":   {"config.headers.values", "config.logs_endpoint", "config.traces_endpoint"},
		"rate-limiting":   redisRef, "response-ratelimiting": redisRef,
		"session": {"config.secret"}, "standard-webhooks": {"config.secret_v1"},
	}
	for _, p := range Plugins() {
		s, _ := Plugin(p.Name)
		fields := s.Served()["fields"].([]any)
		for attr, table := range map[string]map[string][]string{"encrypted": encrypted, "referenceable": referenceable} {
			want := append([]string(nil), table[p.Name]...)
			sort.Strings(want)
			if got := servedAttribute(fields, "", attr); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s fields\n got %v\nwant %v", p.Name, attr, got, want)
			}
		}
	}
}

// The core entities carry them where kong/db/schema/entities/*.lua, typedefs.pem and the credential daos.lua do.
func TestServedEntitySecretAttributes(t *testing.T) {
	want := map[string]map[string][]string{
		"encrypted": {
			"certificates":          {"key", "key_alt"},
			"keys":                  {"jwk", "pem.private_key"},
			"basicauth_credentials": {"password"},
			"oauth2_credentials":    {"client_secret"},
		},
		"referenceable": {
			"certificates": {"cert", "cert_alt", "key", "key_alt"},
			"keys":         {"jwk", "pem.private_key", "pem.public_key"},
		},
	}
	for _, name := range EntityNames() {
		s, _ := Entity(name)
		for attr, table := range want {
			exp := append([]string(nil), table[name]...)
			sort.Strings(exp)
			if got := servedAttribute(s.Served()["fields"].([]any), "", attr); !reflect.DeepEqual(got, exp) {
				t.Errorf("%s: %s fields\n got %v\nwant %v", name, attr, got, exp)
			}
		}
	}
}

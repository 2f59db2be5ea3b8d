package kongsim

import "github.com/kongsnap/kongsnap/gateway/kongsim/schema"

// kind is one entity collection as the Admin API exposes it. Field-level facts (defaults, uniqueness, foreign
// keys) come from the entity schema; what Kong keeps outside the schema's fields lives here.
type kind struct {
	name       string   // DAO name and /schemas name, e.g. "keyauth_credentials"
	path       string   // admin_api_name, e.g. "key-auths"
	nested     string   // admin_api_nested_name under a parent, e.g. "key-auth"
	cacheKey   []string // composite cache_key: one unique constraint over several fields
	autoSecret []string // string fields Kong generates (auto = true) when absent

	// Looked up once for the stored kinds: every request asks for them.
	sch     *schema.Schema
	foreign []schema.Field
}

var kindList = withSchemas([]*kind{
	{name: "services", path: "services"},
	{name: "routes", path: "routes"},
	{name: "consumers", path: "consumers"},
	{name: "plugins", path: "plugins", cacheKey: []string{"name", "route", "service", "consumer"}},
	{name: "upstreams", path: "upstreams"},
	{name: "targets", path: "targets", cacheKey: []string{"upstream", "target"}},
	{name: "certificates", path: "certificates"},
	{name: "snis", path: "snis"},
	{name: "ca_certificates", path: "ca_certificates"},
	{name: "vaults", path: "vaults"},
	{name: "key_sets", path: "key-sets"},
	{name: "keys", path: "keys", cacheKey: []string{"kid", "set"}},
	{name: "keyauth_credentials", path: "key-auths", nested: "key-auth", autoSecret: []string{"key"}},
	{name: "basicauth_credentials", path: "basic-auths", nested: "basic-auth"},
	{name: "hmacauth_credentials", path: "hmac-auths", nested: "hmac-auth", autoSecret: []string{"secret"}},
	{name: "jwt_secrets", path: "jwts", nested: "jwt", autoSecret: []string{"key", "secret"}},
	{name: "acls", path: "acls", cacheKey: []string{"consumer", "group"}},
	{name: "oauth2_credentials", path: "oauth2", autoSecret: []string{"client_id", "client_secret"}},
})

func withSchemas(kinds []*kind) []*kind {
	for _, k := range kinds {
		k.sch = k.entitySchema()
		k.foreign = append([]schema.Field{}, k.foreignFields()...) // empty, not nil, for a kind without any
	}
	return kinds
}

// enterpriseOnly lists Admin API collections that exist only in Kong Enterprise: OSS answers 404.
var enterpriseOnly = map[string]bool{
	"consumer_groups": true, "mtls-auths": true, "partials": true, "workspaces": true, "licenses": true,
	"rbac": true, "admins": true, "developers": true, "files": true, "event-hooks": true, "vitals": true,
	"degraphql_routes": true, "graphql_ratelimiting_advanced_cost_decoration": true, "custom-plugins": true,
	"consumer-groups": true, "keyring": true, "audit": true, "groups": true,
}

// nestedName is how a child collection is named under its parent: /consumers/{c}/key-auth.
func (k *kind) nestedName() string {
	if k.nested != "" {
		return k.nested
	}
	return k.path
}

// entitySchema is the kind's core schema. It panics when package schema lacks one of Kong's core entities,
// which is a programming error caught by every test.
func (k *kind) entitySchema() *schema.Schema {
	if k.sch != nil {
		return k.sch
	}
	s, ok := schema.Entity(k.name)
	if !ok {
		panic("kongsim: schema has no entity " + k.name)
	}
	return s
}

func (k *kind) field(name string) *schema.Field {
	s := k.entitySchema()
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// foreignFields returns the kind's foreign key fields.
func (k *kind) foreignFields() []schema.Field {
	if k.foreign != nil {
		return k.foreign
	}
	var out []schema.Field
	for _, f := range k.entitySchema().Fields {
		if f.Type == "foreign" {
			out = append(out, f)
		}
	}
	return out
}

func (k *kind) endpointKey() string { return k.entitySchema().EndpointKey }

// Package schema is Kong's schema language for kongsim: field types, defaults, validation, the served
// /schemas bodies and the bundled entity and plugin schemas of Kong 3.9 OSS. It holds no state: the
// store fills, validates and serves entities through it.
package schema

import (
	"slices"
	"sort"
)

// KongVersion is the Kong release whose schemas this package reproduces; bundled plugins report it as their
// version, as Kong's do.
const KongVersion = "3.9.1"

// Field is one field of a schema, described the way Kong's schema language describes it. Validators left
// at their zero value are off.
type Field struct {
	Name      string
	Type      string // "string","integer","number","boolean","array","set","map","record","foreign","json"
	Required  bool
	Default   any // nil = no default, unless HasDefault (then the default is JSON null)
	Unique    bool
	Reference string  // foreign: referenced entity collection, e.g. "services"
	OnDelete  string  // foreign: "cascade" or "" (restrict)
	Elements  *Field  // array, set
	Keys      *Field  // map
	Values    *Field  // map
	Fields    []Field // record

	HasDefault bool // Default is set, even when it is nil (Kong's `default = ngx.null`)
	// NotRequired marks an explicit `required = false`, which keeps a record nullable and is served.
	NotRequired   bool
	Auto          bool // generated on insert: UUIDs, random strings, timestamps
	UUID          bool
	Timestamp     bool
	Abstract      bool // a record specialised by a subschema (plugin and vault config)
	Referenceable bool // may hold a vault reference ({vault://...}), which skips validators
	Encrypted     bool
	Transient     bool

	Eq         any  // the value must equal Eq (used by conditional checks)
	EqNull     bool // `eq = null`: the field must be null
	NeTrue     bool // `ne = true`
	OneOf      []any
	NotOneOf   []any
	Gt         *float64
	Between    []float64 // {min, max}
	LenEq      *int
	LenMin     *int
	LenMax     *int
	StartsWith string
	Match      string // Lua pattern
	NotMatch   string
	MatchAll   []PatternErr
	MatchNone  []PatternErr
	MatchAny   *MatchAny
	Contains   any
	IsRegex    bool
	// MutuallyExclusiveSubsets: the values of a set may come from one subset only.
	MutuallyExclusiveSubsets [][]string
	// Custom is Kong's custom_validator: it returns "" when value is valid, else the message.
	Custom func(value any) string
	Err    string // replaces the message of any failed validator, as Kong's `err` attribute does

	// Deprecation marks a field Kong keeps for compatibility and will remove (datadog's config.retry_count).
	Deprecation *FieldDeprecation

	EntityChecks []Check     // record: checks across its subfields
	Shorthands   []Shorthand // record: shorthand fields accepted on write

	record *Schema // record: the schema its subfields form, built once by compile

	// The messages of a failed one_of and not_one_of, built once by compile: a conditional check's if-match
	// fails on most entities it sees.
	oneOfErr, notOneOfErr string
}

// FieldDeprecation is a field's `deprecation` attribute; Kong removes such fields in 4.0.
type FieldDeprecation struct {
	Message    string
	OldDefault any // nil when Kong gives none
}

// PatternErr is a Lua pattern with the message to give when it decides against a value.
type PatternErr struct {
	Pattern string
	Err     string
}

// MatchAny passes when any pattern matches.
type MatchAny struct {
	Patterns []string
	Err      string
}

// Check is one of Kong's entity checks; exactly one member is set.
type Check struct {
	AtLeastOneOf            []string
	OnlyOneOf               []string
	Distinct                []string
	MutuallyRequired        []string
	MutuallyExclusive       []string
	Conditional             *Conditional
	ConditionalAtLeastOneOf *ConditionalAtLeastOneOf
	Custom                  *CustomCheck
}

// Conditional applies ThenMatch to ThenField when IfField passes IfMatch. Both matches inherit the
// attributes of the field they test, as in Kong.
type Conditional struct {
	IfField   string
	IfMatch   Field
	ThenField string
	ThenMatch Field
	ThenErr   string
}

// ConditionalAtLeastOneOf demands one of a list of fields depending on the value of IfField.
type ConditionalAtLeastOneOf struct {
	IfField              string
	IfMatch              Field
	ThenAtLeastOneOf     []string
	ThenErr              string
	ElseMatch            *Field
	ElseThenAtLeastOneOf []string
	ElseThenErr          string
}

// CustomCheck is Kong's custom_entity_check: Fn sees the named fields and returns "" or a message.
type CustomCheck struct {
	FieldSources         []string
	RunWithMissingFields bool
	Fn                   func(entity map[string]any) string
}

// Shorthand is a write-only field that Kong expands into real fields before validation (a service's
// `url`, an upstream's `algorithm` and `hash_on`, rate-limiting's deprecated `redis_*`).
type Shorthand struct {
	Name string
	Type string
	// Expand returns the fields to set; nil leaves the entity unchanged.
	Expand func(value any) map[string]any
	// ReplacedWith is the path of the field a deprecated shorthand stands for; such shorthands are echoed on
	// read and served in the schema.
	ReplacedWith []string
	Deprecation  string
}

// Schema is an entity schema, or a full plugin entity schema.
type Schema struct {
	Name        string   // collection name, e.g. "services"; for a plugin, the plugin name
	PrimaryKey  []string // usually {"id"}
	EndpointKey string   // "name", "username", "prefix", ... "" when none
	Fields      []Field

	// CacheKey lists the fields that together identify an entity (plugins: name, route, service,
	// consumer; targets: upstream, target); uniqueness on it is a 409 in Kong.
	CacheKey []string
	// TTL: the entity accepts a `ttl` (key-auth credentials); it is kept outside the schema fields.
	TTL bool
	// AdminAPIName is the collection's path segment when it differs from Name ("key-sets", "key-auths").
	AdminAPIName string
	// AdminAPINestedName is the path segment under /consumers/{c}/ for credentials ("key-auth").
	AdminAPINestedName string

	EntityChecks []Check
	Shorthands   []Shorthand

	subschemaKey   string
	subschemaError string
	subschemas     map[string]*Schema
	served         *Schema // what /schemas serves, when it differs from the schema itself (plugins)
	priority       int
	checkers       []checker // EntityChecks described once by compile; nil for a schema built later
}

// PluginInfo is what GET / reports for one bundled plugin.
type PluginInfo struct {
	Name     string
	Version  string
	Priority int
}

// Entity returns the schema of a core entity by collection name: services, routes, consumers, plugins (the
// generic plugin entity; its config is resolved from the plugin named in the entity), upstreams, targets,
// certificates, snis, ca_certificates, vaults, key_sets, keys, keyauth_credentials, basicauth_credentials,
// hmacauth_credentials, jwt_secrets, acls, oauth2_credentials.
func Entity(name string) (*Schema, bool) {
	s, ok := entities[name]
	return s, ok
}

// EntityNames lists every collection Entity knows, sorted.
func EntityNames() []string {
	names := make([]string, 0, len(entities))
	for n := range entities {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Plugin returns the full plugin entity schema for a bundled plugin: the generic plugin fields with
// `config` replaced by that plugin's config record. Its Served body is what Kong serves at
// /schemas/plugins/{name}: the plugin's own fields only.
func Plugin(name string) (*Schema, bool) {
	s, ok := plugins[name]
	return s, ok
}

// Vault returns the vaults entity specialised for a bundled vault (env). Its Served body is what Kong serves at
// /schemas/vaults/{name}: the vault's own fields only, its config record required.
func Vault(name string) (*Schema, bool) {
	s, ok := entities["vaults"].subschemas[name]
	return s, ok
}

// Plugins returns every bundled plugin, sorted by name.
func Plugins() []PluginInfo {
	out := make([]PluginInfo, 0, len(plugins))
	for name, s := range plugins {
		out = append(out, PluginInfo{Name: name, Version: KongVersion, Priority: s.priority})
	}
	slices.SortFunc(out, func(a, b PluginInfo) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// Field returns the top-level field called name.
func (s *Schema) Field(name string) (*Field, bool) {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i], true
		}
	}
	return nil, false
}

// ForeignFields returns the fields of type foreign, in schema order.
func (s *Schema) ForeignFields() []Field {
	var out []Field
	for _, f := range s.Fields {
		if f.Type == "foreign" {
			out = append(out, f)
		}
	}
	return out
}

// resolve returns the schema whose fields and checks apply to obj: s itself, or s specialised by the
// subschema obj selects (a plugin by its name, a vault by its name, a route by its protocols).
func (s *Schema) resolve(obj map[string]any) (*Schema, *Schema) {
	if s.subschemaKey == "" {
		return s, nil
	}
	sub := s.subschemaFor(obj[s.subschemaKey])
	if sub == nil {
		return s, nil
	}
	return sub, sub
}

func (s *Schema) subschemaFor(key any) *Schema {
	switch k := key.(type) {
	case string:
		return s.subschemas[k]
	case []any:
		for _, e := range k {
			if str, ok := e.(string); ok {
				if sub, ok := s.subschemas[str]; ok {
					return sub
				}
			}
		}
	}
	return nil
}

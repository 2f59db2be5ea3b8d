// Package schema is Kong's schema language for kongsim: field types, defaults, validation, the served
// /schemas bodies and the bundled entity and plugin schemas of Kong 3.9 OSS.
package schema

// Field is one field of a schema, described the way Kong's schema language describes it.
type Field struct {
	Name      string
	Type      string // "string","integer","number","boolean","array","set","map","record","foreign","json"
	Required  bool
	Default   any // nil = no default; HasDefault tells a null default apart
	Unique    bool
	Reference string  // foreign: referenced entity collection, e.g. "services"
	OnDelete  string  // foreign: "cascade" or "" (restrict)
	Elements  *Field  // array, set
	Keys      *Field  // map
	Values    *Field  // map
	Fields    []Field // record
}

// Schema is an entity schema, or a full plugin entity schema.
type Schema struct {
	Name        string
	PrimaryKey  []string
	EndpointKey string
	Fields      []Field
}

// PluginInfo is what GET / reports for one bundled plugin.
type PluginInfo struct {
	Name     string
	Version  string
	Priority int
}

// Entity returns the schema of a core entity by collection name.
func Entity(name string) (*Schema, bool) { return nil, false }

// Plugin returns the full plugin entity schema for a bundled plugin.
func Plugin(name string) (*Schema, bool) { return nil, false }

// Plugins returns every bundled plugin, sorted by name.
func Plugins() []PluginInfo { return nil }

// Fill returns a copy of obj with every schema field present.
func (s *Schema) Fill(obj map[string]any) map[string]any { return obj }

// Validate checks obj against the schema and returns Kong-style field errors, nil when valid.
func (s *Schema) Validate(obj map[string]any) map[string]any { return nil }

// Served returns the body of GET /schemas/{entity} or /schemas/plugins/{name}.
func (s *Schema) Served() map[string]any { return nil }

// ViolationMessage formats Kong's schema violation message from field errors.
func ViolationMessage(fields map[string]any) string { return "" }

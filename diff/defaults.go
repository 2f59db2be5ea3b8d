package diff

import "github.com/kongsnap/kongsnap/snapshot"

// Defaults fills in the values Kong gives fields a request leaves out, so that a file which omits a default does
// not differ from a gateway that reports it. Fill receives an entity's field map (as Fields returns it) and returns
// the map with the defaults added; it may modify and return its argument.
type Defaults interface {
	Fill(kind snapshot.Kind, e map[string]any) map[string]any
}

// MapDefaults is a Defaults read from tables of default field maps, such as those built from Kong's
// /schemas/{entity} and /schemas/plugins/{name} endpoints. A default fills a field only where the entity has no
// value (absent, null, or an empty list or object, which Compare treats alike); nested objects are filled field by
// field, lists never element by element.
type MapDefaults struct {
	// Kinds holds the defaults of each kind's fields, such as {"protocol": "http", "port": 80} for services.
	Kinds map[snapshot.Kind]map[string]any
	// Plugins holds, by plugin name, the defaults of that plugin's fields, config included; they apply after
	// Kinds[snapshot.KindPlugin].
	Plugins map[string]map[string]any
}

var _ Defaults = MapDefaults{}

// Fill adds the defaults of kind to e where e has no value, and returns e. The tables are never modified or shared
// with e, so one MapDefaults can serve concurrent comparisons.
func (d MapDefaults) Fill(kind snapshot.Kind, e map[string]any) map[string]any {
	if e == nil {
		e = map[string]any{}
	}
	fillMap(e, d.Kinds[kind])
	if kind == snapshot.KindPlugin {
		if name, ok := e["name"].(string); ok {
			fillMap(e, d.Plugins[name])
		}
	}
	return e
}

func fillMap(e, defaults map[string]any) {
	for k, def := range defaults {
		cur, ok := e[k]
		if !ok || IsEmpty(cur) {
			if !IsEmpty(def) {
				e[k] = Clone(def)
			}
			continue
		}
		if curMap, ok := cur.(map[string]any); ok {
			if defMap, ok := def.(map[string]any); ok {
				fillMap(curMap, defMap)
			}
		}
	}
}

// IsEmpty reports whether v is one of the spellings of "no value" that Compare treats alike: null, an empty list
// or an empty object. Code that fills defaults for Compare (gateway's schema defaults) decides "absent" with it.
func IsEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// Clone deep-copies a JSON-shaped value (maps, lists, scalars), so a default can be filled in without sharing it.
func Clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = Clone(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = Clone(item)
		}
		return out
	}
	return v
}

package snapshot

import (
	"math"
	"unicode/utf8"

	"github.com/kong/go-kong/kong"
)

// copyPlugin is (*kong.Plugin).DeepCopy without its JSON round trip of the config for the values that round trip
// is known to give back unchanged or as a float64: go-kong copies a Configuration by marshalling and unmarshalling
// it, which was a third of the CPU a restore's plan spent on 3,000 plugins.
func copyPlugin(p *kong.Plugin) *kong.Plugin {
	config := p.Config
	shallow := *p
	shallow.Config = nil
	out := shallow.DeepCopy()
	if config != nil {
		c, ok := copyJSONObject(config)
		if !ok {
			c = config.DeepCopy() // a value outside copyJSONValue's: go-kong's own round trip decides
		}
		out.Config = c
	}
	return out
}

// copyJSONObject copies m as json.Unmarshal(json.Marshal(m)) would give it back, or reports false when m holds a
// value it cannot say that of without the round trip.
func copyJSONObject(m map[string]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !utf8.ValidString(k) {
			return nil, false
		}
		c, ok := copyJSONValue(v)
		if !ok {
			return nil, false
		}
		out[k] = c
	}
	return out, true
}

// copyJSONValue is copyJSONObject for one value: the types encoding/json decodes into an interface, and int and
// int64 (which come back as float64). A nil map or slice comes back as nil, as JSON's null does.
func copyJSONValue(v any) (any, bool) {
	switch t := v.(type) {
	case nil, bool:
		return v, true
	case string:
		return v, utf8.ValidString(t) // json.Marshal replaces invalid bytes
	case float64:
		return v, !math.IsNaN(t) && !math.IsInf(t, 0) // json.Marshal refuses them
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case map[string]any:
		if t == nil {
			return nil, true
		}
		return copyJSONObject(t)
	case []any:
		if t == nil {
			return nil, true
		}
		out := make([]any, len(t))
		for i, item := range t {
			c, ok := copyJSONValue(item)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	}
	return nil, false
}

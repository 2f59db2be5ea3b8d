package schema

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// Values are JSON as decoded by encoding/json: nil (JSON null), bool, float64 or json.Number, string,
// []any and map[string]any. Integers are accepted too, so that Go callers can write literals.

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func isInteger(v any) bool {
	f, ok := toFloat(v)
	return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// asMap accepts a JSON object, and an empty JSON array, which Lua cannot tell from an empty object.
func asMap(v any) (map[string]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		return t, true
	case []any:
		if len(t) == 0 {
			return map[string]any{}, true
		}
	}
	return nil, false
}

// asList accepts a JSON array, and an empty JSON object for the same reason.
func asList(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case map[string]any:
		if len(t) == 0 {
			return []any{}, true
		}
	}
	return nil, false
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// normalize turns Go literals used in schema definitions (ints, typed slices) into decoded-JSON values, so
// that filled defaults compare equal to what a client sends.
func normalize(v any) any {
	switch t := v.(type) {
	case int:
		return float64(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = e
		}
		return out
	case []int:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = float64(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

// equal compares two values the way Lua's == compares scalars; numbers compare by value.
func equal(a, b any) bool {
	if sa, ok := a.(string); ok { // what reflect.DeepEqual says of a string, without reflection
		sb, ok := b.(string)
		return ok && sa == sb
	}
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if okA && okB {
		return fa == fb
	}
	return reflect.DeepEqual(a, b)
}

// luaString renders a value as Lua's tostring does for the scalars found in schemas.
func luaString(v any) string {
	switch t := v.(type) {
	case nil:
		return "nil"
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	}
	if f, ok := toFloat(v); ok {
		return formatNumber(f)
	}
	return "table"
}

// formatNumber prints integral numbers without a fraction and others with 14 significant digits, like Lua.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// isNonEmpty is Kong's is_nonempty: not null, not an empty table, not an empty string.
func isNonEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

// getPath reads a dotted path ("config.redis.host"); present is false when a step is absent or not an object.
func getPath(obj map[string]any, path []string) (any, bool) {
	cur := obj
	for i, p := range path {
		v, ok := cur[p]
		if !ok {
			return nil, false
		}
		if i == len(path)-1 {
			return v, true
		}
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		cur = m
	}
	return nil, false
}

// setPath writes a dotted path, creating objects on the way as Kong's set_field does.
func setPath(obj map[string]any, path []string, v any) {
	cur := obj
	for _, p := range path[:len(path)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[path[len(path)-1]] = v
}

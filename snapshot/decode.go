package snapshot

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// fieldsInto sets a new go-kong entity from a file's field map as decoding the map's JSON encoding would (with
// unknown fields refused), its strings copied out of the file text, without the JSON text: reading a snapshot decodes every entity, some twice. It returns
// errNotMirrored for anything it does not reproduce exactly, every value encoding/json would refuse included, so
// that decodeEntity takes the long road for it and reports encoding/json's own error; TestFieldsIntoMatchesJSON
// holds the two to the same entities.
func fieldsInto(e any, fields map[string]any) error {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return errNotMirrored
	}
	return setStruct(v.Elem(), fields)
}

func setStruct(dst reflect.Value, fields map[string]any) error {
	byName, err := fieldIndex(dst.Type())
	if err != nil {
		return err
	}
	for key, value := range fields {
		i, ok := byName[key]
		if !ok {
			return errNotMirrored // unknown, or a case-insensitive match: encoding/json decides
		}
		if err := setValue(dst.Field(i), value); err != nil {
			return err
		}
	}
	return nil
}

var (
	fieldIndexCache     sync.Map // reflect.Type → map[string]int, or errNotMirrored
	unmarshalsCache     sync.Map // reflect.Type → bool
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fieldIndex maps a struct type's JSON field names to field indexes.
func fieldIndex(t reflect.Type) (map[string]int, error) {
	if cached, ok := fieldIndexCache.Load(t); ok {
		if err, isErr := cached.(error); isErr {
			return nil, err
		}
		return cached.(map[string]int), nil
	}
	fields, err := fieldsOf(t)
	if err != nil {
		fieldIndexCache.Store(t, err)
		return nil, err
	}
	byName := make(map[string]int, len(fields))
	for _, f := range fields {
		byName[f.name] = f.index
	}
	fieldIndexCache.Store(t, byName)
	return byName, nil
}

// unmarshalsItself reports whether encoding/json decodes into type t by a method of its own.
func unmarshalsItself(t reflect.Type) bool {
	if cached, ok := unmarshalsCache.Load(t); ok {
		return cached.(bool)
	}
	pt := reflect.PointerTo(t)
	own := t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) || pt.Implements(unmarshalerType) ||
		pt.Implements(textUnmarshalerType) ||
		t.Kind() == reflect.Map && (t.Key().Kind() != reflect.String || pt.Implements(textUnmarshalerType) ||
			reflect.PointerTo(t.Key()).Implements(textUnmarshalerType))
	unmarshalsCache.Store(t, own)
	return own
}

// setValue sets dst from a JSON-shaped value (maps, slices, strings, json.Number, bools, nil) as encoding/json
// would set it from that value's JSON.
func setValue(dst reflect.Value, value any) error {
	if value == nil {
		return nil // null leaves a new value as it is
	}
	if unmarshalsItself(dst.Type()) {
		return errNotMirrored
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := setValue(p.Elem(), value); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Interface:
		if dst.NumMethod() != 0 {
			return errNotMirrored
		}
		generic, err := genericJSON(value)
		if err != nil {
			return err
		}
		if generic != nil {
			dst.Set(reflect.ValueOf(generic))
		}
		return nil
	case reflect.String:
		s, ok := value.(string)
		if !ok || !utf8.ValidString(s) {
			return errNotMirrored
		}
		dst.SetString(strings.Clone(s)) // s may be a piece of the file text, which the entity must not keep
		return nil
	case reflect.Bool:
		b, ok := value.(bool)
		if !ok {
			return errNotMirrored
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := number(value)
		if !ok {
			return errNotMirrored
		}
		i, err := strconv.ParseInt(n, 10, dst.Type().Bits())
		if err != nil {
			return errNotMirrored
		}
		dst.SetInt(i)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := number(value)
		if !ok {
			return errNotMirrored
		}
		u, err := strconv.ParseUint(n, 10, dst.Type().Bits())
		if err != nil {
			return errNotMirrored
		}
		dst.SetUint(u)
		return nil
	case reflect.Float32, reflect.Float64:
		n, ok := number(value)
		if !ok {
			return errNotMirrored
		}
		f, err := strconv.ParseFloat(n, dst.Type().Bits())
		if err != nil {
			return errNotMirrored
		}
		dst.SetFloat(f)
		return nil
	case reflect.Slice:
		list, ok := value.([]any)
		if !ok || dst.Type().Elem().Kind() == reflect.Uint8 {
			return errNotMirrored
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, item := range list {
			if err := setValue(s.Index(i), item); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Map:
		m, ok := value.(map[string]any)
		if !ok {
			return errNotMirrored
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		for key, item := range m {
			if !utf8.ValidString(key) {
				return errNotMirrored
			}
			elem := reflect.New(dst.Type().Elem()).Elem()
			if err := setValue(elem, item); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(strings.Clone(key)).Convert(dst.Type().Key()), elem)
		}
		dst.Set(out)
		return nil
	case reflect.Struct:
		m, ok := value.(map[string]any)
		if !ok {
			return errNotMirrored
		}
		return setStruct(dst, m)
	}
	return errNotMirrored
}

// genericJSON is what encoding/json decodes value's JSON into an interface as: numbers become float64.
func genericJSON(value any) (any, error) {
	switch t := value.(type) {
	case nil, bool:
		return t, nil
	case string:
		if !utf8.ValidString(t) {
			return nil, errNotMirrored
		}
		return strings.Clone(t), nil
	case json.Number:
		n, ok := number(t)
		if !ok {
			return nil, errNotMirrored
		}
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return nil, errNotMirrored
		}
		return f, nil
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			v, err := genericJSON(item)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for key, item := range t {
			if !utf8.ValidString(key) {
				return nil, errNotMirrored
			}
			v, err := genericJSON(item)
			if err != nil {
				return nil, err
			}
			out[strings.Clone(key)] = v
		}
		return out, nil
	}
	return nil, errNotMirrored
}

// number returns a json.Number's literal when it is one JSON writes.
func number(value any) (string, bool) {
	n, ok := value.(json.Number)
	return string(n), ok && isJSONNumber(string(n))
}

// isJSONNumber reports whether s is a number as JSON writes it: -?(0|[1-9]digits)(.digits)?([eE][+-]?digits)?.
func isJSONNumber(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || s[0] == '0' && i > 1 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

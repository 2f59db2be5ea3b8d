package snapshot

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// toFields returns an entity's JSON fields as a map, numbers kept exact (json.Number), created_at and updated_at
// left out: what encoding/json's Marshal followed by a decode with UseNumber gives, which is what a file holds.
// Writing a gateway calls it for every entity, so it walks the go-kong struct itself instead of going through
// JSON text, and takes that longer road only for what it does not mirror exactly (a type with its own
// MarshalJSON, an embedded struct, a string that is not valid UTF-8, a NaN); TestFieldsMatchJSON holds the two
// to the same maps.
func toFields(e any) (map[string]any, error) {
	fields, err := reflectFields(e)
	if errors.Is(err, errNotMirrored) {
		fields, err = jsonFields(e)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", Describe(e), err)
	}
	delete(fields, "created_at")
	delete(fields, "updated_at")
	return fields, nil
}

// jsonFields is toFields the long way, through JSON text.
func jsonFields(e any) (map[string]any, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return decodeJSONMap(data)
}

// errNotMirrored says reflectFields met something whose JSON form it does not reproduce.
var errNotMirrored = errors.New("not mirrored")

// reflectFields is the JSON form of a pointer to a struct, built by walking it.
func reflectFields(e any) (map[string]any, error) {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, errNotMirrored
	}
	out, err := jsonValue(v.Elem())
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

// structField is one field of a struct as encoding/json sees it.
type structField struct {
	index     int
	name      string
	omitEmpty bool
}

var (
	structFieldsCache sync.Map // reflect.Type → []structField, or errNotMirrored
	marshalsCache     sync.Map // reflect.Type → bool
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
)

// marshalsItself reports whether encoding/json writes a value of type t (or *t) by a method of its own, or t is
// json.Number (written as its literal): reflectFields leaves those to encoding/json.
func marshalsItself(t reflect.Type) bool {
	if cached, ok := marshalsCache.Load(t); ok {
		return cached.(bool)
	}
	pt := reflect.PointerTo(t)
	own := t == numberType || t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		pt.Implements(marshalerType) || pt.Implements(textMarshalerType) ||
		t.Kind() == reflect.Map && (t.Key().Implements(textMarshalerType) || t.Key().Kind() != reflect.String)
	marshalsCache.Store(t, own)
	return own
}

// fieldsOf returns the JSON fields of a struct type, or errNotMirrored when encoding/json would do something
// reflectFields does not: embedded fields, the ",string" option.
func fieldsOf(t reflect.Type) ([]structField, error) {
	if cached, ok := structFieldsCache.Load(t); ok {
		if err, isErr := cached.(error); isErr {
			return nil, err
		}
		return cached.([]structField), nil
	}
	var fields []structField
	var err error
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			err = errNotMirrored
			break
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if strings.Contains(","+opts+",", ",string,") {
			err = errNotMirrored
			break
		}
		fields = append(fields, structField{index: i, name: name, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	if err != nil {
		structFieldsCache.Store(t, err)
		return nil, err
	}
	structFieldsCache.Store(t, fields)
	return fields, nil
}

// jsonValue is what decoding v's JSON encoding with UseNumber gives.
func jsonValue(v reflect.Value) (any, error) {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	if marshalsItself(v.Type()) {
		return nil, errNotMirrored
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		return jsonValue(v.Elem())
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return nil, errNotMirrored // encoding/json replaces each invalid byte
		}
		return s, nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return jsonFloat(v.Float(), v.Type().Bits())
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil, errNotMirrored // base64
		}
		fallthrough
	case reflect.Array:
		list := make([]any, v.Len())
		for i := range list {
			item, err := jsonValue(v.Index(i))
			if err != nil {
				return nil, err
			}
			list[i] = item
		}
		return list, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		m := make(map[string]any, v.Len())
		for iter := v.MapRange(); iter.Next(); {
			item, err := jsonValue(iter.Value())
			if err != nil {
				return nil, err
			}
			key := iter.Key().String()
			if !utf8.ValidString(key) {
				return nil, errNotMirrored
			}
			m[key] = item
		}
		return m, nil
	case reflect.Struct:
		fields, err := fieldsOf(v.Type())
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(fields))
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			item, err := jsonValue(fv)
			if err != nil {
				return nil, err
			}
			m[f.name] = item
		}
		return m, nil
	}
	return nil, errNotMirrored // channels, functions, complex numbers: Marshal fails on them
}

// jsonFloat formats a float as encoding/json does: the shortest representation, in exponent form below 1e-6 and
// from 1e21 on, with a one-digit negative exponent unpadded.
func jsonFloat(f float64, bits int) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errNotMirrored // Marshal's error
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, bits)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return json.Number(b), nil
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

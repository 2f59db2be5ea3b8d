package snapshot

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
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
	for _, name := range timestamps {
		delete(fields, name)
	}
	return fields, nil
}

// timestamps are the fields toFields leaves out: Kong sets them, and a file holding them would differ from one
// backup to the next for nothing.
var timestamps = []string{"created_at", "updated_at"}

// entityFieldsOf returns toFields' fields in writing order (entityFields), less those named in omit (what the
// writer's nesting already says, such as a nested route's service, is not encoded to be thrown away): the
// writer's form of them, made in that order from the struct's fields, or from toFields' map when the struct type
// is not one reflectFields mirrors.
func entityFieldsOf(e any, omit ...string) (*entityFields, error) {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
		if enc := orderedEncoderOf(v.Elem().Type()); enc != nil {
			f, err := enc(v.Elem(), omit)
			if err == nil {
				return f, nil
			}
			if !errors.Is(err, errNotMirrored) {
				return nil, fmt.Errorf("encoding %s: %w", Describe(e), err)
			}
		}
	}
	m, err := toFields(e)
	if err != nil {
		return nil, err
	}
	for _, name := range omit {
		delete(m, name)
	}
	return fieldsFromMap(m), nil
}

// An orderedEncoder is a struct type's encoder for entityFieldsOf: its fields, less toFields' timestamps, in
// writing order.
type orderedEncoder func(v reflect.Value, omit []string) (*entityFields, error)

var orderedEncoders sync.Map // reflect.Type → orderedEncoder, nil for a type reflectFields does not mirror

func orderedEncoderOf(t reflect.Type) orderedEncoder {
	if enc, ok := orderedEncoders.Load(t); ok {
		return enc.(orderedEncoder)
	}
	enc := makeOrderedEncoder(t)
	orderedEncoders.Store(t, enc)
	return enc
}

func makeOrderedEncoder(t reflect.Type) orderedEncoder {
	all, err := fieldsOf(t)
	if err != nil || marshalsItself(t) {
		return nil
	}
	var fields []structField
	seen := map[string]bool{}
	for _, f := range all {
		if seen[f.name] {
			return nil // encoding/json's rules for a name two fields share are not mirrored
		}
		seen[f.name] = true
		if !slices.Contains(timestamps, f.name) {
			fields = append(fields, f)
		}
	}
	slices.SortFunc(fields, func(a, b structField) int { return compareFields(a.name, b.name) })
	encs := make([]encoder, len(fields))
	for i, f := range fields {
		if ft := t.Field(f.index).Type; ft.Kind() == reflect.Map && ft.ConvertibleTo(anyMapType) {
			encs[i] = writtenConfig
		} else {
			encs[i] = encoderOf(ft)
		}
	}
	return func(v reflect.Value, omit []string) (*entityFields, error) {
		out := &entityFields{}
		err := encodeWritten(fields, encs, v, omit, func(n int) {
			out.list = make([]entityField, 0, n+2) // room for two more: what the writer nests in an entity
		}, func(name string, item any) {
			out.list = append(out.list, entityField{name, item})
		})
		return out, err
	}
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

// reflectFields is the JSON form of a pointer to a struct, built by walking it with the struct type's encoder.
func reflectFields(e any) (map[string]any, error) {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, errNotMirrored
	}
	out, err := encoderOf(v.Elem().Type())(v.Elem())
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

// An encoder gives what decoding a value's JSON encoding with UseNumber gives, or errNotMirrored. One is made
// per type, once, so that toFields, which runs for every entity of a gateway, looks up how to walk a type only
// at its top and does not ask again, for every value, whether the type marshals itself or which fields it has.
type encoder func(v reflect.Value) (any, error)

var (
	encoders  sync.Map // reflect.Type → encoder
	encoderMu sync.Mutex
)

// encoderOf returns t's encoder, making it (and those of the types it holds) when none is made yet.
func encoderOf(t reflect.Type) encoder {
	if enc, ok := encoders.Load(t); ok {
		return enc.(encoder)
	}
	encoderMu.Lock()
	defer encoderMu.Unlock()
	making := map[reflect.Type]*encoder{}
	enc := makeEncoder(t, making)
	for t, enc := range making {
		encoders.Store(t, *enc)
	}
	return enc
}

// makeEncoder makes t's encoder; making holds those being made, so that a type holding itself calls its own
// through the cell it will be stored in. encoderMu is held.
func makeEncoder(t reflect.Type, making map[reflect.Type]*encoder) encoder {
	if enc, ok := encoders.Load(t); ok {
		return enc.(encoder)
	}
	if cell, ok := making[t]; ok {
		return func(v reflect.Value) (any, error) { return (*cell)(v) }
	}
	cell := new(encoder)
	making[t] = cell
	*cell = kindEncoder(t, making)
	return *cell
}

func notMirrored(reflect.Value) (any, error) { return nil, errNotMirrored }

func kindEncoder(t reflect.Type, making map[reflect.Type]*encoder) encoder {
	if t.Kind() != reflect.Interface && marshalsItself(t) {
		return notMirrored
	}
	switch t.Kind() {
	case reflect.Interface:
		return encodeInterface
	case reflect.Pointer:
		elem := makeEncoder(t.Elem(), making)
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			return elem(v.Elem())
		}
	case reflect.String:
		return func(v reflect.Value) (any, error) { return plainJSONString(v.String()) }
	case reflect.Bool:
		return func(v reflect.Value) (any, error) { return v.Bool(), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) (any, error) { return wholeNumber(v.Int()), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) (any, error) {
			if u := v.Uint(); u < tabledNumbers {
				return wholeNumber(int64(u)), nil
			}
			return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
		}
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(v reflect.Value) (any, error) { return jsonFloat(v.Float(), bits) }
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return notMirrored // base64
		}
		return listEncoder(t, makeEncoder(t.Elem(), making))
	case reflect.Array:
		return listEncoder(t, makeEncoder(t.Elem(), making))
	case reflect.Map:
		if t.ConvertibleTo(anyMapType) {
			// a plugin's config (kong.Configuration): walked as the free-form value it is
			return func(v reflect.Value) (any, error) { return jsonAny(v.Convert(anyMapType).Interface()) }
		}
		return mapEncoder(makeEncoder(t.Elem(), making))
	case reflect.Struct:
		return structEncoder(t, making)
	}
	return notMirrored // channels, functions, complex numbers: Marshal fails on them
}

var anyMapType = reflect.TypeFor[map[string]any]()

// plainJSONString is a string as it comes back from JSON, when that is itself.
func plainJSONString(s string) (any, error) {
	if !utf8.ValidString(s) {
		return nil, errNotMirrored // encoding/json replaces each invalid byte
	}
	return s, nil
}

// encodeInterface encodes what an interface holds: the values a plugin's configuration holds are walked
// directly, anything else by its type's encoder.
func encodeInterface(v reflect.Value) (any, error) {
	if v.IsNil() {
		return nil, nil
	}
	if v.Type().NumMethod() == 0 {
		return jsonAny(v.Interface())
	}
	return encoderOf(v.Elem().Type())(v.Elem())
}

// writtenConfig is the writer's encoder of a free-form config (kong.Configuration): the config itself, not a
// copy, when it holds only what JSON decodes into (nil, bools, valid strings, finite float64, and maps and lists of
// them), which the emitter writes as jsonAny's copy would be written (a float64 as its JSON number). Copying every
// plugin's config was a tenth of a dump's CPU. The fields it is put in share the entity's config, so they must not
// be edited in place: hideSecrets copies it before hiding a secret in it. Anything else is jsonAny's.
func writtenConfig(v reflect.Value) (any, error) {
	if v.IsNil() {
		return nil, nil
	}
	m := v.Convert(anyMapType).Interface().(map[string]any)
	if plainJSONObject(m) {
		return m, nil
	}
	return jsonAny(m)
}

// plainJSONObject reports whether m holds only what writtenConfig passes through, at any depth: a nil map or
// slice inside is not (jsonAny makes it null, the emitter would write it empty).
func plainJSONObject(m map[string]any) bool {
	for k, item := range m {
		if !utf8.ValidString(k) || !plainJSONValue(item) {
			return false
		}
	}
	return true
}

func plainJSONValue(v any) bool {
	switch t := v.(type) {
	case nil, bool:
		return true
	case string:
		return utf8.ValidString(t)
	case float64:
		return !math.IsInf(t, 0) && !math.IsNaN(t)
	case map[string]any:
		return t != nil && plainJSONObject(t)
	case []any:
		if t == nil {
			return false
		}
		for _, item := range t {
			if !plainJSONValue(item) {
				return false
			}
		}
		return true
	}
	return false
}

// jsonAny encodes a free-form value, without reflection for the types encoding/json decodes into an interface.
func jsonAny(x any) (any, error) {
	switch t := x.(type) {
	case nil:
		return nil, nil
	case string:
		if !utf8.ValidString(t) {
			return nil, errNotMirrored
		}
		return x, nil // the value it is already: boxing the string again would allocate
	case bool:
		return x, nil
	case float64:
		return jsonFloat(t, 64)
	case map[string]any:
		if t == nil {
			return nil, nil
		}
		m := make(map[string]any, len(t))
		for k, item := range t {
			if !utf8.ValidString(k) {
				return nil, errNotMirrored
			}
			value, err := jsonAny(item)
			if err != nil {
				return nil, err
			}
			m[k] = value
		}
		return m, nil
	case []any:
		if t == nil {
			return nil, nil
		}
		list := make([]any, len(t))
		for i, item := range t {
			value, err := jsonAny(item)
			if err != nil {
				return nil, err
			}
			list[i] = value
		}
		return list, nil
	}
	v := reflect.ValueOf(x)
	return encoderOf(v.Type())(v)
}

func listEncoder(t reflect.Type, elem encoder) encoder {
	slice := t.Kind() == reflect.Slice
	return func(v reflect.Value) (any, error) {
		if slice && v.IsNil() {
			return nil, nil
		}
		list := make([]any, v.Len())
		for i := range list {
			item, err := elem(v.Index(i))
			if err != nil {
				return nil, err
			}
			list[i] = item
		}
		return list, nil
	}
}

func mapEncoder(elem encoder) encoder {
	return func(v reflect.Value) (any, error) {
		if v.IsNil() {
			return nil, nil
		}
		m := make(map[string]any, v.Len())
		for iter := v.MapRange(); iter.Next(); {
			item, err := elem(iter.Value())
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
	}
}

// structEncoder encodes a struct as the map of its fields, each omitempty one left out when empty; the map is
// made for the fields written, and two more (what the writer nests in an entity).
func structEncoder(t reflect.Type, making map[reflect.Type]*encoder) encoder {
	fields, err := fieldsOf(t)
	if err != nil {
		return notMirrored
	}
	encs := make([]encoder, len(fields))
	for i, f := range fields {
		encs[i] = makeEncoder(t.Field(f.index).Type, making)
	}
	return func(v reflect.Value) (any, error) {
		var m map[string]any
		err := encodeWritten(fields, encs, v, nil, func(n int) { m = make(map[string]any, n+2) },
			func(name string, item any) { m[name] = item })
		if err != nil {
			return nil, err
		}
		return m, nil
	}
}

// encodeWritten encodes the fields of v that are written (not omitempty and empty, nor named in omit), in the
// order of fields, with their encoders: start is told how many there are, then put is given each with its value.
// Which fields are left out is found once, for start and then for the fields themselves (up to 64 of them; past
// that, it asks again).
func encodeWritten(fields []structField, encs []encoder, v reflect.Value, omit []string, start func(n int),
	put func(name string, item any),
) error {
	n := 0
	var empty uint64
	for i, f := range fields {
		if leftOut(f, v.Field(f.index), omit) {
			if i < 64 {
				empty |= 1 << i
			}
			continue
		}
		n++
	}
	start(n)
	for i, f := range fields {
		fv := v.Field(f.index)
		if i < 64 && empty&(1<<i) != 0 || i >= 64 && leftOut(f, fv, omit) {
			continue
		}
		item, err := encs[i](fv)
		if err != nil {
			return err
		}
		put(f.name, item)
	}
	return nil
}

// leftOut reports whether encodeWritten leaves field f, whose value is fv, out.
func leftOut(f structField, fv reflect.Value, omit []string) bool {
	return f.omitEmpty && isEmptyValue(fv) || slices.Contains(omit, f.name)
}

// tabledNumbers bounds the whole numbers wholeNumber hands out ready-made: ports, timeouts in milliseconds,
// weights, status codes, the numbers of a plugin's config.
const tabledNumbers = 1 << 16

// tabled are json.Numbers 0 to tabledNumbers-1 as values of any, made once: an entity's numbers are mostly
// these, and each would otherwise cost the writer its digits and its interface value.
var tabled = sync.OnceValue(func() []any {
	// Their digits are cut from one string: every run that writes a snapshot makes the table.
	var digits []byte
	ends := make([]int, tabledNumbers)
	for i := range ends {
		digits = strconv.AppendInt(digits, int64(i), 10)
		ends[i] = len(digits)
	}
	all := string(digits)
	numbers := make([]any, tabledNumbers)
	start := 0
	for i, end := range ends {
		numbers[i] = json.Number(all[start:end])
		start = end
	}
	return numbers
})

// wholeNumber is the json.Number of n.
func wholeNumber(n int64) any {
	if 0 <= n && n < tabledNumbers {
		return tabled()[n]
	}
	return json.Number(strconv.FormatInt(n, 10))
}

// jsonFloat formats a float as encoding/json does: the shortest representation, in exponent form below 1e-6 and
// from 1e21 on, with a one-digit negative exponent unpadded.
func jsonFloat(f float64, bits int) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errNotMirrored // Marshal's error
	}
	if bits == 64 && f == math.Trunc(f) && math.Abs(f) < 1e15 && !(f == 0 && math.Signbit(f)) {
		// A whole number (most of a plugin config's are), whose shortest form is its digits: below 2^53 no
		// shorter string reads back as the same float64.
		return wholeNumber(int64(f)), nil
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, format, -1, bits)
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

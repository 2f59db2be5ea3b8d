package snapshot

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// TestFieldsMatchJSON holds toFields' walk of go-kong structs (and entityFieldsOf's, the same fields in writing
// order) to the long road through JSON text, for the rich
// fixture's entities and for every kind's type filled with random values (odd strings, extreme floats, nested
// configuration values, nil and empty pointers, slices and maps).
func TestFieldsMatchJSON(t *testing.T) {
	check := func(e any) {
		t.Helper()
		got, err := toFields(e)
		want, wantErr := jsonFields(e)
		if wantErr != nil {
			if err == nil {
				t.Fatalf("%s: toFields succeeded where Marshal fails: %v", Describe(e), wantErr)
			}
			return
		}
		delete(want, "created_at")
		delete(want, "updated_at")
		if err != nil {
			t.Fatalf("%s: %v", Describe(e), err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %#v\nwant %#v", Describe(e), got, want)
		}
		// The writer's form: the same fields, in writing order.
		ordered, err := entityFieldsOf(e)
		if err != nil {
			t.Fatalf("%s: entityFieldsOf: %v", Describe(e), err)
		}
		if got := writtenNumbers(t, ordered.asMap()); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: entityFieldsOf\n got %#v\nwant %#v", Describe(e), got, want)
		}
		// Less the fields named to be left out.
		for name := range want {
			less, err := entityFieldsOf(e, name, "no such field")
			if err != nil {
				t.Fatalf("%s: entityFieldsOf without %s: %v", Describe(e), name, err)
			}
			if _, ok := less.get(name); ok || len(less.list) != len(want)-1 {
				t.Fatalf("%s: entityFieldsOf without %s gave %#v", Describe(e), name, less.asMap())
			}
			break
		}
		for i := 1; i < len(ordered.list); i++ {
			if !fieldBefore(ordered.list[i-1].key, ordered.list[i].key) {
				t.Fatalf("%s: entityFieldsOf has %s before %s", Describe(e), ordered.list[i-1].key, ordered.list[i].key)
			}
		}
	}
	rich := richSnapshot(t)
	for _, kind := range Kinds {
		for _, e := range rich.Entities(kind) {
			check(e)
			if _, err := reflectFields(e); err != nil {
				t.Errorf("%s takes the road through JSON text: %v", Describe(e), err)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 17))
	for _, kind := range Kinds {
		for range 300 {
			e := kind.Info().New()
			fill(rng, reflect.ValueOf(e).Elem(), 0)
			check(e)
		}
	}
}

var oddStrings = []string{"", "a", "on", "héllo", "\xff\xfe", "a\x00b", "<html>&", "\u2028", "1e3", "line\nbreak"}

var oddFloats = []float64{0, 1, -1, 0.5, 1e-7, 1e21, 1e20, 123456789.125, -2.5e-9, math.MaxFloat64,
	math.SmallestNonzeroFloat64, 3, 1e6, math.Inf(1), math.NaN()}

// fill sets v, and everything it holds, to random values; pointers, slices and maps are sometimes left nil or
// empty.
func fill(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if rng.IntN(4) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(rng, v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rng, v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString(oddStrings[rng.IntN(len(oddStrings))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(rng.Int64N(1<<20) - 1<<19)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(rng.Uint64N(1 << 20))
	case reflect.Float32, reflect.Float64:
		if rng.IntN(20) == 0 {
			v.SetFloat(oddFloats[rng.IntN(len(oddFloats))]) // Inf and NaN: Marshal fails, so must toFields
		} else {
			v.SetFloat(oddFloats[rng.IntN(len(oddFloats)-2)])
		}
	case reflect.Slice:
		switch rng.IntN(3) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			v.Set(reflect.MakeSlice(v.Type(), 1+rng.IntN(3), 3))
			for i := range v.Len() {
				fill(rng, v.Index(i), depth+1)
			}
		}
	case reflect.Map:
		if rng.IntN(3) == 0 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range rng.IntN(4) {
			key := reflect.New(v.Type().Key()).Elem()
			fill(rng, key, depth+1)
			value := reflect.New(v.Type().Elem()).Elem()
			fill(rng, value, depth+1)
			v.SetMapIndex(key, value)
		}
	case reflect.Interface:
		if value := randomJSON(rng, depth); value != nil {
			v.Set(reflect.ValueOf(value))
		}
	}
}

// randomJSON is a value as encoding/json decodes into an interface: what a plugin's configuration holds.
func randomJSON(rng *rand.Rand, depth int) any {
	n := 6
	if depth > 4 {
		n = 4
	}
	switch rng.IntN(n) {
	case 0:
		return nil
	case 1:
		return oddStrings[rng.IntN(len(oddStrings))]
	case 2:
		return oddFloats[rng.IntN(len(oddFloats)-2)]
	case 3:
		return rng.IntN(2) == 0
	case 4:
		list := make([]any, rng.IntN(3))
		for i := range list {
			list[i] = randomJSON(rng, depth+1)
		}
		return list
	default:
		m := map[string]any{}
		for range rng.IntN(4) {
			m[oddStrings[rng.IntN(len(oddStrings))]] = randomJSON(rng, depth+1)
		}
		return m
	}
}

// TestJSONFloatMatchesMarshal holds jsonFloat to encoding/json on whole numbers, which it writes by a shorter
// road, on both sides of where that road ends, and on the zeros.
func TestJSONFloatMatchesMarshal(t *testing.T) {
	check := func(f float64) {
		t.Helper()
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := jsonFloat(f, 64); err != nil || got != json.Number(want) {
			t.Fatalf("jsonFloat(%v) = %v, %v; Marshal writes %s", f, got, err, want)
		}
	}
	rng := rand.New(rand.NewPCG(5, 17))
	for range 200_000 {
		f := math.Trunc(rng.Float64() * math.Pow(2, float64(rng.IntN(60))))
		if rng.IntN(2) == 0 {
			f = -f
		}
		check(f)
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e15 - 1, 1e15, -1e15, 1e15 + 1, 1 << 53, 1e20, 1e21, 60000} {
		check(f)
	}
}

// TestWholeNumber holds the json.Numbers wholeNumber hands out, ready-made or not, to their digits.
func TestWholeNumber(t *testing.T) {
	for _, n := range []int64{0, 1, 99, 100, 60000, tabledNumbers - 1, tabledNumbers, -1, -60000, math.MaxInt64, math.MinInt64} {
		if got, want := wholeNumber(n), json.Number(strconv.FormatInt(n, 10)); got != want {
			t.Errorf("wholeNumber(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestEntityFieldsSetKeepsOrder holds set and del to the order fieldsFromMap sorts a map into, whatever order the
// fields come in: head fields, the others alphabetically, nested entities last.
func TestEntityFieldsSetKeepsOrder(t *testing.T) {
	keys := append(append([]string{"a", "zz", "host", "config", "tags"}, headFields...), tailFields...)
	rng := rand.New(rand.NewPCG(3, 5))
	for range 200 {
		m := map[string]any{}
		f := &entityFields{}
		for _, i := range rng.Perm(len(keys))[:1+rng.IntN(len(keys))] {
			m[keys[i]] = i
			f.set(keys[i], i)
		}
		for k := range m {
			if rng.IntN(4) == 0 {
				delete(m, k)
				f.del(k)
			}
		}
		if want := fieldsFromMap(m); !reflect.DeepEqual(f.list, want.list) {
			t.Fatalf("set gave %v, want %v", f.list, want.list)
		}
	}
}

// writtenNumbers is a copy of the writer's fields with each float64 (left in a config writtenConfig passes
// through) as the json.Number the emitter writes for it.
func writtenNumbers(t *testing.T, v any) any {
	switch x := v.(type) {
	case float64:
		n, err := jsonFloat(x, 64)
		if err != nil {
			t.Fatalf("a config passed through holds %v: %v", x, err)
		}
		return n
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, item := range x {
			m[k] = writtenNumbers(t, item)
		}
		return m
	case []any:
		list := make([]any, len(x))
		for i, item := range x {
			list[i] = writtenNumbers(t, item)
		}
		return list
	}
	return v
}

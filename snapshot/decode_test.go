package snapshot

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// decodeViaJSON is decodeEntity's long road: the field map's JSON decoded into the kind's type.
func decodeViaJSON(kind Kind, fields map[string]any) (any, error) {
	data, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	e := newEntity(kind)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return e, dec.Decode(e)
}

// TestFieldsIntoMatchesJSON holds fieldsInto to decoding through JSON text: for the field maps of the rich
// fixture and of random entities of every kind, as written, and with values swapped for ones of other types
// (which encoding/json refuses or converts): whenever fieldsInto succeeds, the JSON road succeeds with the same
// entity.
func TestFieldsIntoMatchesJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	odd := []any{"x", json.Number("7"), json.Number("1.5"), json.Number("007"), json.Number("1e3"),
		json.Number("-0"), json.Number("99999999999999999999"), true, nil, []any{"a", nil}, map[string]any{"k": json.Number("1")},
		map[string]any{}, []any{}, "\xff", json.Number(""), json.Number("0x1F")}
	fast := 0
	check := func(kind Kind, fields map[string]any) {
		t.Helper()
		got := newEntity(kind)
		if err := fieldsInto(got, fields); err != nil {
			return
		}
		fast++
		want, err := decodeViaJSON(kind, fields)
		if err != nil {
			t.Fatalf("%s %#v: fieldsInto succeeded where JSON fails: %v", kind, fields, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %#v:\n got %#v\nwant %#v", kind, fields, got, want)
		}
	}
	var entities []any
	rich := richSnapshot(t)
	for _, kind := range Kinds {
		entities = append(entities, rich.Entities(kind)...)
		for range 200 {
			e := kind.Info().New()
			fill(rng, reflect.ValueOf(e).Elem(), 0)
			entities = append(entities, e)
		}
	}
	for _, e := range entities {
		fields, err := jsonFields(e)
		if err != nil {
			continue
		}
		check(KindOf(e), fields)
		for key := range fields {
			mutated := map[string]any{}
			for k, v := range fields {
				mutated[k] = v
			}
			mutated[key] = odd[rng.IntN(len(odd))]
			check(KindOf(e), mutated)
		}
	}
	if fast < len(entities)/2 {
		t.Errorf("fieldsInto decoded only %d of %d entities' fields; the fast road is hardly taken", fast, len(entities))
	}
}

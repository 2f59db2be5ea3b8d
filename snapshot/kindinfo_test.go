package snapshot

import (
	"reflect"
	"testing"
)

// TestCopyIsDeep: every kind's Copy returns an equal entity that shares nothing a write to it could change in the
// original, for every entity of the rich snapshot (every kind, with nested fields).
func TestCopyIsDeep(t *testing.T) {
	s := richSnapshot(t)
	for _, kind := range Kinds {
		entities := s.Entities(kind)
		if len(entities) == 0 {
			t.Errorf("the rich snapshot holds no %s", kind)
		}
		for _, e := range entities {
			c := kind.Info().Copy(e)
			if !reflect.DeepEqual(c, e) {
				t.Errorf("%s: the copy of %s differs from it", kind, Describe(e))
			}
			id := ID(e)
			reflect.ValueOf(c).Elem().FieldByName("ID").Elem().SetString(id + "-copy")
			if ID(e) != id {
				t.Errorf("%s: setting the copy's id changed the original's to %s", kind, ID(e))
			}
		}
	}
}

// TestRefsAreRefFieldsInOrder: Refs, built without the fields, holds what RefFields' fields hold, in their order.
func TestRefsAreRefFieldsInOrder(t *testing.T) {
	type ref struct{ field, kind, id, name string }
	view := func(refs []Ref) []ref {
		var out []ref
		for _, r := range refs {
			out = append(out, ref{r.Field, string(r.Kind), r.ID, r.Name})
		}
		return out
	}
	n := 0
	for _, kind := range Kinds {
		for _, e := range richSnapshot(t).Entities(kind) {
			var want []Ref
			for _, f := range RefFields(e) {
				want = append(want, f.Refs...)
			}
			n += len(want)
			if got := view(Refs(e)); !reflect.DeepEqual(got, view(want)) {
				t.Errorf("%s: Refs = %v, want %v", Describe(e), got, view(want))
			}
		}
	}
	if n == 0 {
		t.Error("the rich snapshot holds no references")
	}
}

package sync

import (
	"reflect"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// refsOf returns the foreign keys e holds, unset ones left out (snapshot.Refs). References to kinds no snapshot
// holds (a plugin's Enterprise consumer_group) are not among them: they are written as the snapshot has them.
func refsOf(e any) []snapshot.Ref {
	refs := snapshot.Refs(e) // a fresh slice: filtered in place
	out := refs[:0]
	for _, r := range refs {
		if r.Kind.Info() != nil {
			out = append(out, r)
		}
	}
	return out
}

// uniqueKeys returns the keys Kong keeps unique among the entities of e's kind (snapshot.UniqueKeys) as
// "field=value", foreign keys by id: e's references must be ids, as they are in live entities and in the entities
// a plan writes.
func uniqueKeys(e any) []string {
	var out []string
	for _, k := range snapshot.UniqueKeys(e, snapshot.ByID) {
		out = append(out, k.String())
	}
	return out
}

// clone returns a deep copy of a go-kong entity of a kind a snapshot holds.
func clone(e any) any { return snapshot.KindOf(e).Info().Copy(e) }

// setID sets the id of a go-kong entity; every kind a snapshot holds has an ID *string field.
func setID(e any, id string) {
	reflect.ValueOf(e).Elem().FieldByName("ID").Set(reflect.ValueOf(kong.String(id)))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

package kongsim

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// row is one stored entity exactly as the Admin API returns it. Stored rows are never mutated: every write
// stores a fresh map, so a response can be encoded after the lock is released.
type row = map[string]any

// table holds one collection: rows by id, ids sorted for keyset paging, and the indexes that enforce unique
// fields, the composite cache key and foreign key lookups.
type table struct {
	kind      *kind
	rows      map[string]row
	ids       []string
	unique    map[string]map[string]string              // field → value → id
	composite map[string]string                         // cache key → id
	refs      map[string]map[string]map[string]struct{} // foreign field → parent id → child ids
	expires   map[string]time.Time                      // key-auth ttl
	changes   uint64                                    // rows put or removed so far, for what is derived from them
}

func newTable(k *kind) *table {
	t := &table{
		kind:      k,
		rows:      map[string]row{},
		unique:    map[string]map[string]string{},
		composite: map[string]string{},
		refs:      map[string]map[string]map[string]struct{}{},
		expires:   map[string]time.Time{},
	}
	for _, f := range k.entitySchema().Fields {
		// An endpoint key that is part of the cache key (a target's address) is unique only with the rest of it.
		if f.Unique || f.Name == k.endpointKey() && !slices.Contains(k.cacheKey, f.Name) {
			t.unique[f.Name] = map[string]string{}
		}
		if f.Type == "foreign" {
			t.refs[f.Name] = map[string]map[string]struct{}{}
		}
	}
	return t
}

// valueKey turns a unique field's value into an index key; nil values are never indexed (SQL NULLs differ).
func valueKey(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	default:
		return fmt.Sprint(v), true
	}
}

// foreignID returns the id a foreign key value {"id": …} points to, or "".
func foreignID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := m["id"].(string)
	return id
}

func (t *table) compositeKey(r row) string {
	if len(t.kind.cacheKey) == 0 {
		return ""
	}
	parts := make([]string, len(t.kind.cacheKey))
	for i, name := range t.kind.cacheKey {
		v := r[name]
		if m, ok := v.(map[string]any); ok {
			parts[i] = foreignID(m)
		} else if s, ok := valueKey(v); ok {
			parts[i] = s
		}
	}
	return strings.Join(parts, "\x00")
}

func (t *table) put(r row) {
	id := r["id"].(string)
	if old, ok := t.rows[id]; ok {
		t.unindex(old)
	} else {
		i, _ := slices.BinarySearch(t.ids, id)
		t.ids = slices.Insert(t.ids, i, id)
	}
	t.rows[id] = r
	t.changes++
	for field, idx := range t.unique {
		if v, ok := valueKey(r[field]); ok {
			idx[v] = id
		}
	}
	if key := t.compositeKey(r); key != "" {
		t.composite[key] = id
	}
	for field, idx := range t.refs {
		if parent := foreignID(r[field]); parent != "" {
			set := idx[parent]
			if set == nil {
				set = map[string]struct{}{}
				idx[parent] = set
			}
			set[id] = struct{}{}
		}
	}
}

func (t *table) unindex(r row) {
	id := r["id"].(string)
	for field, idx := range t.unique {
		if v, ok := valueKey(r[field]); ok && idx[v] == id {
			delete(idx, v)
		}
	}
	if key := t.compositeKey(r); key != "" && t.composite[key] == id {
		delete(t.composite, key)
	}
	for field, idx := range t.refs {
		if parent := foreignID(r[field]); parent != "" {
			delete(idx[parent], id)
			if len(idx[parent]) == 0 {
				delete(idx, parent)
			}
		}
	}
}

func (t *table) remove(id string) {
	r, ok := t.rows[id]
	if !ok {
		return
	}
	t.unindex(r)
	delete(t.rows, id)
	t.changes++
	delete(t.expires, id)
	if i, found := slices.BinarySearch(t.ids, id); found {
		t.ids = slices.Delete(t.ids, i, i+1)
	}
}

// children returns the sorted ids of rows whose foreign field points at parent.
func (t *table) children(field, parent string) []string {
	set := t.refs[field][parent]
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// byUnique returns the row whose unique field equals value.
func (t *table) byUnique(field string, value any) row {
	v, ok := valueKey(value)
	if !ok {
		return nil
	}
	return t.rows[t.unique[field][v]]
}

package snapshot

import "sort"

// OutsideRef is a reference from an entity of a snapshot to an entity the snapshot does not hold: a partial
// snapshot (some sections, or select tags) points at the rest of its gateway by id.
type OutsideRef struct {
	From  string // Describe of the referring entity
	Field string // its reference field, such as "service"
	Ref   Ref
}

// OutsideRefs lists the references of s to entities it does not hold, sorted by referring entity and field.
func (s *Snapshot) OutsideRefs() []OutsideRef {
	// Nearly every reference is by id to an entity s holds: a set of ids settles those, and the whole index (names
	// too) is only built for the references it cannot settle.
	ids := map[Kind]map[string]bool{}
	for _, kind := range Kinds {
		entities := s.Entities(kind)
		ids[kind] = make(map[string]bool, len(entities))
		for _, e := range entities {
			if id := ID(e); id != "" {
				ids[kind][id] = true
			}
		}
	}
	var ix *Index
	var out []OutsideRef
	for _, kind := range Kinds {
		for _, e := range s.Entities(kind) {
			for _, f := range RefFields(e) {
				for _, r := range f.Refs {
					if r.ID != "" && ids[r.Kind][r.ID] {
						continue
					}
					if ix == nil {
						ix = NewIndex(s)
					}
					if ix.Resolve(r) == nil {
						out = append(out, OutsideRef{From: Describe(e), Field: f.Field, Ref: r})
					}
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].Field < out[j].Field
	})
	return out
}

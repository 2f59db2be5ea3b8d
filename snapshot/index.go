package snapshot

// Index finds a snapshot's entities by id and by the names references use (RefNames). Snapshot files, diff and
// sync all resolve references through it.
type Index struct {
	byID   map[Kind]map[string]any
	byName map[Kind]map[refName]any
}

// refName is a reference by name: the name, and the field it is when not the kind's usual one (Ref.By).
type refName struct{ by, name string }

// NewIndex indexes every entity of s; a nil s gives an empty index to Add to.
func NewIndex(s *Snapshot) *Index {
	ix := &Index{byID: map[Kind]map[string]any{}, byName: map[Kind]map[refName]any{}}
	if s == nil {
		return ix
	}
	for _, kind := range Kinds {
		entities := s.Entities(kind)
		if len(entities) > 0 {
			// Sized up front: growing maps of 100,000 entities one rehash at a time is most of the indexing.
			ix.byID[kind] = make(map[string]any, len(entities))
			ix.byName[kind] = make(map[refName]any, len(entities))
		}
		for _, e := range entities {
			ix.Add(e)
		}
	}
	return ix
}

// Add records e and returns an entity of the same kind already holding its id or one of its names, if any.
func (ix *Index) Add(e any) (clash any) {
	kind := KindOf(e)
	if id := ID(e); id != "" {
		if ix.byID[kind] == nil {
			ix.byID[kind] = map[string]any{}
		}
		if other, ok := ix.byID[kind][id]; ok {
			clash = other
		}
		ix.byID[kind][id] = e
	}
	for _, r := range RefNames(e) {
		name := refName{r.By, r.Name}
		if ix.byName[kind] == nil {
			ix.byName[kind] = map[refName]any{}
		}
		if other, ok := ix.byName[kind][name]; ok && clash == nil {
			clash = other
		}
		ix.byName[kind][name] = e
	}
	return clash
}

// ByID returns the entity of kind with id, nil when there is none.
func (ix *Index) ByID(kind Kind, id string) any {
	if id == "" {
		return nil
	}
	return ix.byID[kind][id]
}

// Find returns the entity of kind whose id, or else name, is key: how a decK file's reference is read.
func (ix *Index) Find(kind Kind, key string) any {
	if e, ok := ix.byID[kind][key]; ok {
		return e
	}
	return ix.byName[kind][refName{name: key}]
}

// Resolve returns the entity a reference points to: by id when it has one, else by name; nil when the index does
// not hold it.
func (ix *Index) Resolve(r Ref) any {
	if r.ID != "" {
		return ix.byID[r.Kind][r.ID]
	}
	if r.Name != "" {
		return ix.byName[r.Kind][refName{r.By, r.Name}]
	}
	return nil
}

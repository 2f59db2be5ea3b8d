package diff

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Rule silences differences Compare would otherwise report: fields of Kind (every kind when empty) whose path
// matches Path, where "*" stands for any run of characters: "config.*", "tags", "*.updated_at". A rule that matches
// a field also silences everything below it. A plugin's scope is its identity and no rule silences it.
type Rule struct {
	Kind snapshot.Kind
	Path string
}

// Options tune a comparison.
type Options struct {
	// Ignore lists the field differences not to report; an entity whose every difference is ignored is unchanged.
	Ignore []Rule
	// Defaults, when set, fills Kong's defaults into both sides' field maps before they are compared.
	Defaults Defaults
}

// Compare returns what differs between current and target, as the changes that would turn current into target:
// Match(current, target).Compare(opts). A nil snapshot is an empty one.
func Compare(current, target *snapshot.Snapshot, opts Options) Changes {
	return Match(current, target).Compare(opts)
}

// Compare returns the changes that would turn the matching's current into its target: unmatched entities are
// Removed and Added, pairs that differ Changed. An entity paired by natural key that has a new id is Changed with
// an "id" field, not Removed and Added; an id missing on either side (a decK file written without ids) is not a
// difference. References compare by the identity of the parent they point to, so a renamed or recreated parent
// does not change its children, and render as the parent's name. Secret fields (snapshot.SecretPaths) show that
// they changed, never their values, and snapshot.Redacted on either side is unknown, never a difference.
func (m *Matching) Compare(opts Options) Changes {
	c := &comparer{opts: opts, cur: m.cur, tgt: m.tgt}
	changed := c.pairs(m.Pairs)
	n := len(changed)
	for _, km := range m.kinds {
		n += len(km.removed) + len(km.added)
	}
	var changes Changes // nil when nothing differs
	if n > 0 {
		changes = make(Changes, 0, n)
	}
	for _, kind := range snapshot.Kinds {
		km := m.kinds[kind]
		for _, e := range km.removed {
			changes = append(changes, Change{Kind: kind, Action: Removed, Current: e, Identity: c.cur.identity(kind, e)})
		}
		for _, e := range km.added {
			changes = append(changes, Change{Kind: kind, Action: Added, Target: e, Identity: c.tgt.identity(kind, e)})
		}
	}
	changes = append(changes, changed...)
	sortChanges(changes)
	return changes
}

// pairs compares every pair, spread over one goroutine per processor (a comparison reads the matching and the
// defaults, and writes nothing they share), and returns the changes in the pairs' order. Each chunk of pairs keeps
// only its own changes: a million equal pairs cost nothing to collect.
func (c *comparer) pairs(pairs []Pair) Changes {
	chunk := max(256, len(pairs)/(4*runtime.GOMAXPROCS(0))+1)
	found := make([]Changes, (len(pairs)+chunk-1)/chunk)
	var wg sync.WaitGroup
	for i := range found {
		wg.Go(func() {
			for _, p := range pairs[i*chunk : min((i+1)*chunk, len(pairs))] {
				if ch, ok := c.pair(p.Kind, p); ok {
					found[i] = append(found[i], ch)
				}
			}
		})
	}
	wg.Wait()
	return slices.Concat(found...)
}

type comparer struct {
	opts     Options
	cur, tgt *side
}

// pair compares two matched entities and returns their change, if they differ.
func (c *comparer) pair(kind snapshot.Kind, p Pair) (Change, bool) {
	curRefs, tgtRefs := snapshot.RefFields(p.Current), snapshot.RefFields(p.Target)
	// Most pairs are equal: equal values, which encode to equal JSON, spare them the two encodings below.
	if sameValue(reflect.ValueOf(p.Current), reflect.ValueOf(p.Target), 0) && c.refsUnchanged(curRefs, tgtRefs) {
		return Change{}, false
	}
	curJSON, errCur := json.Marshal(p.Current)
	tgtJSON, errTgt := json.Marshal(p.Target)
	if errCur == nil && errTgt == nil && bytes.Equal(curJSON, tgtJSON) && c.refsUnchanged(curRefs, tgtRefs) {
		return Change{}, false
	}
	w := &walker{kind: kind, secrets: secretGlobs(p.Current, p.Target)}
	for _, r := range c.opts.Ignore {
		if r.Kind == "" || r.Kind == kind {
			w.ignore = append(w.ignore, r.Path)
		}
	}
	w.object("", c.comparable(kind, curJSON, curRefs), c.comparable(kind, tgtJSON, tgtRefs))

	change := Change{Kind: kind, Action: Changed, Current: p.Current, Target: p.Target, Identity: c.tgt.identity(kind, p.Target)}
	if a, b := snapshot.ID(p.Current), snapshot.ID(p.Target); a != "" && b != "" && a != b && !w.ignored("id") {
		w.out = append(w.out, FieldChange{Path: "id", Kind: Changed, From: a, To: b})
	}
	scopeChanged := false
	for i, f := range curRefs {
		t := tgtRefs[i]
		if refListsEqual(c.cur, c.tgt, f.Refs, t.Refs) {
			continue
		}
		if kind == snapshot.KindPlugin {
			scopeChanged = true
			continue
		}
		if !w.ignored(f.Field) {
			w.out = append(w.out, c.refChange(f, t))
		}
	}
	if scopeChanged {
		change.ScopeChanged = true
		w.out = append(w.out, FieldChange{Path: "scope", Kind: Changed, From: c.cur.scope(curRefs), To: c.tgt.scope(tgtRefs)})
	}
	if len(w.out) == 0 {
		return Change{}, false
	}
	sort.SliceStable(w.out, func(i, j int) bool { return lessPath(w.out[i].Path, w.out[j].Path) })
	change.Fields = w.out
	return change, true
}

func (c *comparer) refsUnchanged(current, target []snapshot.RefField) bool {
	for i := range current {
		if !refListsEqual(c.cur, c.tgt, current[i].Refs, target[i].Refs) {
			return false
		}
	}
	return true
}

// comparable is the field map Compare compares: Fields without the id and the references, which are compared on
// their own, and with the defaults filled in.
func (c *comparer) comparable(kind snapshot.Kind, b []byte, refs []snapshot.RefField) map[string]any {
	m := fieldsFromJSON(kind, b)
	if m == nil {
		m = map[string]any{}
	}
	delete(m, "id")
	for _, f := range refs {
		delete(m, f.Field)
	}
	if c.opts.Defaults != nil {
		m = normalize(kind, c.opts.Defaults.Fill(kind, m))
	}
	return m
}

// refChange renders a changed reference by the parents' names: "service: billing → orders".
func (c *comparer) refChange(current, target snapshot.RefField) FieldChange {
	render := func(s *side, refs []snapshot.Ref, list bool) any {
		if len(refs) == 0 {
			return nil
		}
		if !list {
			return s.label(refs[0])
		}
		labels := make([]any, len(refs))
		for i, r := range refs {
			labels[i] = s.label(r)
		}
		return labels
	}
	return FieldChange{
		Path: current.Field,
		Kind: fieldAction(len(current.Refs) > 0, len(target.Refs) > 0),
		From: render(c.cur, current.Refs, current.List),
		To:   render(c.tgt, target.Refs, target.List),
	}
}

// maxDepth bounds sameValue's descent; entities are trees far shallower than this.
const maxDepth = 64

// sameValue reports whether a and b hold equal values, field by field (unexported ones too), so that they encode
// to the same JSON. It is reflect.DeepEqual without its bookkeeping for cycles, which entities (trees) never have,
// and it answers false whenever in doubt (NaN, functions, channels, a tree deeper than maxDepth): the caller then
// compares the JSON.
func sameValue(a, b reflect.Value, depth int) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() || depth > maxDepth {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem(), depth+1)
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		fallthrough
	case reflect.Array:
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i), depth+1) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		it := a.MapRange()
		for it.Next() {
			v := b.MapIndex(it.Key())
			if !v.IsValid() || !sameValue(it.Value(), v, depth+1) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float() && !math.IsInf(a.Float(), 0) // JSON has no infinities: let it fail the same way

	}
	return false
}

package diff

import (
	"bytes"
	"encoding/json"
	"sort"

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

// Compare returns what differs between current and target, as the changes that would turn current into target.
// A nil snapshot is an empty one.
//
// Entities match by id first, then by their natural key (a service's name, a consumer's username, a plugin's name
// and scope, an upstream and target, ...), so an entity recreated with a new id is Changed with an "id" field, not
// Removed and Added; an id missing on either side (a decK file written without ids) is not a difference.
// References compare by the identity of the parent they point to, so a renamed or recreated parent does not change
// its children, and render as the parent's name. Secret fields (snapshot.SecretFields) show that they changed,
// never their values, and snapshot.Redacted on either side is unknown, never a difference.
func Compare(current, target *snapshot.Snapshot, opts Options) Changes {
	if current == nil {
		current = &snapshot.Snapshot{}
	}
	if target == nil {
		target = &snapshot.Snapshot{}
	}
	c := &comparer{opts: opts, cur: newSide(current), tgt: newSide(target)}
	var changes Changes
	for _, kind := range snapshot.Kinds {
		changes = append(changes, c.kind(kind, current.Entities(kind), target.Entities(kind))...)
	}
	sortChanges(changes)
	return changes
}

type comparer struct {
	opts     Options
	cur, tgt *side
	tokens   int
}

func (c *comparer) nextToken() int {
	c.tokens++
	return c.tokens
}

type pair struct{ current, target any }

// kind matches the entities of one kind and returns their changes. Entities of the kinds this one references must
// have been matched already: snapshot.Kinds orders parents first.
func (c *comparer) kind(kind snapshot.Kind, current, target []any) Changes {
	pairs, removed, added := c.match(kind, current, target)
	var changes Changes
	for _, p := range pairs {
		tok := c.nextToken()
		c.cur.token[p.current], c.tgt.token[p.target] = tok, tok
	}
	for _, e := range removed {
		c.cur.token[e] = c.nextToken()
		changes = append(changes, Change{Kind: kind, Action: Removed, Current: e, Identity: c.cur.identity(kind, e)})
	}
	for _, e := range added {
		c.tgt.token[e] = c.nextToken()
		changes = append(changes, Change{Kind: kind, Action: Added, Target: e, Identity: c.tgt.identity(kind, e)})
	}
	for _, p := range pairs {
		if ch, ok := c.pair(kind, p); ok {
			changes = append(changes, ch)
		}
	}
	return changes
}

// match pairs current and target entities by id, then the rest by natural key. Entities left over on either side
// are visited in a fixed order, so that which one of two entities with the same key gets matched does not depend
// on the order of the inputs.
func (c *comparer) match(kind snapshot.Kind, current, target []any) (pairs []pair, removed, added []any) {
	targetByID := make(map[string]int, len(target))
	for i, e := range target {
		if id := snapshot.ID(e); id != "" {
			targetByID[id] = i
		}
	}
	matched := make([]bool, len(target))
	var restCurrent []any
	for _, e := range current {
		if i, ok := targetByID[snapshot.ID(e)]; ok && snapshot.ID(e) != "" && !matched[i] {
			matched[i] = true
			pairs = append(pairs, pair{e, target[i]})
			continue
		}
		restCurrent = append(restCurrent, e)
	}
	var restTarget []any
	for i, e := range target {
		if !matched[i] {
			restTarget = append(restTarget, e)
		}
	}
	if len(restCurrent) == 0 || len(restTarget) == 0 {
		return pairs, restCurrent, restTarget
	}
	curKeys := c.keyed(c.cur, kind, restCurrent)
	tgtKeys := c.keyed(c.tgt, kind, restTarget)
	byKey := map[string][]any{}
	for _, k := range tgtKeys {
		if k.key != "" {
			byKey[k.key] = append(byKey[k.key], k.e)
		}
	}
	taken := map[any]bool{}
	for _, k := range curKeys {
		if candidates := byKey[k.key]; k.key != "" && len(candidates) > 0 {
			byKey[k.key] = candidates[1:]
			taken[candidates[0]] = true
			pairs = append(pairs, pair{k.e, candidates[0]})
			continue
		}
		removed = append(removed, k.e)
	}
	for _, k := range tgtKeys {
		if !taken[k.e] {
			added = append(added, k.e)
		}
	}
	return pairs, removed, added
}

type keyedEntity struct {
	e        any
	key, id  string
	identity string
}

// keyed computes the natural keys of entities and sorts them by key, id and identity.
func (c *comparer) keyed(s *side, kind snapshot.Kind, entities []any) []keyedEntity {
	out := make([]keyedEntity, len(entities))
	for i, e := range entities {
		out[i] = keyedEntity{e: e, key: s.naturalKey(kind, e), id: snapshot.ID(e), identity: s.identity(kind, e)}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.key != b.key {
			return a.key < b.key
		}
		if a.id != b.id {
			return a.id < b.id
		}
		return a.identity < b.identity
	})
	return out
}

// pair compares two matched entities and returns their change, if they differ.
func (c *comparer) pair(kind snapshot.Kind, p pair) (Change, bool) {
	curRefs, tgtRefs := refsOf(p.current), refsOf(p.target)
	curJSON, errCur := json.Marshal(p.current)
	tgtJSON, errTgt := json.Marshal(p.target)
	if errCur == nil && errTgt == nil && bytes.Equal(curJSON, tgtJSON) && c.refsUnchanged(curRefs, tgtRefs) {
		return Change{}, false
	}
	w := &walker{kind: kind, secrets: snapshot.SecretFields[kind]}
	for _, r := range c.opts.Ignore {
		if r.Kind == "" || r.Kind == kind {
			w.ignore = append(w.ignore, r.Path)
		}
	}
	w.object("", c.comparable(kind, curJSON, curRefs), c.comparable(kind, tgtJSON, tgtRefs))

	change := Change{Kind: kind, Action: Changed, Current: p.current, Target: p.target, Identity: c.tgt.identity(kind, p.target)}
	if a, b := snapshot.ID(p.current), snapshot.ID(p.target); a != "" && b != "" && a != b && !w.ignored("id") {
		w.out = append(w.out, FieldChange{Path: "id", Kind: Changed, From: a, To: b})
	}
	scopeChanged := false
	for i, f := range curRefs {
		t := tgtRefs[i]
		if refListsEqual(c.cur, c.tgt, f.refs, t.refs) {
			continue
		}
		if kind == snapshot.KindPlugin {
			scopeChanged = true
			continue
		}
		if !w.ignored(f.path) {
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

func (c *comparer) refsUnchanged(current, target []refField) bool {
	for i := range current {
		if !refListsEqual(c.cur, c.tgt, current[i].refs, target[i].refs) {
			return false
		}
	}
	return true
}

// comparable is the field map Compare compares: Fields without the id and the references, which are compared on
// their own, and with the defaults filled in.
func (c *comparer) comparable(kind snapshot.Kind, b []byte, refs []refField) map[string]any {
	m := fieldsFromJSON(kind, b)
	if m == nil {
		m = map[string]any{}
	}
	delete(m, "id")
	for _, f := range refs {
		delete(m, f.path)
	}
	if c.opts.Defaults != nil {
		m = normalize(kind, c.opts.Defaults.Fill(kind, m))
	}
	return m
}

// refChange renders a changed reference by the parents' names: "service: billing → orders".
func (c *comparer) refChange(current, target refField) FieldChange {
	render := func(s *side, refs []ref, list bool) any {
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
	list := current.path == "ca_certificates"
	return FieldChange{
		Path: current.path,
		Kind: fieldAction(len(current.refs) > 0, len(target.refs) > 0),
		From: render(c.cur, current.refs, list),
		To:   render(c.tgt, target.refs, list),
	}
}

package diff

import (
	"sort"
	"sync"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Pair is one entity of current and its counterpart in target.
type Pair struct {
	Kind            snapshot.Kind
	Current, Target any
}

// Matching pairs the entities of two snapshots: every entity is in exactly one pair, or unmatched on its side.
// Compare reads the differences from it and sync plans its operations from it; nothing else pairs entities.
type Matching struct {
	Current, Target *snapshot.Snapshot
	// Pairs holds every matched entity, kind by kind in snapshot.Kinds order.
	Pairs []Pair
	// Removed holds the current entities target lacks, Added the target entities current lacks, kind by kind.
	Removed, Added []any

	cur, tgt            *side
	currentOf, targetOf map[any]any
	kinds               map[snapshot.Kind]*kindMatch
	tokens              int
}

type kindMatch struct {
	pairs          []Pair
	removed, added []any
}

// Match pairs current and target entities, kind by kind with parents first: by id, then the rest by their natural
// key (snapshot.MatchKey: a service's name, a consumer's username, a plugin's name and scope, a target's address
// within its upstream, ...). A key's references count by the pairing of their parents, so a child of a renamed or
// recreated parent still pairs. Entities left over on either side are visited in a fixed order, so which of two
// entities with the same key gets matched does not depend on the order of the inputs. A nil snapshot is an empty
// one.
func Match(current, target *snapshot.Snapshot) *Matching {
	if current == nil {
		current = &snapshot.Snapshot{}
	}
	if target == nil {
		target = &snapshot.Snapshot{}
	}
	m := &Matching{Current: current, Target: target, currentOf: map[any]any{}, targetOf: map[any]any{},
		kinds: map[snapshot.Kind]*kindMatch{}}
	// The two sides' indexes are independent: each is built on its own goroutine.
	var wg sync.WaitGroup
	wg.Go(func() { m.cur = newSide(current) })
	m.tgt = newSide(target)
	wg.Wait()
	for _, kind := range snapshot.Kinds {
		km := m.match(kind, current.Entities(kind), target.Entities(kind))
		m.kinds[kind] = km
		for _, p := range km.pairs {
			tok := m.nextToken()
			m.cur.token[p.Current], m.tgt.token[p.Target] = tok, tok
			m.currentOf[p.Target], m.targetOf[p.Current] = p.Current, p.Target
		}
		for _, e := range km.removed {
			m.cur.token[e] = m.nextToken()
		}
		for _, e := range km.added {
			m.tgt.token[e] = m.nextToken()
		}
		m.Pairs = append(m.Pairs, km.pairs...)
		m.Removed = append(m.Removed, km.removed...)
		m.Added = append(m.Added, km.added...)
	}
	return m
}

// CurrentOf returns the current entity a target entity is paired with, nil when it is Added.
func (m *Matching) CurrentOf(target any) any { return m.currentOf[target] }

// TargetOf returns the target entity a current entity is paired with, nil when it is Removed.
func (m *Matching) TargetOf(current any) any { return m.targetOf[current] }

// CurrentIndex and TargetIndex are the indexes of each side Match built (references resolve through them), for
// callers that resolve references in the same snapshots (sync's planner); they are not to be added to.
func (m *Matching) CurrentIndex() *snapshot.Index { return m.cur.ix }
func (m *Matching) TargetIndex() *snapshot.Index  { return m.tgt.ix }

func (m *Matching) nextToken() int {
	m.tokens++
	return m.tokens
}

func (m *Matching) match(kind snapshot.Kind, current, target []any) *kindMatch {
	km := &kindMatch{}
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
			km.pairs = append(km.pairs, Pair{kind, e, target[i]})
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
		km.removed, km.added = restCurrent, restTarget
		return km
	}
	curKeys := keyed(m.cur, kind, restCurrent)
	tgtKeys := keyed(m.tgt, kind, restTarget)
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
			km.pairs = append(km.pairs, Pair{kind, k.e, candidates[0]})
			continue
		}
		km.removed = append(km.removed, k.e)
	}
	for _, k := range tgtKeys {
		if !taken[k.e] {
			km.added = append(km.added, k.e)
		}
	}
	return km
}

type keyedEntity struct {
	e        any
	key, id  string
	identity string
}

// keyed computes the natural keys of entities and sorts them by key, id and identity.
func keyed(s *side, kind snapshot.Kind, entities []any) []keyedEntity {
	out := make([]keyedEntity, len(entities))
	for i, e := range entities {
		out[i] = keyedEntity{e: e, key: s.naturalKey(e), id: snapshot.ID(e), identity: s.identity(kind, e)}
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

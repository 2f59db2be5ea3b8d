package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Action says what happened to an entity, or to one field of it, going from current to target.
type Action string

// The actions, in the order Summary lists them.
const (
	Added   Action = "added"   // target has it, current lacks it: restore creates it
	Removed Action = "removed" // current has it, target lacks it: restore deletes it
	Changed Action = "changed" // both have it and they differ: restore updates it
)

// Change is one entity that differs between current and target.
type Change struct {
	Kind   snapshot.Kind
	Action Action
	// Current is the go-kong entity in current (nil when Added), Target the one in target (nil when Removed).
	Current any
	Target  any
	// Fields lists, for Changed only, the fields that differ, sorted by path.
	Fields []FieldChange
	// ScopeChanged marks a plugin that kept its id but moved between scopes (route, service, consumer, global).
	// Scope is a plugin's identity in Kong, so sync must delete and recreate it, and a reader must see it.
	ScopeChanged bool
	// Identity names the entity for people, such as `plugin "rate-limiting" on route "orders"`. It never holds a
	// secret.
	Identity string
}

// FieldChange is one field that differs inside a Changed entity.
type FieldChange struct {
	// Path locates the field: "config.minute", "paths[1]", "service" (a reference), "tags", or "scope" for a
	// plugin that moved.
	Path string
	// Kind is what happened to the field: "added", "removed" or "changed".
	Kind Action
	// From and To are JSON-like values (string, float64, bool, []any, map[string]any); a reference is rendered as
	// its parent's name (or id when it has none). From is nil when the field was added, To when it was removed,
	// and both are nil for a secret.
	From, To any
	// Secret marks a field whose values are secrets: it says that the field changed, never to what.
	Secret bool
}

// Counts is how many entities of one kind were added, removed and changed.
type Counts struct {
	Added, Removed, Changed int
}

// Changes is every difference between two snapshots, ordered by kind (in snapshot.Kinds order), then identity.
type Changes []Change

// Empty reports whether there is no difference at all.
func (c Changes) Empty() bool { return len(c) == 0 }

// Counts returns the number of changes per kind and action; kinds without changes are left out.
func (c Changes) Counts() map[snapshot.Kind]Counts {
	counts := map[snapshot.Kind]Counts{}
	for _, ch := range c {
		n := counts[ch.Kind]
		switch ch.Action {
		case Added:
			n.Added++
		case Removed:
			n.Removed++
		case Changed:
			n.Changed++
		}
		counts[ch.Kind] = n
	}
	return counts
}

// Summary says in one line how much differs, kind by kind in snapshot.Kinds order and, within a kind, added,
// removed then changed: "2 services changed, 1 route added". It returns "no changes" when there are none.
func (c Changes) Summary() string {
	counts := c.Counts()
	var parts []string
	for _, kind := range snapshot.Kinds {
		n, ok := counts[kind]
		if !ok {
			continue
		}
		for _, part := range []struct {
			count  int
			action Action
		}{{n.Added, Added}, {n.Removed, Removed}, {n.Changed, Changed}} {
			if part.count > 0 {
				parts = append(parts, fmt.Sprintf("%d %s %s", part.count, noun(kind, part.count), part.action))
			}
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// noun names n entities of a kind: "1 route", "2 key-auth credentials".
func noun(kind snapshot.Kind, n int) string {
	if n == 1 {
		return kind.Singular()
	}
	return kind.Singular() + "s"
}

var actionRank = map[Action]int{Added: 0, Removed: 1, Changed: 2}

// sortChanges puts changes in their documented order. Identity alone can tie (two unnamed routes without ids), so
// the action and the entities' ids break ties.
func sortChanges(changes Changes) {
	kindRank := map[snapshot.Kind]int{}
	for i, k := range snapshot.Kinds {
		kindRank[k] = i
	}
	sort.SliceStable(changes, func(i, j int) bool {
		a, b := changes[i], changes[j]
		if a.Kind != b.Kind {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.Identity != b.Identity {
			return a.Identity < b.Identity
		}
		if a.Action != b.Action {
			return actionRank[a.Action] < actionRank[b.Action]
		}
		if ca, cb := snapshot.ID(a.Current), snapshot.ID(b.Current); ca != cb {
			return ca < cb
		}
		return snapshot.ID(a.Target) < snapshot.ID(b.Target)
	})
}

package sync

import (
	"container/heap"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Action is what an operation does to one entity.
type Action string

// The actions of a plan.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Operation is one write a plan makes.
type Operation struct {
	Action Action
	Kind   snapshot.Kind
	// Entity is the go-kong entity the operation writes (create, update: every field, foreign keys by id) or the
	// live entity it deletes.
	Entity any
	// Identity names the entity for people, such as `plugin "cors" on route "orders"`; never a secret.
	Identity string
	// Reason says why an entity present on both sides is deleted and created again, "" otherwise.
	Reason string
	// Fields lists, for an update, the paths of the fields that change (values are left out: some are secrets).
	Fields []string
	// Changes are, for an update, the fields that change with their current and target values; a secret field
	// carries no values (diff.FieldChange.Secret).
	Changes []diff.FieldChange
	// DependsOn holds the indexes in Plan.Operations of the operations that must succeed before this one starts;
	// each is smaller than this operation's own index.
	DependsOn []int
}

// String describes the operation in one line without secrets: `create service "billing" (id 5f1c…)`.
func (o Operation) String() string {
	s := string(o.Action) + " " + o.Identity
	if id := snapshot.ID(o.Entity); id != "" {
		s += " (id " + id + ")"
	}
	if len(o.Fields) > 0 {
		s += ": " + strings.Join(o.Fields, ", ")
	}
	if o.Reason != "" {
		s += " [" + o.Reason + "]"
	}
	return s
}

// Plan is the ordered operations that turn current into target. Operations run in their order when one at a
// time; in parallel, an operation waits only for those it DependsOn.
type Plan struct {
	Operations []Operation
	// Kept lists the entities converged in place: matched with a live entity by their natural identity (a unique
	// name, a plugin's name and scope, a credential's key, ...) but not by id, they keep the live id (or, for a
	// plugin moved between scopes, take a new one) instead of being deleted and recreated with the target's.
	Kept []Kept
	// Windows lists the stretches of the plan during which a route or service lacks a plugin it has both before
	// and after the restore (see Windows); such a plan is applied only when asked to.
	Windows []Window
}

// Kept is an entity that ends with another id than the target's.
type Kept struct {
	Identity         string
	LiveID, TargetID string
}

// Empty reports whether the plan writes nothing.
func (p *Plan) Empty() bool { return len(p.Operations) == 0 }

// Counts returns how many operations of each action touch each kind.
func (p *Plan) Counts() map[snapshot.Kind]map[Action]int {
	counts := map[snapshot.Kind]map[Action]int{}
	for _, op := range p.Operations {
		if counts[op.Kind] == nil {
			counts[op.Kind] = map[Action]int{}
		}
		counts[op.Kind][op.Action]++
	}
	return counts
}

// Summary says in one line what the plan does, action by action and kind by kind in dependency order:
// "create 2 services, 1 route; delete 1 plugin". It returns "nothing to do" for an empty plan.
func (p *Plan) Summary() string {
	counts := p.Counts()
	var parts []string
	for _, action := range []Action{Create, Update, Delete} {
		var kinds []string
		for _, kind := range snapshot.Kinds {
			if n := counts[kind][action]; n > 0 {
				noun := kind.Singular()
				if n > 1 {
					noun += "s"
				}
				kinds = append(kinds, fmt.Sprintf("%d %s", n, noun))
			}
		}
		if len(kinds) > 0 {
			parts = append(parts, string(action)+" "+strings.Join(kinds, ", "))
		}
	}
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, "; ")
}

// Write lists the plan: its summary, then every operation in order, one a line.
func (p *Plan) Write(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "plan: %s\n", p.Summary()); err != nil {
		return err
	}
	for i, op := range p.Operations {
		if _, err := fmt.Fprintf(w, "%4d. %s\n", i+1, op); err != nil {
			return err
		}
	}
	return nil
}

// Options tune planning.
type Options struct {
	// Sections limits the kinds the plan writes (see snapshot.SectionKinds); nil means every kind.
	Sections map[snapshot.Kind]bool
	// Diff tunes the comparison of current and target (ignored fields, Kong's defaults).
	Diff diff.Options
	// NoDelete leaves live entities the target lacks in place. Entities replaced (deleted and created again, such
	// as a plugin moved between scopes) are still replaced.
	NoDelete bool
	// MaxDeletes refuses a plan with more deletes; 0 means 10% of the live entities, at least 10; negative means
	// no limit.
	MaxDeletes int
	// AllowEmpty allows a target that holds nothing, or fewer than a tenth of the live entities, in the sections.
	AllowEmpty bool
	// NewID returns a fresh id for a target entity that has none; default a random UUID.
	NewID func() string
	// Outside holds the ids of entities the gateway holds outside what was read (beyond its select tags) that a
	// partial target references; such a reference is kept, not refused as dangling.
	Outside map[string]bool

	// prepared returns copies of target entities validated ahead of the plan (see ahead): the plan writes the copy
	// of an entity it writes as the target holds it. It is asked once, when the first entity is written.
	prepared func() map[any]any
}

func (o Options) in(kind snapshot.Kind) bool { return o.Sections == nil || o.Sections[kind] }

// NewPlan plans the operations that converge current (the live gateway, read fresh) toward target within the
// sections. It refuses, with an error wrapping one of the Err* sentinels that names the entities at fault, a plan
// that would be unsafe to apply; nothing has been written then.
func NewPlan(current, target *snapshot.Snapshot, opts Options) (*Plan, error) {
	plan, err := newPlan(current, target, opts)
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// newPlan is NewPlan that returns a refused plan too, when its operations can be ordered, for people to read
// everything that was asked; it must not be applied.
func newPlan(current, target *snapshot.Snapshot, opts Options) (*Plan, error) {
	if current == nil {
		current = &snapshot.Snapshot{}
	}
	if target == nil {
		target = &snapshot.Snapshot{}
	}
	if opts.NewID == nil {
		opts.NewID = newUUID
	}
	m := diff.Match(current, target)
	p := &planner{
		opts:    opts,
		m:       m,
		live:    &index{Index: m.CurrentIndex(), s: current},
		tgt:     m.TargetIndex(),
		finalID: map[any]string{},
		written: map[any]any{},
		opsOn:   map[any][]*op{},
		creates: map[string]*op{},
		temps:   map[any]*op{},
	}
	changes := dropHashedPasswords(m.Compare(opts.Diff))
	p.resolve(target)
	p.operations(changes)
	p.replaceChildren()
	p.dependencies()
	p.guards(current)
	plan, err := p.order()
	if plan != nil {
		plan.Kept = p.kept
		plan.Windows = windows(current, plan)
	}
	if refused := p.refusal(); refused != nil {
		return plan, refused
	}
	return plan, err
}

// op is an operation while planning.
type op struct {
	Operation
	live any // the live entity an update or delete acts on
	deps map[*op]bool
	// order's: rank and kind (its index in snapshot.Kinds) sort it; waiting counts its dependencies not yet
	// placed, dependants are the operations depending on it, position is its index in the plan once placed.
	rank, kind, waiting, position int
	placed                        bool
	dependants                    []*op
}

type planner struct {
	opts Options
	// m pairs target entities with live ones: the plan reads every pairing from it.
	m    *diff.Matching
	live *index
	tgt  *snapshot.Index
	// finalID is the id a target entity has once the plan is applied ("" for one outside the sections that live
	// lacks); written is the entity a create or update of it writes.
	finalID map[any]string
	written map[any]any
	ops     []*op
	opsOn   map[any][]*op // live entity → the updates and deletes of it
	creates map[string]*op
	temps   map[any]*op // live entity → its temporary rename
	kept    []Kept
	refused refusals
	// prepared is opts.prepared's answer, once asked.
	prepared map[any]any
}

// index finds the live entities by id and by the name references use (the Matching's snapshot.Index), and adds
// what planning needs on top: the holder of each unique key, and each entity's children. Those two are built the
// first time they are asked for: a plan with nothing to write never needs them.
type index struct {
	*snapshot.Index
	s        *snapshot.Snapshot
	byKey    map[snapshot.Kind]map[string]any
	children map[any][]any // parent → entities referencing it by id
}

// holder returns the live entity of kind holding a unique key ("field=value"), nil when none does.
func (ix *index) holder(kind snapshot.Kind, key string) any {
	if ix.byKey == nil {
		ix.byKey = map[snapshot.Kind]map[string]any{}
		for _, kind := range snapshot.Kinds {
			ix.byKey[kind] = map[string]any{}
			for _, e := range ix.s.Entities(kind) {
				for _, k := range uniqueKeys(e) {
					ix.byKey[kind][k] = e
				}
			}
		}
	}
	return ix.byKey[kind][key]
}

// childrenOf returns the live entities referencing parent by id.
func (ix *index) childrenOf(parent any) []any {
	if ix.children == nil {
		ix.children = map[any][]any{}
		for _, kind := range snapshot.Kinds {
			for _, e := range ix.s.Entities(kind) {
				for _, r := range refsOf(e) {
					if parent := ix.Resolve(r); parent != nil {
						ix.children[parent] = append(ix.children[parent], e)
					}
				}
			}
		}
	}
	return ix.children[parent]
}

// total counts a snapshot's entities of the kinds in.
func total(s *snapshot.Snapshot, in func(snapshot.Kind) bool) int {
	n := 0
	for _, kind := range snapshot.Kinds {
		if in(kind) {
			n += s.CountOf(kind)
		}
	}
	return n
}

// resolve decides every target entity's final id and checks its references. Kinds go in dependency order, so
// parents are resolved before their children.
func (p *planner) resolve(target *snapshot.Snapshot) {
	for _, kind := range snapshot.Kinds {
		inSections := p.opts.in(kind)
		for _, e := range target.Entities(kind) {
			if inSections {
				for _, r := range refsOf(e) {
					p.parentID(e, r, true)
				}
			}
			live := p.m.CurrentOf(e)
			id := snapshot.ID(e)
			switch {
			case !inSections && live != nil:
				id = snapshot.ID(live)
			case !inSections:
				id = ""
			case live != nil && id != "" && id != snapshot.ID(live):
				// Matched by natural identity, not by id (recreated by hand): converged in place, never deleted and
				// recreated, which would leave a window with less than either end state (and take its children).
				p.kept = append(p.kept, Kept{Identity: snapshot.Describe(e), LiveID: snapshot.ID(live), TargetID: id})
				id = snapshot.ID(live)
			case id == "" && live != nil:
				id = snapshot.ID(live)
			case id == "":
				id = p.opts.NewID()
			}
			p.finalID[e] = id
		}
	}
}

// writtenOf returns the entity a create or update of target entity e sends: a copy with its final id, every
// reference pointing to its parent's final id.
func (p *planner) writtenOf(e any) any {
	if w, ok := p.written[e]; ok {
		return w
	}
	if p.prepared == nil && p.opts.prepared != nil {
		p.prepared = p.opts.prepared()
	}
	if c, ok := p.prepared[e]; ok && p.asTargetHolds(e) {
		p.written[e] = c // read only from here on: ahead's workers may be encoding it
		return c
	}
	w := p.withRefs(e)
	if id := p.finalID[e]; id != "" {
		setID(w, id)
	}
	p.written[e] = w
	return w
}

// asTargetHolds reports whether writtenOf(e) is a copy of e as it is: its final id is its own, and every reference
// it has names its parent's final id already.
func (p *planner) asTargetHolds(e any) bool {
	if id := snapshot.ID(e); id == "" || p.finalID[e] != id {
		return false
	}
	for _, r := range refsOf(e) {
		if id, ok := p.parentID(e, r, false); !ok || r.ID == "" || id != r.ID {
			return false // withRefs would leave it as it is, or point it elsewhere
		}
	}
	return true
}

// withRefs returns a copy of e whose references point to their parents' final ids.
func (p *planner) withRefs(e any) any {
	w := clone(e)
	for _, r := range refsOf(w) {
		if id, ok := p.parentID(e, r, false); ok {
			r.SetID(id)
		}
	}
	return w
}

// parentID returns the id a target entity's reference resolves to. A parent in the target gives its final id; one
// only live gives its live id when the plan leaves it in place (its kind is outside the sections, or nothing is
// deleted). Anything else is refused when check is set (for entities in the sections).
func (p *planner) parentID(e any, r snapshot.Ref, check bool) (string, bool) {
	if parent := p.tgt.Resolve(r); parent != nil {
		if id := p.finalID[parent]; id != "" {
			return id, true
		}
		if check {
			p.refused.outside = append(p.refused.outside, fmt.Sprintf("%s needs %s, outside the sections and not live",
				snapshot.Describe(e), snapshot.Describe(parent)))
		}
		return "", false
	}
	if parent := p.live.Resolve(r); parent != nil && (!p.opts.in(r.Kind) || p.opts.NoDelete) {
		return snapshot.ID(parent), true
	}
	if r.ID != "" && p.opts.Outside[r.ID] {
		return r.ID, true
	}
	if check {
		name := r.Name
		if r.ID != "" {
			name = "id " + r.ID
		}
		p.refused.dangling = append(p.refused.dangling, fmt.Sprintf("%s references %s %s, which the target does not hold",
			snapshot.Describe(e), r.Kind.Singular(), name))
	}
	return "", false
}

// operations turns the changes within the sections into operations.
func (p *planner) operations(changes diff.Changes) {
	for _, ch := range changes {
		if !p.opts.in(ch.Kind) {
			continue
		}
		switch ch.Action {
		case diff.Added:
			p.create(ch.Target, ch.Identity, "")
		case diff.Removed:
			if !p.opts.NoDelete {
				p.delete(ch.Current, ch.Identity, "")
			}
		case diff.Changed:
			switch {
			case ch.ScopeChanged:
				reason := "scope changed"
				for _, f := range ch.Fields {
					if f.Path == "scope" {
						reason = fmt.Sprintf("scope changed from %v to %v", f.From, f.To)
					}
				}
				p.move(ch.Current, ch.Target, ch.Identity, reason)
			case snapshot.ID(ch.Current) != p.finalID[ch.Target]:
				p.replace(ch.Current, ch.Target, ch.Identity, "id changed: recreated with the target's id")
			default:
				var paths []string
				var changes []diff.FieldChange
				for _, f := range ch.Fields {
					if f.Path != "id" { // an entity converged in place keeps its live id (Plan.Kept)
						paths, changes = append(paths, f.Path), append(changes, f)
					}
				}
				if len(paths) == 0 {
					continue
				}
				o := p.add(&op{Operation: Operation{Action: Update, Kind: ch.Kind, Entity: p.keepSNIs(ch.Current, p.writtenOf(ch.Target)),
					Identity: ch.Identity, Fields: paths, Changes: changes}, live: ch.Current})
				p.opsOn[ch.Current] = append(p.opsOn[ch.Current], o)
			}
		}
	}
}

// keepSNIs returns the update of a certificate carrying the names of the SNIs live on it: Kong's PUT of a
// certificate replaces its SNIs with the list given (none when absent), and the SNIs are planned on their own.
// Every operation on an SNI of the certificate waits for the update (see dependencies).
func (p *planner) keepSNIs(live, written any) any {
	cert, ok := written.(*kong.Certificate)
	if !ok {
		return written
	}
	cert = cert.DeepCopy()
	cert.SNIs = nil
	for _, child := range p.live.childrenOf(live) {
		if sni, ok := child.(*kong.SNI); ok && sni.Name != nil {
			cert.SNIs = append(cert.SNIs, kong.String(*sni.Name))
		}
	}
	sort.Slice(cert.SNIs, func(i, j int) bool { return *cert.SNIs[i] < *cert.SNIs[j] })
	return cert
}

func (p *planner) add(o *op) *op {
	o.deps = map[*op]bool{}
	p.ops = append(p.ops, o)
	return o
}

func (p *planner) create(target any, identity, reason string) *op {
	w := p.writtenOf(target)
	o := p.add(&op{Operation: Operation{Action: Create, Kind: snapshot.KindOf(target), Entity: w, Identity: identity, Reason: reason}})
	p.creates[refKey(snapshot.KindOf(w), snapshot.ID(w))] = o
	return o
}

func (p *planner) delete(live any, identity, reason string) *op {
	o := p.add(&op{Operation: Operation{Action: Delete, Kind: snapshot.KindOf(live), Entity: live, Identity: identity, Reason: reason}, live: live})
	p.opsOn[live] = append(p.opsOn[live], o)
	return o
}

// replace deletes a live entity and creates its target version after it.
func (p *planner) replace(live, target any, identity, reason string) {
	d := p.delete(live, identity, reason)
	c := p.create(target, identity, reason)
	c.deps[d] = true
}

// move replaces a plugin moved between scopes create-first: the plugin is created in its new scope under a new id
// (Kong allows both at once: their scopes differ), and the old one is deleted only after the create succeeded, so
// no route or service covered by it before and after is ever without it.
func (p *planner) move(live, target any, identity, reason string) {
	if pl, ok := target.(*kong.Plugin); ok && pl.InstanceName != nil {
		// Its instance_name is unique: the two cannot coexist. Windows names the stretch this leaves.
		p.replace(live, target, identity, reason+": a plugin with an instance_name moves by delete and create")
		return
	}
	id := p.opts.NewID()
	p.kept = append(p.kept, Kept{Identity: identity, LiveID: id, TargetID: p.finalID[target]})
	p.finalID[target] = id
	delete(p.written, target)
	c := p.create(target, identity, reason+": created in its new scope before the old one is deleted")
	d := p.delete(live, identity, reason+": deleted once its replacement exists")
	d.deps[c] = true
}

func refKey(kind snapshot.Kind, id string) string { return string(kind) + "/" + id }

// replaceChildren replaces the live children of replaced entities too: Kong deletes some with their parent (a
// route's plugins) and refuses to delete a parent others still reference (a service's routes), and a child cannot
// point at the new parent before the old one, holding the same name, is gone.
func (p *planner) replaceChildren() {
	var queue []any
	for _, o := range p.ops {
		if o.Action == Delete && o.Reason != "" {
			queue = append(queue, o.live)
		}
	}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, child := range p.live.childrenOf(parent) {
			if p.deleted(child) {
				continue
			}
			target := p.m.TargetOf(child)
			kind := snapshot.KindOf(child)
			switch {
			case !p.opts.in(kind):
				p.refused.outside = append(p.refused.outside, fmt.Sprintf("replacing %s needs %s replaced too, outside the sections",
					snapshot.Describe(parent), snapshot.Describe(child)))
			case target == nil:
				p.refused.outside = append(p.refused.outside, fmt.Sprintf("replacing %s would delete %s, which no-delete keeps",
					snapshot.Describe(parent), snapshot.Describe(child)))
			default:
				p.dropUpdates(child)
				p.replace(child, target, snapshot.Describe(target), "parent "+snapshot.Describe(parent)+" replaced")
				queue = append(queue, child)
			}
		}
	}
}

func (p *planner) deleted(live any) bool {
	for _, o := range p.opsOn[live] {
		if o.Action == Delete {
			return true
		}
	}
	return false
}

// dropUpdates removes the planned updates of a live entity that is replaced instead.
func (p *planner) dropUpdates(live any) {
	kept := p.ops[:0]
	for _, o := range p.ops {
		if !(o.Action == Update && o.live == live) {
			kept = append(kept, o)
		}
	}
	p.ops = kept
	p.opsOn[live] = nil
}

// dependencies links operations: a write waits for the creates of the parents it references; a delete waits for
// every update and delete of the live entities referencing it; a write of a unique key waits for the operation
// freeing it (a delete, or an update renaming the live holder away). A key held by a live entity the plan keeps is
// refused: the write would fail.
func (p *planner) dependencies() {
	certUpdates := map[string]*op{}
	for _, o := range p.ops {
		if o.Action == Update && o.Kind == snapshot.KindCertificate {
			certUpdates[snapshot.ID(o.Entity)] = o
		}
	}
	for _, o := range p.ops {
		if o.Kind == snapshot.KindSNI {
			for _, e := range []any{o.Entity, o.live} {
				if sni, ok := e.(*kong.SNI); ok && sni.Certificate != nil && certUpdates[deref(sni.Certificate.ID)] != nil {
					o.deps[certUpdates[deref(sni.Certificate.ID)]] = true
				}
			}
		}
		switch o.Action {
		case Delete:
			for _, child := range p.live.childrenOf(o.live) {
				for _, c := range p.opsOn[child] {
					o.deps[c] = true
				}
			}
		case Create, Update:
			for _, r := range refsOf(o.Entity) {
				if c := p.creates[refKey(r.Kind, r.ID)]; c != nil && c != o {
					o.deps[c] = true
				}
			}
			p.keyDependencies(o)
		}
	}
}

func (p *planner) keyDependencies(o *op) {
	for _, key := range uniqueKeys(o.Entity) {
		holder := p.live.holder(o.Kind, key)
		if holder == nil || snapshot.ID(holder) == snapshot.ID(o.Entity) {
			continue
		}
		freed := false
		for _, h := range p.opsOn[holder] {
			if h.Action == Delete || !slices.Contains(uniqueKeys(h.Entity), key) {
				freed = true
				if t := p.swap(o, h); t != nil {
					o.deps[t] = true
					continue
				}
				o.deps[h] = true
			}
		}
		if !freed {
			p.refused.collisions = append(p.refused.collisions, fmt.Sprintf("%s needs %s, which live %s keeps",
				o.Identity, key, snapshot.Describe(holder)))
		}
	}
}

// swap breaks a rename cycle between two updates, o taking a key h's entity gives up while h takes one o's gives
// up (services a and b trading names): h's entity first takes a temporary name, then o runs, then h. It returns
// that temporary rename, or nil when o and h do not swap or the kind has no name to borrow.
func (p *planner) swap(o, h *op) *op {
	if o.Action != Update || h.Action != Update || p.temps[o.live] != nil {
		return nil // o's own entity already steps aside: o simply waits for h
	}
	swapping := false
	for _, key := range uniqueKeys(h.Entity) {
		if p.live.holder(h.Kind, key) == o.live {
			swapping = true
		}
	}
	if !swapping {
		return nil
	}
	if t, ok := p.temps[h.live]; ok {
		return t
	}
	e := clone(h.live)
	if !h.Kind.Info().AppendToName(e, "-kongsnap-"+snapshot.ID(e)) {
		return nil
	}
	t := p.add(&op{Operation: Operation{Action: Update, Kind: h.Kind, Entity: e, Identity: h.Identity,
		Reason: "temporary name while another entity takes this one"}, live: h.live})
	h.deps[t] = true
	p.temps[h.live] = t
	return t
}

// order sorts the operations so that each comes after those it depends on, creates and updates by dependency
// level first and deletes in reverse level order, each kind in identity order; it fails on a dependency cycle.
func (p *planner) order() (*Plan, error) {
	levels := len(snapshot.Levels)
	for _, o := range p.ops {
		if o.Action == Delete {
			o.rank = 2*levels - o.Kind.Level()
		} else {
			o.rank = o.Kind.Level()
		}
		o.kind = kindIndex(o.Kind)
	}
	sort.SliceStable(p.ops, func(i, j int) bool { return less(p.ops[i], p.ops[j]) })
	ready := &opHeap{}
	for _, o := range p.ops {
		o.waiting = len(o.deps)
		for d := range o.deps {
			d.dependants = append(d.dependants, o)
		}
		if len(o.deps) == 0 {
			heap.Push(ready, o)
		}
	}
	plan := &Plan{Operations: make([]Operation, 0, len(p.ops))}
	for ready.Len() > 0 {
		o := heap.Pop(ready).(*op)
		o.position, o.placed = len(plan.Operations), true
		operation := o.Operation
		for d := range o.deps {
			operation.DependsOn = append(operation.DependsOn, d.position)
		}
		sort.Ints(operation.DependsOn)
		plan.Operations = append(plan.Operations, operation)
		for _, next := range o.dependants {
			if next.waiting--; next.waiting == 0 {
				heap.Push(ready, next)
			}
		}
	}
	if len(plan.Operations) < len(p.ops) {
		var stuck []string
		for _, o := range p.ops {
			if !o.placed {
				stuck = append(stuck, o.String())
			}
		}
		return nil, fmt.Errorf("%w: these operations wait for each other: %s", ErrCycle, list(stuck))
	}
	return plan, nil
}

func less(a, b *op) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	if a.Kind != b.Kind {
		return a.kind < b.kind
	}
	if a.Action != b.Action {
		return a.Action == Delete
	}
	if a.Identity != b.Identity {
		return a.Identity < b.Identity
	}
	return snapshot.ID(a.Entity) < snapshot.ID(b.Entity)
}

func kindIndex(k snapshot.Kind) int {
	for i, kind := range snapshot.Kinds {
		if kind == k {
			return i
		}
	}
	return -1
}

// opHeap yields ready operations in plan order.
type opHeap []*op

func (h opHeap) Len() int           { return len(h) }
func (h opHeap) Less(i, j int) bool { return less(h[i], h[j]) }
func (h opHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *opHeap) Push(x any)        { *h = append(*h, x.(*op)) }
func (h *opHeap) Pop() any {
	old := *h
	o := old[len(old)-1]
	*h = old[:len(old)-1]
	return o
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

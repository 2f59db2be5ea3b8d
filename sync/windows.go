package sync

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/snapshot"
)

// ErrUnprotectedWindow marks a plan, refused unless allowed, that leaves a route or service for a while without a
// plugin it has both before and after the restore (a delete that must come before a create).
var ErrUnprotectedWindow = errors.New("the plan leaves routes or services less protected than before and after")

// Window is a stretch of a plan during which a route or service lacks a plugin it has both in the live gateway
// and in the target: from after step From until step To (1-based, in plan order) completes.
type Window struct {
	Scope  string // `route "orders-api"`, `service "billing"`
	Plugin string
	From   int
	To     int
}

func (w Window) String() string {
	return fmt.Sprintf("%s is without plugin %s between step %d and step %d", w.Scope, w.Plugin, w.From, w.To)
}

// windows applies the plan to a model of the gateway's plugins, routes and services one operation at a time, in
// plan order, and returns every stretch where a route or service lacks a plugin that covers it (on itself, on its
// service or globally; consumer-scoped plugins aside) both before the first operation and after the last. Only the
// pairs of a scope and a plugin name covered before the first operation can have a window, and an operation can
// change the coverage of only the pairs it touches, so each operation costs what it touches, not the whole gateway.
func windows(current *snapshot.Snapshot, plan *Plan) []Window {
	if len(plan.Operations) == 0 {
		return nil
	}
	m := newCoverModel(current)
	w := &windowWalk{m: m, pairs: map[coverPair]*pairState{}, byScope: map[string][]coverPair{}, byName: map[string][]coverPair{}}
	m.eachCovered(func(p coverPair) {
		w.pairs[p] = &pairState{covered: true}
		w.byScope[p.scope] = append(w.byScope[p.scope], p)
		w.byName[p.name] = append(w.byName[p.name], p)
	})
	if len(w.pairs) == 0 {
		return nil
	}
	for i, op := range plan.Operations {
		m.touched = m.touched[:0]
		m.apply(op)
		for _, t := range m.touched {
			w.recheck(t, i+1)
		}
	}
	var out []Window
	for _, p := range slices.SortedFunc(maps.Keys(w.pairs), comparePairs) {
		st := w.pairs[p]
		if !st.covered { // not covered after the last operation either: no window to keep
			continue
		}
		for _, span := range st.spans {
			out = append(out, Window{Scope: m.names[p.scope], Plugin: p.name, From: span[0], To: span[1]})
		}
	}
	return out
}

// coverPair is a scope ("r/id" for a route, "s/id" for a service) and the name of a plugin that may cover it.
type coverPair struct{ scope, name string }

func comparePairs(a, b coverPair) int {
	if c := strings.Compare(a.scope, b.scope); c != 0 {
		return c
	}
	return strings.Compare(a.name, b.name)
}

// pairState is how one pair covered before the plan fares along it: whether it is covered now, since which step
// it is not, and the stretches without it so far (from step, to step).
type pairState struct {
	covered bool
	from    int
	spans   [][2]int
}

// windowWalk follows the pairs covered before the plan through it.
type windowWalk struct {
	m       *coverModel
	pairs   map[coverPair]*pairState
	byScope map[string][]coverPair
	byName  map[string][]coverPair
}

// recheck looks again, after step, at the pairs a change touched.
func (w *windowWalk) recheck(t touch, step int) {
	check := func(p coverPair) {
		st := w.pairs[p]
		if st == nil {
			return
		}
		switch has := w.m.covers(p); {
		case !has && st.covered:
			st.covered, st.from = false, step
		case has && !st.covered:
			st.covered = true
			st.spans = append(st.spans, [2]int{st.from, step})
		}
	}
	switch {
	case t.name == "":
		for _, p := range w.byScope[t.scope] {
			check(p)
		}
	case t.scope == "":
		for _, p := range w.byName[t.name] {
			check(p)
		}
	default:
		check(coverPair{t.scope, t.name})
	}
}

// touch is what one change may have changed the coverage of: a pair (scope and name), every pair of a scope
// (name ""), or every pair of a name (scope "", a global plugin).
type touch struct{ scope, name string }

// coverModel is the part of a gateway protection depends on, by id, with the plugins that count for coverage
// counted per scope and name.
type coverModel struct {
	plugins map[string]*kong.Plugin
	routes  map[string]string // route id → its service's id
	svcs    map[string]bool
	names   map[string]string // scope key → how people name it

	routesOf  map[string]map[string]bool // service id → the ids of the routes on it
	pluginsOf map[string]map[string]bool // route id → the ids of every plugin on it (Kong deletes them with it)
	onRoute   map[string]map[string]int  // route id → plugin name → covering plugins on the route
	onService map[string]map[string]int  // service id → plugin name → covering plugins on the service
	global    map[string]int             // plugin name → covering global plugins
	touched   []touch                    // what the last apply may have changed
}

func newCoverModel(s *snapshot.Snapshot) *coverModel {
	m := &coverModel{plugins: map[string]*kong.Plugin{}, routes: map[string]string{}, svcs: map[string]bool{}, names: map[string]string{},
		routesOf: map[string]map[string]bool{}, pluginsOf: map[string]map[string]bool{}, onRoute: map[string]map[string]int{},
		onService: map[string]map[string]int{}, global: map[string]int{}}
	for _, e := range s.Services {
		m.apply(Operation{Action: Create, Entity: e})
	}
	for _, e := range s.Routes {
		m.apply(Operation{Action: Create, Entity: e})
	}
	for _, e := range s.Plugins {
		m.apply(Operation{Action: Create, Entity: e})
	}
	return m
}

func (m *coverModel) apply(op Operation) {
	id := snapshot.ID(op.Entity)
	switch e := op.Entity.(type) {
	case *kong.Service:
		m.touched = append(m.touched, touch{scope: "s/" + id})
		if op.Action == Delete {
			delete(m.svcs, id)
			return
		}
		m.svcs[id], m.names["s/"+id] = true, snapshot.Describe(e)
	case *kong.Route:
		m.touched = append(m.touched, touch{scope: "r/" + id})
		if service, ok := m.routes[id]; ok {
			delete(m.routesOf[service], id)
		}
		if op.Action == Delete {
			delete(m.routes, id)
			for pid := range m.pluginsOf[id] { // Kong deletes a route's plugins with it
				m.removePlugin(pid)
			}
			return
		}
		service := ""
		if e.Service != nil {
			service = deref(e.Service.ID)
		}
		m.routes[id], m.names["r/"+id] = service, snapshot.Describe(e)
		if m.routesOf[service] == nil {
			m.routesOf[service] = map[string]bool{}
		}
		m.routesOf[service][id] = true
	case *kong.Plugin:
		m.removePlugin(id)
		if op.Action == Delete {
			return
		}
		m.plugins[id] = e
		route, _ := pluginScope(e)
		if route != "" {
			if m.pluginsOf[route] == nil {
				m.pluginsOf[route] = map[string]bool{}
			}
			m.pluginsOf[route][id] = true
		}
		m.count(e, 1)
	}
}

func (m *coverModel) removePlugin(id string) {
	p, ok := m.plugins[id]
	if !ok {
		return
	}
	delete(m.plugins, id)
	if route, _ := pluginScope(p); route != "" {
		delete(m.pluginsOf[route], id)
	}
	m.count(p, -1)
}

// pluginScope returns the ids of the route and the service a plugin is on, "" for none.
func pluginScope(p *kong.Plugin) (route, service string) {
	if p.Route != nil {
		route = deref(p.Route.ID)
	}
	if p.Service != nil {
		service = deref(p.Service.ID)
	}
	return route, service
}

// count adds delta to the counts of a plugin that covers routes and services, and notes what that touches.
func (m *coverModel) count(p *kong.Plugin, delta int) {
	if p.Consumer != nil && p.Consumer.ID != nil || p.ConsumerGroup != nil && p.ConsumerGroup.ID != nil || p.Name == nil ||
		p.Enabled != nil && !*p.Enabled {
		return
	}
	name := *p.Name
	add := func(counts map[string]map[string]int, key string) {
		if counts[key] == nil {
			counts[key] = map[string]int{}
		}
		counts[key][name] += delta
	}
	switch route, service := pluginScope(p); {
	case route != "":
		add(m.onRoute, route)
		m.touched = append(m.touched, touch{scope: "r/" + route, name: name})
	case service != "":
		add(m.onService, service)
		m.touched = append(m.touched, touch{scope: "s/" + service, name: name})
		for rid := range m.routesOf[service] {
			m.touched = append(m.touched, touch{scope: "r/" + rid, name: name})
		}
	default:
		m.global[name] += delta
		m.touched = append(m.touched, touch{name: name})
	}
}

// covers reports whether a plugin of the pair's name covers its scope: the route or service exists and the
// plugin is on it, on a route's service, or global.
func (m *coverModel) covers(p coverPair) bool {
	kind, id := p.scope[:2], p.scope[2:]
	if kind == "s/" {
		return m.svcs[id] && (m.global[p.name] > 0 || m.onService[id][p.name] > 0)
	}
	service, ok := m.routes[id]
	return ok && (m.global[p.name] > 0 || m.onRoute[id][p.name] > 0 || m.onService[service][p.name] > 0)
}

// eachCovered calls f with every scope and plugin name covering it.
func (m *coverModel) eachCovered(f func(coverPair)) {
	names := func(counts ...map[string]int) []string {
		var out []string
		for _, c := range counts {
			for name, n := range c {
				if n > 0 && !slices.Contains(out, name) {
					out = append(out, name)
				}
			}
		}
		return out
	}
	for rid, sid := range m.routes {
		for _, name := range names(m.onRoute[rid], m.onService[sid], m.global) {
			f(coverPair{"r/" + rid, name})
		}
	}
	for sid := range m.svcs {
		for _, name := range names(m.onService[sid], m.global) {
			f(coverPair{"s/" + sid, name})
		}
	}
}

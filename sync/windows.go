package sync

import (
	"errors"
	"fmt"
	"maps"
	"slices"

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
// service or globally; consumer-scoped plugins aside) both before the first operation and after the last.
func windows(current *snapshot.Snapshot, plan *Plan) []Window {
	m := newCoverModel(current)
	before := m.coverage()
	states := make([]map[string][]string, 0, len(plan.Operations))
	for _, op := range plan.Operations {
		m.apply(op)
		states = append(states, m.coverage())
	}
	after := m.coverage()
	var out []Window
	for _, scope := range slices.Sorted(maps.Keys(before)) {
		for _, name := range before[scope] {
			if !slices.Contains(after[scope], name) {
				continue
			}
			from := -1
			for i, st := range states {
				has := slices.Contains(st[scope], name)
				switch {
				case !has && from < 0:
					from = i + 1
				case has && from >= 0:
					out = append(out, Window{Scope: m.names[scope], Plugin: name, From: from, To: i + 1})
					from = -1
				}
			}
		}
	}
	return out
}

// coverModel is the part of a gateway protection depends on, by id.
type coverModel struct {
	plugins map[string]*kong.Plugin
	routes  map[string]string // route id → its service's id
	svcs    map[string]bool
	names   map[string]string // scope key → how people name it
}

func newCoverModel(s *snapshot.Snapshot) *coverModel {
	m := &coverModel{plugins: map[string]*kong.Plugin{}, routes: map[string]string{}, svcs: map[string]bool{}, names: map[string]string{}}
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
		if op.Action == Delete {
			delete(m.svcs, id)
			return
		}
		m.svcs[id], m.names["s/"+id] = true, snapshot.Describe(e)
	case *kong.Route:
		if op.Action == Delete {
			delete(m.routes, id)
			for pid, p := range m.plugins { // Kong deletes a route's plugins with it
				if p.Route != nil && deref(p.Route.ID) == id {
					delete(m.plugins, pid)
				}
			}
			return
		}
		service := ""
		if e.Service != nil {
			service = deref(e.Service.ID)
		}
		m.routes[id], m.names["r/"+id] = service, snapshot.Describe(e)
	case *kong.Plugin:
		if op.Action == Delete {
			delete(m.plugins, id)
			return
		}
		m.plugins[id] = e
	}
}

// coverage returns, per route and service (keyed "r/id", "s/id"), the sorted names of the plugins covering it.
func (m *coverModel) coverage() map[string][]string {
	out := map[string][]string{}
	add := func(scope, name string) {
		if !slices.Contains(out[scope], name) {
			out[scope] = append(out[scope], name)
		}
	}
	for _, p := range m.plugins {
		if p.Consumer != nil && p.Consumer.ID != nil || p.ConsumerGroup != nil && p.ConsumerGroup.ID != nil || p.Name == nil ||
			p.Enabled != nil && !*p.Enabled {
			continue
		}
		route, service := "", ""
		if p.Route != nil {
			route = deref(p.Route.ID)
		}
		if p.Service != nil {
			service = deref(p.Service.ID)
		}
		for rid, sid := range m.routes {
			if rid == route || route == "" && (service == "" || service == sid) {
				add("r/"+rid, *p.Name)
			}
		}
		for sid := range m.svcs {
			if route == "" && (service == "" || service == sid) {
				add("s/"+sid, *p.Name)
			}
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}

package sync

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/snapshot"
)

// replayWindows is the definition windows follows, computed the slow way: the coverage of every route and service
// recomputed from scratch after every operation.
func replayWindows(current *snapshot.Snapshot, plan *Plan) []Window {
	type model struct {
		plugins map[string]*kong.Plugin
		routes  map[string]string
		svcs    map[string]bool
		names   map[string]string
	}
	m := model{plugins: map[string]*kong.Plugin{}, routes: map[string]string{}, svcs: map[string]bool{}, names: map[string]string{}}
	apply := func(op Operation) {
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
				for pid, p := range m.plugins {
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
	coverage := func() map[string][]string {
		out := map[string][]string{}
		add := func(scope, name string) {
			if !slices.Contains(out[scope], name) {
				out[scope] = append(out[scope], name)
			}
		}
		for _, p := range m.plugins {
			if p.Consumer != nil && p.Consumer.ID != nil || p.ConsumerGroup != nil && p.ConsumerGroup.ID != nil ||
				p.Name == nil || p.Enabled != nil && !*p.Enabled {
				continue
			}
			route, service := pluginScope(p)
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
	for _, k := range []snapshot.Kind{snapshot.KindService, snapshot.KindRoute, snapshot.KindPlugin} {
		for _, e := range current.Entities(k) {
			apply(Operation{Action: Create, Entity: e})
		}
	}
	before := coverage()
	var states []map[string][]string
	for _, op := range plan.Operations {
		apply(op)
		states = append(states, coverage())
	}
	after := coverage()
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

// TestWindowsMatchReplay walks random gateways and random operation sequences (services, routes and plugins
// created, updated, moved and deleted; plugins global, on services and on routes, disabled, consumer-scoped) and
// checks that windows finds exactly the windows a full recomputation after every operation finds.
func TestWindowsMatchReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	id := func(kind string, i int) string { return fmt.Sprintf("%s-%d", kind, i) }
	service := func() *kong.Service {
		i := rng.IntN(3)
		return &kong.Service{ID: kong.String(id("s", i)), Name: kong.String(fmt.Sprintf("svc-%d-%d", i, rng.IntN(2)))}
	}
	route := func() *kong.Route {
		r := &kong.Route{ID: kong.String(id("r", rng.IntN(5))), Name: kong.String("route")}
		if rng.IntN(5) > 0 {
			r.Service = &kong.Service{ID: kong.String(id("s", rng.IntN(3)))}
		}
		return r
	}
	plugin := func() *kong.Plugin {
		p := &kong.Plugin{ID: kong.String(id("p", rng.IntN(8))), Name: kong.String([]string{"key-auth", "acl", "cors"}[rng.IntN(3)])}
		switch rng.IntN(4) {
		case 0:
			p.Route = &kong.Route{ID: kong.String(id("r", rng.IntN(5)))}
		case 1:
			p.Service = &kong.Service{ID: kong.String(id("s", rng.IntN(3)))}
		case 2:
			p.Route = &kong.Route{ID: kong.String(id("r", rng.IntN(5)))}
			p.Service = &kong.Service{ID: kong.String(id("s", rng.IntN(3)))}
		}
		switch rng.IntN(8) {
		case 0:
			p.Enabled = kong.Bool(false)
		case 1:
			p.Consumer = &kong.Consumer{ID: kong.String("c-1")}
		case 2:
			p.Enabled = kong.Bool(true)
		}
		return p
	}
	entity := func() any {
		switch rng.IntN(4) {
		case 0:
			return service()
		case 1:
			return route()
		}
		return plugin()
	}
	found := 0
	for trial := range 10000 {
		current := &snapshot.Snapshot{}
		for range rng.IntN(12) {
			switch e := entity().(type) {
			case *kong.Service:
				current.Services = append(current.Services, e)
			case *kong.Route:
				current.Routes = append(current.Routes, e)
			case *kong.Plugin:
				current.Plugins = append(current.Plugins, e)
			}
		}
		plan := &Plan{}
		for range rng.IntN(10) {
			action := []Action{Create, Update, Delete}[rng.IntN(3)]
			plan.Operations = append(plan.Operations, Operation{Action: action, Entity: entity()})
		}
		want, got := replayWindows(current, plan), windows(current, plan)
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		found += len(want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: windows = %v, want %v", trial, got, want)
		}
	}
	if found < 100 {
		t.Fatalf("only %d windows in all the trials: the walk tests too little", found)
	}
}

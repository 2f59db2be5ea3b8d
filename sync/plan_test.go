package sync

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

func svc(id, name string) *kong.Service {
	s := &kong.Service{Name: kong.String(name), Host: kong.String(name + ".internal")}
	if id != "" {
		s.ID = kong.String(id)
	}
	return s
}

func route(id, name string, service *kong.Service) *kong.Route {
	r := &kong.Route{Name: kong.String(name), Paths: []*string{kong.String("/" + name)}, Service: service}
	if id != "" {
		r.ID = kong.String(id)
	}
	return r
}

func byID(id string) *kong.Service     { return &kong.Service{ID: kong.String(id)} }
func byName(name string) *kong.Service { return &kong.Service{Name: kong.String(name)} }

// steps renders a plan as its operations in order, each with the positions (1-based) it depends on.
func steps(p *Plan) []string {
	out := make([]string, len(p.Operations))
	for i, op := range p.Operations {
		out[i] = fmt.Sprintf("%d. %s %s %s", i+1, op.Action, op.Identity, snapshot.ID(op.Entity))
		for _, d := range op.DependsOn {
			out[i] += fmt.Sprintf(" after %d", d+1)
		}
	}
	return out
}

// sequence returns a NewID that hands out n1, n2, ...
func sequence() func() string {
	n := 0
	return func() string {
		n++
		return fmt.Sprintf("n%d", n)
	}
}

func TestPlanOrdersAndLinksOperations(t *testing.T) {
	for _, tc := range []struct {
		name            string
		current, target *snapshot.Snapshot
		change          func(o *Options)
		want            []string
	}{
		{
			name:    "a route waits for its own service only",
			current: &snapshot.Snapshot{},
			target: &snapshot.Snapshot{
				Services: []*kong.Service{svc("s1", "a"), svc("s2", "b")},
				Routes:   []*kong.Route{route("r1", "ra", byID("s1")), route("r2", "rb", byID("s2"))},
			},
			want: []string{
				`1. create service "a" s1`, `2. create service "b" s2`,
				`3. create route "ra" r1 after 1`, `4. create route "rb" r2 after 2`,
			},
		},
		{
			name:    "entities without ids get fresh ones and references by name resolve to them",
			current: &snapshot.Snapshot{Services: []*kong.Service{svc("live-b", "b")}},
			target: &snapshot.Snapshot{
				Services: []*kong.Service{svc("", "a"), svc("", "b")},
				Routes:   []*kong.Route{route("", "ra", byName("a")), route("", "rb", byName("b"))},
			},
			want: []string{
				`1. create service "a" n1`,
				`2. create route "ra" n2 after 1`,
				`3. create route "rb" n3`,
			},
		},
		{
			name:    "a rename into a name another live entity holds waits for its delete",
			current: &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a"), svc("s2", "b")}},
			target:  &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "b")}},
			want:    []string{`1. delete service "b" s2`, `2. update service "b" s1 after 1`},
		},
		{
			name:    "a rename into a name another live entity gives up waits for that rename",
			current: &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a"), svc("s2", "b")}},
			target:  &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "b"), svc("s2", "c")}},
			want:    []string{`1. update service "c" s2`, `2. update service "b" s1 after 1`},
		},
		{
			name: "a recreated service is converged in place: same name, nothing to write, no delete",
			current: &snapshot.Snapshot{
				Services: []*kong.Service{svc("old", "a")},
				Routes:   []*kong.Route{route("r1", "ra", byID("old"))},
			},
			target: &snapshot.Snapshot{
				Services: []*kong.Service{svc("new", "a")},
				Routes:   []*kong.Route{route("r1", "ra", byID("new"))},
			},
			want: nil,
		},
		{
			name: "a plugin moved to another scope is created in its new scope first, then the old one deleted",
			current: &snapshot.Snapshot{
				Services: []*kong.Service{svc("s1", "a")},
				Plugins:  []*kong.Plugin{{ID: kong.String("p1"), Name: kong.String("cors")}},
			},
			target: &snapshot.Snapshot{
				Services: []*kong.Service{svc("s1", "a")},
				Plugins:  []*kong.Plugin{{ID: kong.String("p1"), Name: kong.String("cors"), Service: byID("s1")}},
			},
			want: []string{`1. create plugin "cors" on service "a" n1`, `2. delete plugin "cors" on service "a" p1 after 1`},
		},
		{
			name:    "no-delete leaves what the target lacks",
			current: &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a"), svc("s2", "b")}},
			target:  &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a"), svc("s3", "c")}},
			change:  func(o *Options) { o.NoDelete = true },
			want:    []string{`1. create service "c" s3`},
		},
		{
			name:    "a deleted service waits for its routes to leave",
			current: &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a"), svc("s2", "b")}, Routes: []*kong.Route{route("r1", "ra", byID("s1"))}},
			target:  &snapshot.Snapshot{Services: []*kong.Service{svc("s2", "b")}, Routes: []*kong.Route{route("r1", "ra", byID("s2"))}},
			want:    []string{`1. update route "ra" r1`, `2. delete service "a" s1 after 1`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{NewID: sequence()}
			if tc.change != nil {
				tc.change(&o)
			}
			plan, err := NewPlan(tc.current, tc.target, o)
			if err != nil {
				t.Fatal(err)
			}
			if got := steps(plan); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestPlanSwapsNamesThroughATemporaryOne(t *testing.T) {
	current := &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a"), svc("s2", "b")}}
	target := &snapshot.Snapshot{Services: []*kong.Service{svc("s1", "b"), svc("s2", "a")}}
	plan, err := NewPlan(current, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`1. update service "b" s1`, `2. update service "a" s2 after 1`, `3. update service "b" s1 after 1 after 2`}
	if got := steps(plan); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if name := deref(plan.Operations[0].Entity.(*kong.Service).Name); name != "a-kongsnap-s1" {
		t.Errorf("temporary name %q", name)
	}

	// The same swap against the simulator, which enforces unique names.
	s := newSim(t, nil)
	live := &snapshot.Snapshot{Services: []*kong.Service{svc(rogue(1), "a"), svc(rogue(2), "b")}}
	s.restore(t, live, opts())
	swapped := &snapshot.Snapshot{Services: []*kong.Service{svc(rogue(1), "b"), svc(rogue(2), "a")}}
	s.restore(t, swapped, opts())
	s.verify(t, swapped, opts())
}

func TestPlanRefusesKeyRotationCycle(t *testing.T) {
	// Three key-auth credentials passing their keys round have no name to borrow.
	cred := func(id, key string) *kong.KeyAuth {
		return &kong.KeyAuth{ID: kong.String(id), Key: kong.String(key), Consumer: &kong.Consumer{ID: kong.String("c1")}}
	}
	consumers := []*kong.Consumer{{ID: kong.String("c1"), Username: kong.String("alice")}}
	current := &snapshot.Snapshot{Consumers: consumers, KeyAuths: []*kong.KeyAuth{cred("k1", "x"), cred("k2", "y")}}
	target := &snapshot.Snapshot{Consumers: consumers, KeyAuths: []*kong.KeyAuth{cred("k1", "y"), cred("k2", "x")}}
	_, err := NewPlan(current, target, Options{})
	if !errors.Is(err, ErrCycle) {
		t.Fatalf("NewPlan = %v, want ErrCycle", err)
	}
}

func TestPlanListing(t *testing.T) {
	plan, err := NewPlan(
		&snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a"), svc("s2", "gone")}},
		&snapshot.Snapshot{
			Services:  []*kong.Service{{ID: kong.String("s1"), Name: kong.String("a"), Host: kong.String("a.internal"), Port: kong.Int(8080)}},
			Routes:    []*kong.Route{route("r1", "ra", byID("s1"))},
			KeyAuths:  []*kong.KeyAuth{{ID: kong.String("k1"), Key: kong.String("s3cr3t"), Consumer: &kong.Consumer{ID: kong.String("c1")}}},
			Consumers: []*kong.Consumer{{ID: kong.String("c1"), Username: kong.String("alice")}},
		},
		Options{},
	)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := plan.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := `plan: create 1 consumer, 1 key-auth credential, 1 route; update 1 service; delete 1 service
   1. create consumer "alice" (id c1)
   2. update service "a" (id s1): port
   3. create key-auth credential k1 of consumer "alice" (id k1)
   4. create route "ra" (id r1)
   5. delete service "gone" (id s2)
`
	if b.String() != want {
		t.Errorf("listing:\n%s\nwant:\n%s", b.String(), want)
	}
}

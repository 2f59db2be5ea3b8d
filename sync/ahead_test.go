package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

// counter is a NewID giving "00000000-0000-4000-8000-00000000000N" in turn, so that two plans of one target agree.
func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
}

func jsonOf(t *testing.T, e any) string {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPreparedCopiesAreWhatThePlanWrites: a plan given prepared copies of every target entity with an id (as
// ahead prepares them) is the plan made without them, operation by operation and byte for byte as encoded; it
// writes a copy exactly where it writes an entity as the target holds it, and no target entity is changed.
// The cases cover copies the plan must not take: an entity converged in place under its live id, children of such
// an entity, references by name (a decK file without ids), a parent outside the sections, entities without ids.
func TestPreparedCopiesAreWhatThePlanWrites(t *testing.T) {
	rich := func() *snapshot.Snapshot { return richTarget(t) }
	keptInPlace := func() *snapshot.Snapshot {
		// The service "orders" live under another id: converged in place, its routes pointed at the live id.
		live := &snapshot.Snapshot{}
		for _, s := range rich().Services {
			s := s.DeepCopy()
			if *s.Name == "orders" {
				s.ID = kong.String("0f000000-0000-4000-8000-000000000001")
			}
			live.Services = append(live.Services, s)
		}
		return live
	}
	byName := func() *snapshot.Snapshot {
		s, err := snapshot.Read(snapshot.Files{"kong.yaml": []byte(`_format_version: "3.0"
services:
- name: svc-a
  host: a.internal
  routes:
  - name: route-a
    paths: [/a]
    plugins:
    - name: cors
plugins:
- name: rate-limiting
  service: svc-a
  config: {minute: 5}
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-key
`)}, snapshot.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	servicesLive := func() *snapshot.Snapshot { return &snapshot.Snapshot{Services: rich().Services} }
	empty := func() *snapshot.Snapshot { return &snapshot.Snapshot{} }
	routes := []snapshot.Kind{snapshot.KindRoute}
	routesAndPlugins := []snapshot.Kind{snapshot.KindRoute, snapshot.KindPlugin}
	for _, tc := range []struct {
		name            string
		current, target func() *snapshot.Snapshot
		sections        []snapshot.Kind
		copies          bool // some operation writes a copy
		others          bool // some create or update writes no copy
	}{
		{"into an empty gateway", empty, rich, nil, true, false},
		{"a large one", empty, func() *snapshot.Snapshot { return large(1000) }, nil, true, false},
		{"a service converged in place", keptInPlace, rich, nil, true, true},
		{"a decK file without ids", empty, byName, nil, false, true},
		{"routes and plugins only, services live", servicesLive, rich, routesAndPlugins, true, true},
		{"routes only, services not live", empty, rich, routes, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts()
			if tc.sections != nil {
				o.Sections = map[snapshot.Kind]bool{}
				for _, k := range tc.sections {
					o.Sections[k] = true
				}
			}
			target := tc.target()
			before := map[any]string{}
			for _, kind := range snapshot.Kinds {
				for _, e := range target.Entities(kind) {
					before[e] = jsonOf(t, e)
				}
			}
			o.NewID = counter()
			want, wantErr := newPlan(tc.current(), target, o)
			prepared := map[any]any{}
			copies := map[any]bool{}
			for e := range before {
				if snapshot.ID(e) != "" {
					c := prepare(e)
					prepared[e], copies[c] = c, true
				}
			}
			o.NewID = counter()
			o.prepared = func() map[any]any { return prepared }
			got, gotErr := newPlan(tc.current(), target, o)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("with copies: %v; without: %v", gotErr, wantErr)
			}
			if want == nil || got == nil || len(got.Operations) != len(want.Operations) {
				t.Fatalf("with copies %d operations, without %d", len(got.Operations), len(want.Operations))
			}
			wrote, other := 0, 0
			for i, g := range got.Operations {
				w := want.Operations[i]
				if g.String() != w.String() || fmt.Sprint(g.DependsOn) != fmt.Sprint(w.DependsOn) {
					t.Errorf("operation %d: %s (after %v) with copies, %s (after %v) without", i+1, g, g.DependsOn, w, w.DependsOn)
				}
				if a, b := jsonOf(t, g.Entity), jsonOf(t, w.Entity); a != b {
					t.Errorf("%s writes\n%s\nwith copies, and without\n%s", g, a, b)
				}
				switch {
				case copies[g.Entity]:
					wrote++
				case g.Action != Delete:
					other++
				}
			}
			if (wrote > 0) != tc.copies || (other > 0) != tc.others {
				t.Errorf("%d operations write a copy, %d creates and updates do not; want copies %v, others %v",
					wrote, other, tc.copies, tc.others)
			}
			for e, was := range before {
				if now := jsonOf(t, e); now != was {
					t.Errorf("target entity changed: %s, was %s", now, was)
				}
			}
		})
	}
}

// TestConvergeValidatesWhileItPlans: converging into an empty gateway, the validation requests start before the
// plan is shown (the plan's output waits until the gateway has seen one), every entity is validated once, and the
// requests in flight never exceed the parallelism.
func TestConvergeValidatesWhileItPlans(t *testing.T) {
	target := richTarget(t)
	for _, tc := range parallelismCases {
		t.Run(tc.name, func(t *testing.T) {
			var f inFlight
			var validations atomic.Int64
			s := newSim(t, func(next http.Handler) http.Handler {
				return f.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/validate") {
						validations.Add(1)
					}
					next.ServeHTTP(w, r)
				}))
			})
			s.kong.AddFault(kongsim.Fault{Method: http.MethodPost, Latency: 5 * time.Millisecond})
			out := &waitingWriter{until: func() bool { return validations.Load() > 0 }}
			conv, err := Converge(context.Background(), s.gw, target, ConvergeOptions{Plan: opts(), DryRun: true,
				Parallelism: tc.parallelism, Out: out})
			if err != nil {
				t.Fatal(err)
			}
			if out.timedOut {
				t.Error("the plan was shown before the gateway was asked to validate anything")
			}
			v, n := conv.Validation, int(validations.Load())
			if v.Validated != len(conv.Plan.Operations) || v.Requests != v.Validated || n != v.Requests {
				t.Errorf("%d operations, %d validated with %d requests; the gateway saw %d", len(conv.Plan.Operations),
					v.Validated, v.Requests, n)
			}
			if peak := f.peak.Load(); peak < tc.min || peak > tc.max {
				t.Errorf("peak of %d validations in flight, want %d to %d", peak, tc.min, tc.max)
			}
		})
	}
}

// waitingWriter holds its first write until until reports true, for at most ten seconds (then timedOut).
type waitingWriter struct {
	until    func() bool
	once     gosync.Once
	timedOut bool
	strings.Builder
}

func (w *waitingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() {
		for deadline := time.Now().Add(10 * time.Second); !w.until(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				w.timedOut = true
				return
			}
		}
	})
	return w.Builder.Write(p)
}

// TestConvergeRefusesWhatAheadFoundRejected: an entity the gateway rejects, among those validated while the plan is
// made, refuses the restore as Validate does (the same rejection, Kong's message), and nothing is written.
func TestConvergeRefusesWhatAheadFoundRejected(t *testing.T) {
	target := richTarget(t)
	for _, p := range target.Plugins {
		if *p.Name == "rate-limiting" && p.Service != nil {
			p.Config["minute"] = "often" // not a number
		}
	}
	s := newSim(t, nil)
	conv, err := Converge(context.Background(), s.gw, target, ConvergeOptions{Plan: opts()})
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("got %v, want ErrRejected", err)
	}
	if w := s.writes(); len(w) != conv.Validation.Requests {
		t.Errorf("requests but validations: %v", w)
	}
	direct, derr := Validate(context.Background(), s.gw, conv.Plan, ValidateOptions{})
	if derr == nil || derr.Error() != err.Error() {
		t.Errorf("converging: %v\nvalidating the plan: %v", err, derr)
	}
	if len(direct.Rejected) != 1 || len(conv.Validation.Rejected) != 1 ||
		direct.Rejected[0].Reason != conv.Validation.Rejected[0].Reason {
		t.Errorf("rejected while planning: %+v; validating the plan: %+v", conv.Validation.Rejected, direct.Rejected)
	}
}

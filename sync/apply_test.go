package sync

import (
	"context"
	"errors"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

func TestInterruptedRestoreReportsAndResumes(t *testing.T) {
	target := richTarget(t)
	// A clean restore into an empty gateway counts its write requests (a target's PUT is followed by a POST).
	clean := newSim(t, nil)
	clean.restore(t, target, opts())
	last := len(clean.writes())

	for _, tc := range []struct {
		name  string
		fault kongsim.Fault
	}{
		{"first write fails", kongsim.Fault{Nth: 1, Status: http.StatusInternalServerError}},
		{"fifth write fails", kongsim.Fault{Nth: 5, Status: http.StatusServiceUnavailable}},
		{"17th write loses its connection", kongsim.Fault{Nth: 17, DropConnection: true}},
		{"40th write fails", kongsim.Fault{Nth: 40, Status: http.StatusBadGateway}},
		{"last write fails", kongsim.Fault{Nth: last, Status: http.StatusInternalServerError}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, nil)
			plan, err := NewPlan(s.read(t), target, opts())
			if err != nil {
				t.Fatal(err)
			}
			s.kong.AddFault(tc.fault)
			res, err := Apply(context.Background(), s.gw, plan, ApplyOptions{})
			if !errors.Is(err, ErrIncomplete) {
				t.Fatalf("Apply = %v, want ErrIncomplete", err)
			}
			// A write refused by the gateway failed; one whose connection was lost may or may not have been applied.
			failures, other := res.Failed, res.Unknown
			if tc.fault.DropConnection {
				failures, other = res.Unknown, res.Failed
			}
			if len(failures) != 1 || len(other) != 0 {
				t.Fatalf("%d failed and %d unknown operations, want 1 %s", len(res.Failed), len(res.Unknown),
					map[bool]string{true: "unknown", false: "failed"}[tc.fault.DropConnection])
			}
			if n := len(res.Applied) + len(res.Failed) + len(res.Unknown) + len(res.NotApplied); n != len(plan.Operations) {
				t.Errorf("result accounts for %d of %d operations", n, len(plan.Operations))
			}
			failed := failures[0]
			if !strings.Contains(failed.Err.Error(), snapshot.ID(failed.Operation.Entity)) {
				t.Errorf("failure does not name the entity: %v", failed.Err)
			}
			// Every create reported applied is live; with a lost connection the failed one may be too.
			live := s.read(t)
			if got, applied := live.Len(), len(res.Applied); got != applied && !(tc.fault.DropConnection && got == applied+1) {
				t.Errorf("gateway holds %d entities after %d applied creates", got, applied)
			}
			var report strings.Builder
			if err := res.Write(&report); err != nil {
				t.Fatal(err)
			}
			prefix := map[bool]string{true: "unknown: ", false: "failed: "}[tc.fault.DropConnection]
			if !strings.Contains(report.String(), prefix+failed.Operation.String()) {
				t.Errorf("report does not list the failure:\n%s", report.String())
			}

			s.kong.ClearFaults()
			s.restore(t, target, opts())
			s.verify(t, target, opts())
			if got := s.read(t).Len(); got != target.Len() {
				t.Errorf("gateway holds %d entities after resuming, target %d", got, target.Len())
			}
		})
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	target := richTarget(t)
	s := newSim(t, nil)
	s.restore(t, target, opts())
	drift(t, s)
	before := s.read(t)
	s.kong.ResetRequests()

	o := opts()
	o.MaxDeletes = -1
	plan, err := NewPlan(before, target, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Apply(context.Background(), s.gw, plan, ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.DryRun || len(res.Applied) != len(plan.Operations) {
		t.Errorf("dry run walked %d of %d operations", len(res.Applied), len(plan.Operations))
	}
	if w := s.writes(); len(w) != 0 {
		t.Errorf("dry run wrote %v", w)
	}
	left, err := Verify(context.Background(), s.gw, target, o)
	if err != nil {
		t.Fatal(err)
	}
	if left.Empty() {
		t.Error("the drift is gone after a dry run")
	}
}

func TestSectionsLimitWrites(t *testing.T) {
	target := richTarget(t)
	s := newSim(t, nil)
	s.restore(t, target, opts())
	drift(t, s)
	s.kong.ResetRequests()

	kinds, err := snapshot.SectionKinds([]string{"plugins"})
	if err != nil {
		t.Fatal(err)
	}
	o := opts()
	o.Sections = kinds
	plan, _ := s.restore(t, target, o)
	writes := s.writes()
	if len(writes) == 0 {
		t.Fatal("restoring the plugins wrote nothing, yet they drifted")
	}
	for _, w := range writes {
		if !strings.HasPrefix(strings.Fields(w)[1], "/plugins/") {
			t.Errorf("write outside plugins: %s", w)
		}
	}
	s.verify(t, target, o, plan)
	all, err := Verify(context.Background(), s.gw, target, opts())
	if err != nil {
		t.Fatal(err)
	}
	all, _ = kept(all, &Result{}, plan) // the moved cors plugin has a new id
	for _, ch := range all {
		if ch.Kind == snapshot.KindPlugin {
			t.Errorf("plugin left over: %s", ch.Identity)
		}
	}
	if all.Empty() {
		t.Error("the other kinds' drift was restored too")
	}
}

// inFlight counts the write requests the simulator is serving at once.
type inFlight struct {
	now, peak atomic.Int64
}

func (f *inFlight) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			n := f.now.Add(1)
			for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
			}
			defer f.now.Add(-1)
		}
		next.ServeHTTP(w, r)
	})
}

// parallelismCases are the bounds on requests in flight a restore's parallelism sets, for its writes and its
// validations alike.
var parallelismCases = []struct {
	name        string
	parallelism int
	min, max    int64
}{
	{"one at a time", 1, 1, 1},
	{"default", 0, 2, DefaultParallelism},
	{"four", 4, 2, 4},
}

// eachParallelism runs step for each of parallelismCases on a fresh simulator whose method requests take 5 ms, with
// the plan of the rich target, and checks the peak of requests in flight (what: writes, validations).
func eachParallelism(t *testing.T, method, what string, step func(t *testing.T, s *sim, plan *Plan, parallelism int)) {
	target := richTarget(t)
	for _, tc := range parallelismCases {
		t.Run(tc.name, func(t *testing.T) {
			var f inFlight
			s := newSim(t, f.wrap)
			s.kong.AddFault(kongsim.Fault{Method: method, Latency: 5 * time.Millisecond})
			plan, err := NewPlan(s.read(t), target, opts())
			if err != nil {
				t.Fatal(err)
			}
			step(t, s, plan, tc.parallelism)
			if peak := f.peak.Load(); peak < tc.min || peak > tc.max {
				t.Errorf("peak of %d %s in flight, want %d to %d", peak, what, tc.min, tc.max)
			}
		})
	}
}

func TestParallelism(t *testing.T) {
	target := richTarget(t)
	eachParallelism(t, http.MethodPut, "writes", func(t *testing.T, s *sim, plan *Plan, parallelism int) {
		if _, err := Apply(context.Background(), s.gw, plan, ApplyOptions{Parallelism: parallelism}); err != nil {
			t.Fatal(err)
		}
		s.verify(t, target, opts())
	})
}

// TestValidateParallelism: the validation requests go in parallel, as many at once as the restore's parallelism.
func TestValidateParallelism(t *testing.T) {
	eachParallelism(t, http.MethodPost, "validations", func(t *testing.T, s *sim, plan *Plan, parallelism int) {
		v, err := Validate(context.Background(), s.gw, plan, ValidateOptions{Parallelism: parallelism})
		if err != nil {
			t.Fatal(err)
		}
		if v.Requests != len(plan.Operations) {
			t.Errorf("%d validation requests for %d operations", v.Requests, len(plan.Operations))
		}
	})
}

// orderWriter records the order operations start and fails the ones named in fail.
type orderWriter struct {
	mu      gosync.Mutex
	started []string
	fail    map[string]error
}

func (w *orderWriter) record(e any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.started = append(w.started, snapshot.ID(e))
	return w.fail[snapshot.ID(e)]
}

func (w *orderWriter) Create(_ context.Context, e any) (any, error) { return e, w.record(e) }
func (w *orderWriter) Update(_ context.Context, e any) (any, error) { return e, w.record(e) }
func (w *orderWriter) Delete(_ context.Context, e any) error        { return w.record(e) }
func (w *orderWriter) Lookup(context.Context, any) (any, error)     { return nil, errors.New("no lookup") }

func TestApplyStopsAtFirstFailure(t *testing.T) {
	target := richTarget(t)
	plan, err := NewPlan(nil, target, opts())
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	w := &orderWriter{fail: map[string]error{idOrders: boom}}
	res, err := Apply(context.Background(), w, plan, ApplyOptions{Parallelism: 1})
	if !errors.Is(err, boom) || !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Apply = %v, want ErrIncomplete wrapping the failure", err)
	}
	if len(res.Failed) != 1 || snapshot.ID(res.Failed[0].Operation.Entity) != idOrders {
		t.Fatalf("failed = %+v", res.Failed)
	}
	for _, o := range res.NotApplied {
		for _, id := range w.started {
			if id == snapshot.ID(o.Operation.Entity) {
				t.Errorf("%s reported not applied, yet it was sent", o.Operation)
			}
		}
	}
	if len(w.started) != len(res.Applied)+1 {
		t.Errorf("%d operations sent, %d reported applied", len(w.started), len(res.Applied))
	}
}

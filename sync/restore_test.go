package sync

import (
	"context"
	"testing"

	"github.com/kongsnap/kongsnap/snapshot"
)

func TestDisasterRecovery(t *testing.T) {
	target := richTarget(t)
	s := newSim(t, nil)
	plan, _ := s.restore(t, target, opts())
	if got, want := len(plan.Operations), target.Len(); got != want {
		t.Errorf("plan has %d operations for %d entities", got, want)
	}
	s.verify(t, target, opts())
	live := s.read(t)
	for _, kind := range snapshot.Kinds {
		want := map[string]bool{}
		for _, e := range target.Entities(kind) {
			want[snapshot.ID(e)] = true
		}
		for _, e := range live.Entities(kind) {
			if !want[snapshot.ID(e)] {
				t.Errorf("live %s has an id the target lacks", snapshot.Describe(e))
			}
		}
		if len(live.Entities(kind)) != len(want) {
			t.Errorf("%s: live has %d, target %d", kind, len(live.Entities(kind)), len(want))
		}
	}
}

func TestIdempotence(t *testing.T) {
	target := richTarget(t)
	s := newSim(t, nil)
	s.restore(t, target, opts())
	s.kong.ResetRequests()
	plan, err := NewPlan(s.read(t), target, opts())
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Fatalf("second plan is not empty: %s", plan.Summary())
	}
	if _, err := Apply(context.Background(), s.gw, plan, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if w := s.writes(); len(w) != 0 {
		t.Errorf("second restore wrote %v", w)
	}
}

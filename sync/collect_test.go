package sync

import (
	"context"
	"runtime/debug"
	"testing"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		name string
		live uint64
		want int
	}{
		{"before the first collection", 0, maxGCPercent},
		{"a small heap, at most four times less often", 8 << 20, maxGCPercent},
		{"collectFloor of garbage over the live heap", 64 << 20, 200},
		{"a heap of collectFloor, the default", collectFloor, defaultGCPercent},
		{"a large heap, the default", 2 << 30, defaultGCPercent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gcPercent(tc.live); got != tc.want {
				t.Errorf("gcPercent(%d) = %d, want %d", tc.live, got, tc.want)
			}
		})
	}
}

// TestCollectingLessRestoresPacing: a phase runs with the collector paced by gcPercent and the default comes back
// after it, also when the phases of two convergences overlap; a pacing set with GOGC is left alone.
func TestCollectingLessRestoresPacing(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(defaultGCPercent))
	current := func() int {
		p := debug.SetGCPercent(defaultGCPercent)
		debug.SetGCPercent(p)
		return p
	}
	want := gcPercent(liveHeap()) // a test's heap is small: maxGCPercent
	var during, inner int
	err := collectingLess(func(context.Context) error {
		during = current()
		return collectingLess(func(context.Context) error {
			inner = current()
			return nil
		})(context.Background())
	})(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if during != want || inner != want {
		t.Errorf("pacing during the phases = %d and %d, want %d", during, inner, want)
	}
	if p := current(); p != defaultGCPercent {
		t.Errorf("pacing after the phases = %d, want %d", p, defaultGCPercent)
	}

	debug.SetGCPercent(50)
	_ = collectingLess(func(context.Context) error { during = current(); return nil })(context.Background())
	if during != 50 || current() != 50 {
		t.Errorf("GOGC=50: %d during the phase, %d after, want 50", during, current())
	}
}

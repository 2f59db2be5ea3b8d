package app

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// pacing returns the collector's GC percent and soft memory limit, leaving them as they are.
func pacing() (int, int64) {
	percent := debug.SetGCPercent(defaultGCPercent)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// TestHeapFloor: while the live heap is under half the floor the collector is off and the memory limit is the
// floor; overlapping runs share the pacing, the last to end puts back what was; a pacing chosen with GOGC is left
// alone.
func TestHeapFloor(t *testing.T) {
	beforePercent, beforeLimit := pacing()
	t.Cleanup(func() {
		debug.SetGCPercent(beforePercent)
		debug.SetMemoryLimit(beforeLimit)
	})
	debug.SetGCPercent(defaultGCPercent)
	debug.SetMemoryLimit(2 << 30)
	const heapFloor = 1 << 30 // far above what a test holds
	check := func(t *testing.T, when string, wantPercent int, wantLimit int64) {
		t.Helper()
		if percent, limit := pacing(); percent != wantPercent || limit != wantLimit {
			t.Errorf("%s: GC percent %d, memory limit %d; want %d, %d", when, percent, limit, wantPercent, wantLimit)
		}
	}
	err := withHeapFloor(heapFloor, func() error {
		check(t, "during a run", -1, heapFloor)
		return withHeapFloor(heapFloor, func() error {
			check(t, "during an overlapping run", -1, heapFloor)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "after the runs", defaultGCPercent, 2<<30)

	debug.SetMemoryLimit(heapFloor / 2)
	_ = withHeapFloor(heapFloor, func() error {
		check(t, "under a lower memory limit", -1, heapFloor/2)
		return nil
	})
	check(t, "after the run under a lower limit", defaultGCPercent, heapFloor/2)

	debug.SetGCPercent(50)
	_ = withHeapFloor(heapFloor, func() error {
		check(t, "GOGC=50", 50, heapFloor/2)
		return nil
	})
	check(t, "after the run with GOGC=50", 50, heapFloor/2)
}

// TestHeapFloorPastHalf: once a collection finds more than half the floor live, the pacing and limit are the
// default's again.
func TestHeapFloorPastHalf(t *testing.T) {
	beforePercent, beforeLimit := pacing()
	t.Cleanup(func() {
		debug.SetGCPercent(beforePercent)
		debug.SetMemoryLimit(beforeLimit)
	})
	debug.SetGCPercent(defaultGCPercent)
	debug.SetMemoryLimit(2 << 30)
	runtime.GC()
	heapFloor := int64(2*liveHeap() + 8<<20)
	var live []byte
	_ = withHeapFloor(heapFloor, func() error {
		if percent, limit := pacing(); percent != -1 || limit != heapFloor {
			t.Errorf("under half the floor: GC percent %d, memory limit %d; want -1, %d", percent, limit, heapFloor)
		}
		live = make([]byte, heapFloor)
		// The pacer looks after each collection, in a goroutine of its own: collect until it has.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			runtime.GC()
			if percent, limit := pacing(); percent == defaultGCPercent && limit == 2<<30 {
				return nil
			}
			time.Sleep(time.Millisecond)
		}
		percent, limit := pacing()
		t.Errorf("with %d bytes live over a floor of %d: GC percent %d, memory limit %d; want %d, %d",
			len(live), heapFloor, percent, limit, defaultGCPercent, 2<<30)
		return nil
	})
	runtime.KeepAlive(live)
}

func TestCollectorOff(t *testing.T) {
	tests := []struct {
		name string
		live uint64
		want bool
	}{
		{name: "nothing live yet", live: 0, want: true},
		{name: "under half the floor", live: 149 << 20, want: true},
		{name: "half the floor", live: 150 << 20, want: false},
		{name: "more", live: 1 << 30, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collectorOff(tt.live, 300<<20); got != tt.want {
				t.Errorf("collectorOff(%d, 300 MB) = %v, want %v", tt.live, got, tt.want)
			}
		})
	}
}

package pacing

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// pacing returns the collector's GC percent and soft memory limit, leaving them as they are.
func pacing() (int, int64) {
	percent := debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// keepPacing puts the test process's pacing back when the test ends, and starts it from the default with limit.
func keepPacing(t *testing.T, limit int64) {
	beforePercent, beforeLimit := pacing()
	t.Cleanup(func() {
		debug.SetGCPercent(beforePercent)
		debug.SetMemoryLimit(beforeLimit)
	})
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(limit)
}

// TestStart: while the live heap is under half the floor the collector is off and the memory limit is the
// floor (or a lower limit in force); stop puts back the default and the limit; GOGC set leaves the pacing alone.
func TestStart(t *testing.T) {
	keepPacing(t, 2<<30)
	const floor = 1 << 30 // far above what a test holds
	check := func(t *testing.T, when string, wantPercent int, wantLimit int64) {
		t.Helper()
		if percent, limit := pacing(); percent != wantPercent || limit != wantLimit {
			t.Errorf("%s: GC percent %d, memory limit %d; want %d, %d", when, percent, limit, wantPercent, wantLimit)
		}
	}
	noEnv := func(string) string { return "" }
	stop := Start(noEnv, floor)
	check(t, "paced", -1, floor)
	runtime.GC()
	check(t, "after a collection", -1, floor)
	stop()
	check(t, "stopped", 100, 2<<30)

	debug.SetMemoryLimit(floor / 2)
	stop = Start(noEnv, floor)
	check(t, "under a lower memory limit", -1, floor/2)
	stop()
	check(t, "stopped, under the lower limit", 100, floor/2)

	debug.SetGCPercent(50)
	stop = Start(func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	}, floor)
	check(t, "GOGC=50", 50, floor/2)
	stop()
	check(t, "stopped, GOGC=50", 50, floor/2)
}

// TestStartPastHalf: once a collection finds more than half the floor live, the pacing and limit are the
// default's again.
func TestStartPastHalf(t *testing.T) {
	keepPacing(t, 2<<30)
	runtime.GC()
	floor := int64(2*liveHeap() + 8<<20)
	stop := Start(func(string) string { return "" }, floor)
	defer stop()
	if percent, limit := pacing(); percent != -1 || limit != floor {
		t.Errorf("under half the floor: GC percent %d, memory limit %d; want -1, %d", percent, limit, floor)
	}
	live := make([]byte, floor)
	// The pacer looks after each collection, in a goroutine of its own: collect until it has.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		if percent, limit := pacing(); percent == 100 && limit == 2<<30 {
			runtime.KeepAlive(live)
			return
		}
		time.Sleep(time.Millisecond)
	}
	percent, limit := pacing()
	t.Errorf("with %d bytes live over a floor of %d: GC percent %d, memory limit %d; want 100, %d",
		len(live), floor, percent, limit, 2<<30)
	runtime.KeepAlive(live)
}

func TestCollectorOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		live uint64
		want bool
	}{
		{"nothing live yet", 0, true},
		{"under half the floor", 149 << 20, true},
		{"half the floor", 150 << 20, false},
		{"more", 1 << 30, false},
	} {
		if got := collectorOff(tc.live, 300<<20); got != tc.want {
			t.Errorf("%s: collectorOff(%d, 300 MB) = %v, want %v", tc.name, tc.live, got, tc.want)
		}
	}
}

// Package pacing paces a command's garbage collector for a run that is mostly short-lived garbage: off while the
// live heap is small, the runtime's own pacing once it is not.
//
// A run of kongsnap is mostly garbage made while what it holds grows: a gateway's pages as they are read, the
// fields and YAML of every entity it writes, the requests of a restore. kongsim's is the same from the other side:
// every request's body, its decoded entity, its answer. At the runtime's default pacing (GOGC=100) the collector
// marks what is live each time the heap doubles: a dozen times in a dump of 100,000 entities and twenty in a
// restore of 10,000, a fifth of kongsnap's CPU (a tenth of kongsim's) on a machine where the two share two cores.
// Start therefore puts a floor under the collector's goal: while the live heap is under half the floor the
// collector is off and the soft memory limit is the floor (so the heap reaches it before a collection); once more
// is live, the default pacing's goal (twice the live heap) is the larger, and the pacing and memory limit are the
// process's own again. The pacer looks again after each collection, so a run that grows past the floor, or
// shrinks back under it, is paced accordingly. A run thus uses at most the floor, or what the default pacing
// would; GOGC set in the environment leaves the pacing to it.
package pacing

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// pacer applies the floor after each collection until it is stopped.
type pacer struct {
	mu      sync.Mutex
	stopped bool
	floor   int64
	limit   int64 // the memory limit the floor was put under
}

// Start starts the pacing the package comment describes with floor bytes, under the memory limit in force,
// unless the environment (getenv) sets GOGC; stop puts the default pacing and that limit back.
func Start(getenv func(string) string, floor int64) (stop func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(-1)
	p := &pacer{floor: min(floor, limit), limit: limit}
	p.mu.Lock()
	p.pace()
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.stopped = true
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(p.limit)
	}
}

// pace sets the pacing for the live heap the last collection found, and looks again after the next collection
// (when an object made now is collected). p.mu is held.
func (p *pacer) pace() {
	if collectorOff(liveHeap(), p.floor) {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(p.floor)
	} else {
		debug.SetMemoryLimit(p.limit)
		debug.SetGCPercent(100)
	}
	runtime.AddCleanup(new([64]byte), func(p *pacer) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.stopped {
			p.pace()
		}
	}, p)
}

// collectorOff reports whether, with live bytes live, the floor is above the default pacing's goal.
func collectorOff(live uint64, floor int64) bool {
	return live < uint64(floor)/2
}

// liveHeap is the heap the last collection found live, 0 before the first.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

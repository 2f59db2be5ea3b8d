package app

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A dump is mostly garbage made while the snapshot it holds grows: the pages as they are read, then the fields and
// YAML of every entity. At the runtime's default pacing (GOGC=100) the collector marks what is live each time the
// heap doubles, a dozen times in a dump of 100,000 entities (more than 100 MB live at its end), a fifth of
// kongsnap's CPU on a machine whose other core serves the pages. Dump therefore runs with a floor under the
// collector's goal: the heap may reach dumpHeapFloor before the collector runs, and past that it is paced as by
// default. While the live heap is under half the floor, the collector is off and the soft memory limit is the
// floor; once it is more, the default pacing's goal (twice the live heap) is the larger, and the pacing and limit
// are what they were. The collector looks again after each collection. A dump thus uses at most dumpHeapFloor, or
// what the default pacing would; a pacing someone chose with GOGC is left as it is.
const dumpHeapFloor = 300 << 20

var floor struct {
	mu     sync.Mutex
	active int    // paced runs (dumps in one process may overlap)
	pacer  *pacer // of the runs active, nil when none is or the pacing is someone else's
}

// pacer applies the floor after each collection until it is stopped.
type pacer struct {
	stopped bool // under floor.mu
	floor   int64
	limit   int64 // the memory limit before the first run
}

// withHeapFloor runs f with the collector paced as the comment on dumpHeapFloor says, heapFloor the floor (of
// the first run when runs overlap).
func withHeapFloor(heapFloor int64, f func() error) error {
	floor.mu.Lock()
	if floor.active == 0 {
		floor.pacer = nil
		if prev := debug.SetGCPercent(defaultGCPercent); prev == defaultGCPercent {
			limit := debug.SetMemoryLimit(-1)
			floor.pacer = &pacer{floor: min(heapFloor, limit), limit: limit}
			floor.pacer.pace()
		} else {
			debug.SetGCPercent(prev)
		}
	}
	floor.active++
	floor.mu.Unlock()
	defer func() {
		floor.mu.Lock()
		defer floor.mu.Unlock()
		if floor.active--; floor.active == 0 && floor.pacer != nil {
			floor.pacer.stopped = true
			debug.SetGCPercent(defaultGCPercent)
			debug.SetMemoryLimit(floor.pacer.limit)
			floor.pacer = nil
		}
	}()
	return f()
}

const defaultGCPercent = 100

// pace sets the pacing for the live heap the last collection found, and looks again after the next one (when an
// object made now is collected). floor.mu is held.
func (p *pacer) pace() {
	if collectorOff(liveHeap(), p.floor) {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(p.floor)
	} else {
		debug.SetMemoryLimit(p.limit)
		debug.SetGCPercent(defaultGCPercent)
	}
	runtime.AddCleanup(new([64]byte), func(p *pacer) {
		floor.mu.Lock()
		defer floor.mu.Unlock()
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

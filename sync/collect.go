package sync

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	gosync "sync"
)

// A convergence of a small gateway is mostly garbage: the target is tens of megabytes, and planning it, the
// validation and write requests (a few kilobytes of garbage each) and the read that verifies it allocate ten times
// that. At the runtime's default pacing (GOGC=100) the collector marks the whole heap again each time the garbage
// reaches the size of what is live, twenty times in a restore of 10,000 entities, a fifth of kongsnap's CPU on a
// machine whose other core runs the gateway. Each phase of Converge therefore runs with the collector paced to let
// at least collectFloor of garbage accumulate, at most maxGCPercent; once the live heap is collectFloor or more
// (a gateway of a few hundred thousand entities) the pacing is the default. A phase costs at most collectFloor of
// memory more than at the default pacing (the process's soft memory limit, cmd/kongsnap, still holds), and a
// pacing someone chose with GOGC is left as it is.
const (
	collectFloor     = 128 << 20
	maxGCPercent     = 400
	defaultGCPercent = 100
)

var collect struct {
	mu     gosync.Mutex
	active int // phases running (two convergences in one process may overlap)
	raised bool
}

// collectingLess runs phase paced as the comment on collectFloor says.
func collectingLess(phase func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		collect.mu.Lock()
		if collect.active == 0 {
			if percent := gcPercent(liveHeap()); percent > defaultGCPercent {
				prev := debug.SetGCPercent(percent)
				if collect.raised = prev == defaultGCPercent; !collect.raised {
					debug.SetGCPercent(prev)
				}
			}
		}
		collect.active++
		collect.mu.Unlock()
		defer func() {
			collect.mu.Lock()
			defer collect.mu.Unlock()
			if collect.active--; collect.active == 0 && collect.raised {
				debug.SetGCPercent(defaultGCPercent)
				collect.raised = false
			}
		}()
		return phase(ctx)
	}
}

// gcPercent is the pacing that lets collectFloor of garbage accumulate over a live heap of live bytes, within
// defaultGCPercent and maxGCPercent.
func gcPercent(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	return int(min(max(collectFloor*100/live, defaultGCPercent), maxGCPercent))
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

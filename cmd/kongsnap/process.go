package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

// startProfiles writes a CPU profile to $KONGSNAP_CPUPROFILE and, when the run ends, a heap profile to
// $KONGSNAP_MEMPROFILE, for whoever measures kongsnap on a real gateway (`go tool pprof kongsnap FILE`). Unset,
// it does nothing. The returned function ends the profiles.
func startProfiles(getenv func(string) string) (stop func(), err error) {
	var stops []func()
	if path := getenv("KONGSNAP_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("KONGSNAP_CPUPROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("KONGSNAP_CPUPROFILE: %w", err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if path := getenv("KONGSNAP_MEMPROFILE"); path != "" {
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				fmt.Fprintf(os.Stderr, "KONGSNAP_MEMPROFILE: %v\n", err)
				return
			}
			defer f.Close()
			runtime.GC()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fmt.Fprintf(os.Stderr, "KONGSNAP_MEMPROFILE: %v\n", err)
			}
		})
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}, nil
}

// heapFloor is the heap kongsnap lets grow before its first collection (see package pacing): more than a restore
// of 10,000 entities or a dump of 100,000 makes while holding what it must.
const heapFloor = 300 << 20

// defaultMemoryLimit is the Go runtime's soft memory limit kongsnap runs under unless GOMEMLIMIT says otherwise.
// A backup or diff holds whole gateways, and with the collector's default pacing the heap grows to twice what is
// live before it is collected: 3.5 GB for a million entities whose live data is 1.5 GB, beyond what a CI runner
// should spend. Under the limit the collector runs more often instead (about a tenth more CPU at a million
// entities, nothing below a few hundred thousand, where the heap never gets near it). It is a soft limit: a
// gateway whose live data alone exceeds it still runs, the collector then using at most half the CPU.
const defaultMemoryLimit = 2400 << 20

// setMemoryLimit applies defaultMemoryLimit when the environment does not set GOMEMLIMIT (which the runtime has
// then applied itself).
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

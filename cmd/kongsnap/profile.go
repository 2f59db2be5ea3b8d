package main

import (
	"fmt"
	"os"
	"runtime"
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

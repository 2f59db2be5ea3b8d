//go:build unix

package main

import (
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"syscall"
)

// collectOnSignal runs a garbage collection each time kongsim is sent SIGUSR1 and logs "collected" when it is
// done, until stop is called. scripts/bench-compare.sh sends it before each command it measures and waits for the
// line, so that no command is charged with a collection the commands before it made due: at 100,000 entities one
// costs kongsim a quarter of a second of two cores, and in the benchmark's fixed order of commands it landed on
// the same command round after round.
func collectOnSignal(logger *slog.Logger) (stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGUSR1)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-quit:
				return
			case <-signals:
				runtime.GC()
				logger.Info("collected", "live_heap_bytes", liveHeap())
			}
		}
	}()
	return func() {
		signal.Stop(signals)
		close(quit)
		<-done
	}
}

// liveHeap is the heap the last collection found live.
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

package app

import (
	"context"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gateway/kongsim/kongsimtest"
	"github.com/kongsnap/kongsnap/snapshot"
)

// peakHeap samples the live heap every few milliseconds until stop is called, and returns the largest value seen.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// BenchmarkDump100k is `kongsnap dump`: read a generated 100,000-entity gateway from kongsim over loopback and
// write it as encrypted decK files. It reports entities per second and the peak heap, which includes kongsim's
// own store since it runs in the same process.
func BenchmarkDump100k(b *testing.B) {
	sim := kongsim.New(kongsim.Options{})
	n := kongsimtest.SeedLarge(b, sim, 100_000)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	keys, err := snapshot.ParseKeyring(testKey)
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{Config: &config.Config{}}
	conn := &config.Connection{Name: "bench", AdminURL: srv.URL, Secrets: config.SecretsEncrypt}
	runtime.GC()
	stop := peakHeap()
	b.ResetTimer()
	for b.Loop() {
		client, live, err := env.readLive(context.Background(), conn)
		if err != nil {
			b.Fatal(err)
		}
		version := client.Version()
		if live.Len() != n {
			b.Fatalf("read %d entities, want %d", live.Len(), n)
		}
		if _, err := writeSnapshot(live, conn, version, keys); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
}

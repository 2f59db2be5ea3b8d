package gateway_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gateway/kongsim/kongsimtest"
)

// BenchmarkRead100k reads a generated 100,000-entity gateway from kongsim over loopback HTTP.
func BenchmarkRead100k(b *testing.B) {
	benchmarkRead(b, 0)
}

// BenchmarkRead100kLatency reads the same gateway with 5 ms added to every request, as a gateway across a network
// is: here a read is bound by round trips, not by decoding.
func BenchmarkRead100kLatency(b *testing.B) {
	benchmarkRead(b, 5*time.Millisecond)
}

func benchmarkRead(b *testing.B, latency time.Duration) {
	s := newSim(b)
	n := kongsimtest.SeedLarge(b, s, 100_000)
	if latency > 0 {
		s.AddFault(kongsim.Fault{Method: http.MethodGet, Latency: latency})
	}
	c := open(b, testConnection(s.url))
	b.ReportAllocs()
	for b.Loop() {
		got, err := c.Read(context.Background())
		if err != nil {
			b.Fatalf("Read: %v", err)
		}
		if got.Len() != n {
			b.Fatalf("read %d entities, want %d", got.Len(), n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
}

package gateway_test

import (
	"context"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim/kongsimtest"
)

// BenchmarkRead100k reads a generated 100,000-entity gateway from kongsim over loopback HTTP.
func BenchmarkRead100k(b *testing.B) {
	s := newSim(b)
	n := kongsimtest.SeedLarge(b, s, 100_000)
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

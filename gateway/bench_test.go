package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gateway/kongsim/kongsimtest"
)

// BenchmarkRead100k reads a generated 100,000-entity gateway from kongsim over loopback HTTP.
func BenchmarkRead100k(b *testing.B) {
	s := newSim(b)
	n := kongsimtest.SeedLarge(b, s, 100_000)
	benchmarkRead(b, testConnection(s.url), n)
}

// BenchmarkRead100kLatency reads the same gateway with 5 ms added to every request, as a gateway across a network
// has, page after page (Ranges 1, as before large collections were read in id ranges) and in ranges (the default).
func BenchmarkRead100kLatency(b *testing.B) {
	s := newSim(b)
	n := kongsimtest.SeedLarge(b, s, 100_000)
	s.AddFault(kongsim.Fault{Method: http.MethodGet, Latency: 5 * time.Millisecond})
	benchmarkRanges(b, s, n)
}

// BenchmarkReadLargeCollectionLatency reads one collection of 30,000 consumers (random ids, cheap to serve) with
// 20 ms added to every request: the round trips of one collection's pages, which ranges make at once.
func BenchmarkReadLargeCollectionLatency(b *testing.B) {
	s := newSim(b)
	for i, id := range randomIDs(9, 30_000) {
		seed(b, s, http.MethodPut, "/consumers/"+id, map[string]any{"username": fmt.Sprintf("user-%05d", i)})
	}
	s.AddFault(kongsim.Fault{Method: http.MethodGet, Latency: 20 * time.Millisecond})
	benchmarkRanges(b, s, 30_000)
}

// benchmarkRanges reads s page after page, then in id ranges.
func benchmarkRanges(b *testing.B, s *sim, n int) {
	for _, bb := range []struct {
		name   string
		ranges int
	}{{name: "pages", ranges: 1}, {name: "ranges", ranges: 0}} {
		b.Run(bb.name, func(b *testing.B) {
			conn := testConnection(s.url)
			conn.Ranges = bb.ranges
			benchmarkRead(b, conn, n)
		})
	}
}

func benchmarkRead(b *testing.B, conn gateway.Connection, n int) {
	c := open(b, conn)
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

package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// seedLarge fills s with n entities spread over the kinds a large gateway has most of: services with two routes
// each, consumers with a key-auth each, plugins at service, route and consumer scope, upstreams with targets.
// It writes straight into the handler, not over the network, and returns how many entities it wrote.
func seedLarge(b *testing.B, s *sim, n int) int {
	b.Helper()
	written := 0
	put := func(path string, body map[string]any) {
		seed(b, s, http.MethodPut, path, body)
		written++
	}
	unit := n / 100 // one unit of the mix below is 100 entities
	for i := range unit * 10 {
		put("/services/"+uuid(10, i), map[string]any{"name": fmt.Sprintf("svc-%06d", i), "host": "backend.internal"})
		for r := range 2 {
			id := i*2 + r
			put("/routes/"+uuid(11, id), map[string]any{
				"name": fmt.Sprintf("route-%06d", id), "paths": []string{fmt.Sprintf("/p/%d", id)},
				"service": map[string]any{"id": uuid(10, i)},
			})
		}
	}
	for i := range unit * 15 {
		put("/consumers/"+uuid(12, i), map[string]any{"username": fmt.Sprintf("user-%06d", i)})
		put("/consumers/"+uuid(12, i)+"/key-auth/"+uuid(13, i), map[string]any{"key": fmt.Sprintf("key-%06d", i)})
	}
	for i := range unit * 10 {
		put("/plugins/"+uuid(14, i), map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 10},
			"service": map[string]any{"id": uuid(10, i)}})
		put("/plugins/"+uuid(15, i), map[string]any{"name": "correlation-id", "route": map[string]any{"id": uuid(11, i)}})
	}
	for i := range unit * 10 {
		put("/plugins/"+uuid(16, i), map[string]any{"name": "request-termination", "consumer": map[string]any{"id": uuid(12, i)}})
	}
	for i := range unit {
		put("/upstreams/"+uuid(17, i), map[string]any{"name": fmt.Sprintf("up-%06d.internal", i)})
		for t := range 9 {
			seed(b, s, http.MethodPost, "/upstreams/"+uuid(17, i)+"/targets", map[string]any{
				"id": uuid(18, i*9+t), "target": fmt.Sprintf("10.%d.%d.%d:80", i/250, i%250, t),
			})
			written++
		}
	}
	return written
}

// BenchmarkRead100k reads a generated 100,000-entity gateway from kongsim over loopback HTTP.
func BenchmarkRead100k(b *testing.B) {
	s := newSim(b)
	n := seedLarge(b, s, 100_000)
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

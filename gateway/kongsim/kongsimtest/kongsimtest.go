// Package kongsimtest fills a kongsim with large generated gateways for benchmarks, writing straight into its
// handler so that setup costs seconds, not the minutes the same requests would take over the network.
package kongsimtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// UUID returns a fixed, valid UUID numbered n within a prefix, so generated entities have known ids.
func UUID(prefix, n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", prefix, n)
}

// Do sends one JSON request to h and fails the test unless it succeeds.
func Do(tb testing.TB, h http.Handler, method, path string, body any) {
	tb.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		tb.Fatalf("seeding %s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
}

// SeedLarge fills h with about n entities in the mix a large gateway has: services with two routes each,
// consumers with a key-auth credential each, plugins at service, route and consumer scope, and upstreams with
// targets. It returns how many entities it wrote.
func SeedLarge(tb testing.TB, h http.Handler, n int) int {
	tb.Helper()
	written := 0
	put := func(path string, body map[string]any) {
		Do(tb, h, http.MethodPut, path, body)
		written++
	}
	unit := n / 100 // one unit of the mix below is 100 entities
	for i := range unit * 10 {
		put("/services/"+UUID(10, i), map[string]any{"name": fmt.Sprintf("svc-%06d", i), "host": "backend.internal"})
		for r := range 2 {
			id := i*2 + r
			put("/routes/"+UUID(11, id), map[string]any{
				"name": fmt.Sprintf("route-%06d", id), "paths": []string{fmt.Sprintf("/p/%d", id)},
				"service": map[string]any{"id": UUID(10, i)},
			})
		}
	}
	for i := range unit * 15 {
		put("/consumers/"+UUID(12, i), map[string]any{"username": fmt.Sprintf("user-%06d", i)})
		put("/consumers/"+UUID(12, i)+"/key-auth/"+UUID(13, i), map[string]any{"key": fmt.Sprintf("key-%06d", i)})
	}
	for i := range unit * 10 {
		put("/plugins/"+UUID(14, i), map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 10},
			"service": map[string]any{"id": UUID(10, i)}})
		put("/plugins/"+UUID(15, i), map[string]any{"name": "correlation-id", "route": map[string]any{"id": UUID(11, i)}})
	}
	for i := range unit * 10 {
		put("/plugins/"+UUID(16, i), map[string]any{"name": "request-termination", "consumer": map[string]any{"id": UUID(12, i)}})
	}
	for i := range unit {
		put("/upstreams/"+UUID(17, i), map[string]any{"name": fmt.Sprintf("up-%06d.internal", i)})
		for t := range 9 {
			Do(tb, h, http.MethodPost, "/upstreams/"+UUID(17, i)+"/targets", map[string]any{
				"id": UUID(18, i*9+t), "target": fmt.Sprintf("10.%d.%d.%d:80", i/250, i%250, t),
			})
			written++
		}
	}
	return written
}

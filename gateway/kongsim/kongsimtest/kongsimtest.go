// Package kongsimtest fills a kongsim with large generated gateways for benchmarks, writing straight into its
// handler so that setup costs seconds, not the minutes the same requests would take over the network.
package kongsimtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

// UUID returns a fixed, valid UUID numbered n within a prefix, so generated entities have known ids.
func UUID(prefix, n int) string { return kongsim.GeneratedID(prefix, n) }

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

// SeedLarge fills h with about n entities in the mix a large gateway has (kongsim.Generate: services with two
// routes each, consumers with a key-auth credential and an ACL group each, plugins at service, route and consumer
// scope, upstreams with targets) and returns how many entities it wrote.
func SeedLarge(tb testing.TB, h http.Handler, n int) int {
	tb.Helper()
	written, err := kongsim.Generate(h, n)
	if err != nil {
		tb.Fatal(err)
	}
	return written
}

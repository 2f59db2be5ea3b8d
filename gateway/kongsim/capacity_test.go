package kongsim_test

import (
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gateway/kongsim/kongsimtest"
)

// BenchmarkHold200k loads a 200,000-entity gateway into kongsim and reports the heap it holds afterwards, and
// how long one page of 1000 consumers then takes: paging must stay O(page), not O(store).
func BenchmarkHold200k(b *testing.B) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sim := kongsim.New(kongsim.Options{})
	n := kongsimtest.SeedLarge(b, sim, 200_000)
	runtime.GC()
	runtime.ReadMemStats(&after)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	for b.Loop() {
		resp, err := srv.Client().Get(srv.URL + "/consumers?size=1000&offset=" + pageToken())
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	// Reported after the loop: b.Loop resets the timer and the metrics when it starts.
	b.ReportMetric(float64(n), "entities")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "store-MiB")
}

// pageToken is Kong's offset token for the middle of the generated consumers.
func pageToken() string {
	// unpadded standard base64 of ["0000000c-0000-4000-8000-000000003a98"]
	return "WyIwMDAwMDAwYy0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDNhOTgiXQ"
}

package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gateway/kongsim/kongsimtest"
	"github.com/kongsnap/kongsnap/report"
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

// benchRepo is a generated 100,000-entity gateway in kongsim (in this process, so its store counts in the peak
// heap), a connection "bench" to it, and a snapshot repository holding one backup of it.
type benchRepo struct {
	gw       *gatewayFixture
	env      *testEnv
	entities int
}

func newBenchRepo(b *testing.B) *benchRepo {
	b.Helper()
	gw := newGateway(b)
	n := kongsimtest.SeedLarge(b, gw.sim, 100_000)
	env := newEnv(b, connectionsYAML(filepath.Join(b.TempDir(), "repo"), "", map[string]string{"bench": gw.url}, ""),
		map[string]string{"KONGSNAP_KEY": testKey})
	env.Logger = slog.New(slog.DiscardHandler)
	r := &benchRepo{gw: gw, env: env, entities: n}
	r.backup(b, report.Completed)
	return r
}

func (r *benchRepo) backup(b *testing.B, want report.Status) {
	b.Helper()
	rep, err := Backup(context.Background(), r.env.Env, BackupOptions{All: true})
	if err != nil {
		b.Fatal(err)
	}
	if got := rep.Results[0]; got.Status != want {
		b.Fatalf("backup: %s (%s), want %s", got.Status, got.Reason, want)
	}
}

// measure runs f b.N times and reports entities per second and the peak heap.
func (r *benchRepo) measure(b *testing.B, f func()) {
	runtime.GC()
	stop := peakHeap()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f()
	}
	b.StopTimer()
	b.ReportMetric(float64(r.entities)*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
}

// BenchmarkDumpWrite100k is the second half of BenchmarkDump100k: a generated 100,000-entity gateway, read once,
// written as encrypted decK files each iteration. kongsim is let go before the writes, so that its store does not
// weigh on the collector as it does not in a kongsnap process.
func BenchmarkDumpWrite100k(b *testing.B) {
	keys, err := snapshot.ParseKeyring(testKey)
	if err != nil {
		b.Fatal(err)
	}
	conn := &config.Connection{Name: "bench", Secrets: config.SecretsEncrypt}
	n, version, live := readGenerated(b, conn, 100_000)
	runtime.GC()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := writeSnapshot(live, conn, version, keys); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
}

// readGenerated reads a gateway of about n generated entities from a kongsim of its own, which it shuts down
// before returning the snapshot, its size and Kong version.
func readGenerated(b *testing.B, conn *config.Connection, n int) (int, string, *snapshot.Snapshot) {
	sim := kongsim.New(kongsim.Options{})
	n = kongsimtest.SeedLarge(b, sim, n)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	conn.AdminURL = srv.URL
	client, live, err := (&Env{Config: &config.Config{}}).readLive(context.Background(), conn)
	if err != nil {
		b.Fatal(err)
	}
	return n, client.Version(), live
}

// BenchmarkBackupUnchanged100k is `kongsnap backup` of a 100,000-entity gateway that has not changed since the
// last backup: issue 17 wants it within 1.1× BenchmarkDump100k.
func BenchmarkBackupUnchanged100k(b *testing.B) {
	r := newBenchRepo(b)
	r.measure(b, func() { r.backup(b, report.Unchanged) })
}

// BenchmarkBackupChanged100k is `kongsnap backup` of a 100,000-entity gateway with one service more than at the
// last backup, so it commits (with the summary of what changed): issue 17 wants it within 1.2× BenchmarkDump100k.
func BenchmarkBackupChanged100k(b *testing.B) {
	r := newBenchRepo(b)
	i := 0
	r.measure(b, func() {
		b.StopTimer()
		i++
		r.gw.addService(b, fmt.Sprintf("bench-added-%d", i))
		b.StartTimer()
		r.backup(b, report.Completed)
	})
}

// BenchmarkBackupUpdated100k is bench-compare's changed backup: one service's retries set to a value it never had
// before the run, so its services.yaml is a new blob, and the commit is titled "bench: 1 service changed".
func BenchmarkBackupUpdated100k(b *testing.B) {
	r := newBenchRepo(b)
	services, _, err := r.gw.kong.Services.List(context.Background(), &kong.ListOpt{Size: 1})
	if err != nil || len(services) == 0 {
		b.Fatalf("listing a service: %v", err)
	}
	svc := services[0]
	retries := 100
	r.measure(b, func() {
		b.StopTimer()
		retries++
		svc.Retries = kong.Int(retries)
		if _, err := r.gw.kong.Services.Update(context.Background(), svc); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := Backup(context.Background(), r.env.Env, BackupOptions{All: true})
		if err != nil {
			b.Fatal(err)
		}
		if got := rep.Results[0]; got.Status != report.Completed || got.Summary != "bench: 1 service changed" {
			b.Fatalf("backup: %s %q (%s), want completed, 1 service changed", got.Status, got.Summary, got.Reason)
		}
	})
}

// BenchmarkDiff100k is `kongsnap diff` of a 100,000-entity gateway against its branch, with no drift: issue 17
// wants it within 1.2× BenchmarkDump100k.
func BenchmarkDiff100k(b *testing.B) {
	r := newBenchRepo(b)
	r.measure(b, func() {
		res, err := Diff(context.Background(), r.env.Env, DiffOptions{Connection: "bench"})
		if err != nil || res.Drift {
			b.Fatalf("diff: %v, drift %v", err, res != nil && res.Drift)
		}
	})
}

// BenchmarkDriftCheck100k is `kongsnap drift` of a 100,000-entity gateway that matches its branch: issue 17 wants
// it within 1.2× BenchmarkDump100k.
func BenchmarkDriftCheck100k(b *testing.B) {
	r := newBenchRepo(b)
	r.measure(b, func() {
		rep, err := Drift(context.Background(), r.env.Env, DriftOptions{All: true, RenderDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if got := rep.Results[0]; got.Status != report.Unchanged {
			b.Fatalf("drift: %s (%s), want no drift", got.Status, got.Reason)
		}
	})
}

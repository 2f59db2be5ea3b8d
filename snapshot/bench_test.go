package snapshot

import (
	"fmt"
	"testing"

	"github.com/kong/go-kong/kong"
)

// largeSnapshot generates n services, each with a route, a route plugin and a consumer holding a key-auth
// credential: 5n entities.
func largeSnapshot(b testing.TB, n int) *Snapshot {
	b.Helper()
	s := &Snapshot{}
	for i := range n {
		svc, route, consumer := fmt.Sprintf("10000000-0000-4000-8000-%012d", i),
			fmt.Sprintf("20000000-0000-4000-8000-%012d", i), fmt.Sprintf("30000000-0000-4000-8000-%012d", i)
		s.Services = append(s.Services, &kong.Service{ID: kong.String(svc), Name: kong.String(fmt.Sprintf("svc-%d", i)),
			Host: kong.String("upstream.internal"), Port: kong.Int(80), Protocol: kong.String("http")})
		s.Routes = append(s.Routes, &kong.Route{ID: kong.String(route), Name: kong.String(fmt.Sprintf("route-%d", i)),
			Paths: kong.StringSlice(fmt.Sprintf("/r%d", i)), Service: &kong.Service{ID: kong.String(svc)}})
		s.Plugins = append(s.Plugins, &kong.Plugin{ID: kong.String(fmt.Sprintf("40000000-0000-4000-8000-%012d", i)),
			Name: kong.String("rate-limiting"), Route: &kong.Route{ID: kong.String(route)},
			Config: config(b, `{"minute":20,"policy":"local"}`)})
		s.Consumers = append(s.Consumers, &kong.Consumer{ID: kong.String(consumer), Username: kong.String(fmt.Sprintf("user-%d", i))})
		s.KeyAuths = append(s.KeyAuths, &kong.KeyAuth{ID: kong.String(fmt.Sprintf("50000000-0000-4000-8000-%012d", i)),
			Key: kong.String(fmt.Sprintf("secret-%d", i)), Consumer: &kong.Consumer{ID: kong.String(consumer)}})
	}
	return s
}

func BenchmarkWrite(b *testing.B) {
	s := largeSnapshot(b, 2000)
	opts := WriteOptions{Keyring: testRing(b, 1)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(s, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Len()*b.N)/b.Elapsed().Seconds(), "entities/s")
}

func BenchmarkRead(b *testing.B) {
	s := largeSnapshot(b, 2000)
	files, err := Write(s, WriteOptions{Keyring: testRing(b, 1)})
	if err != nil {
		b.Fatal(err)
	}
	opts := ReadOptions{Keyring: testRing(b, 1)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(files, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Len()*b.N)/b.Elapsed().Seconds(), "entities/s")
}

// BenchmarkDifferingEntries is a changed backup's summary step: two snapshots of 100,000 entities that differ in
// one service, split into entries and paired.
func BenchmarkDifferingEntries(b *testing.B) {
	s := largeSnapshot(b, 20000)
	opts := WriteOptions{Keyring: testRing(b, 1)}
	old, err := Write(s, opts)
	if err != nil {
		b.Fatal(err)
	}
	s.Services[len(s.Services)/2].Retries = kong.Int(9)
	changed, err := Write(s, opts)
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for _, content := range changed {
		size += len(content)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, newPart, ok := DifferingEntries(old, changed); !ok || len(newPart) != 1 {
			b.Fatalf("DifferingEntries: ok %v, %d new files; want true, 1", ok, len(newPart))
		}
	}
}

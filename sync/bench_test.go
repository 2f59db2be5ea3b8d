package sync

import (
	"context"
	"fmt"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// large builds a gateway of n entities (a multiple of five), each group of five a service, a route on it, a
// key-auth plugin on the route, a consumer and its key-auth credential.
func large(n int) *snapshot.Snapshot {
	s := &snapshot.Snapshot{}
	id := func(kind, i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012d", kind, i) }
	for i := 0; i < n/5; i++ {
		svcID, routeID, consumerID := id(1, i), id(2, i), id(3, i)
		s.Services = append(s.Services, &kong.Service{ID: kong.String(svcID), Name: kong.String(fmt.Sprintf("svc-%d", i)),
			Host: kong.String(fmt.Sprintf("svc-%d.internal", i)), Port: kong.Int(80), Protocol: kong.String("http")})
		s.Routes = append(s.Routes, &kong.Route{ID: kong.String(routeID), Name: kong.String(fmt.Sprintf("route-%d", i)),
			Paths: []*string{kong.String(fmt.Sprintf("/svc-%d", i))}, Service: &kong.Service{ID: kong.String(svcID)}})
		s.Plugins = append(s.Plugins, &kong.Plugin{ID: kong.String(id(4, i)), Name: kong.String("key-auth"),
			Route: &kong.Route{ID: kong.String(routeID)}})
		s.Consumers = append(s.Consumers, &kong.Consumer{ID: kong.String(consumerID), Username: kong.String(fmt.Sprintf("user-%d", i))})
		s.KeyAuths = append(s.KeyAuths, &kong.KeyAuth{ID: kong.String(id(5, i)), Key: kong.String(fmt.Sprintf("key-%d", i)),
			Consumer: &kong.Consumer{ID: kong.String(consumerID)}})
	}
	return s
}

func BenchmarkRestore10k(b *testing.B) {
	target := large(10_000)
	for b.Loop() {
		b.StopTimer()
		s := newSim(b, nil)
		b.StartTimer()
		plan, err := NewPlan(s.read(b), target, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Apply(context.Background(), s.gw, plan, ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConverge10k is a whole restore into an empty gateway as kongsnap restore runs it: read live, plan,
// validate every entity with the gateway, apply, read again and verify.
func BenchmarkConverge10k(b *testing.B) {
	target := large(10_000)
	for b.Loop() {
		b.StopTimer()
		s := newSim(b, nil)
		b.StartTimer()
		conv, err := Converge(context.Background(), s.gw, target, ConvergeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if conv.Status != Converged {
			b.Fatalf("status %s", conv.Status)
		}
	}
}

func BenchmarkNoopRestore100k(b *testing.B) {
	current, target := large(100_000), large(100_000)
	for b.Loop() {
		plan, err := NewPlan(current, target, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if !plan.Empty() {
			b.Fatalf("plan of identical gateways: %s", plan.Summary())
		}
	}
}

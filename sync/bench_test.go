package sync

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway"
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

// BenchmarkApplyPerOperation is the client's own cost of one create as Apply sends it (the operation's request
// written, its answer read), against a gateway that answers every request at once, so kongsim's work is left
// out: ns/operation and allocs/operation. A restore of 10,000 entities is 10,000 of these and as many
// validations (BenchmarkValidatePerEntity).
func BenchmarkApplyPerOperation(b *testing.B) {
	gw := instantGateway(b)
	plan, err := NewPlan(&snapshot.Snapshot{}, large(1000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	perOperation(b, len(plan.Operations), func() error {
		_, err := Apply(context.Background(), gw, plan, ApplyOptions{})
		return err
	})
}

// BenchmarkValidatePerEntity is the client's own cost of one validation request as Validate sends it, as
// BenchmarkApplyPerOperation measures a write.
func BenchmarkValidatePerEntity(b *testing.B) {
	gw := instantGateway(b)
	plan, err := NewPlan(&snapshot.Snapshot{}, large(1000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	perOperation(b, len(plan.Operations), func() error {
		_, err := Validate(context.Background(), gw, plan, ValidateOptions{})
		return err
	})
}

// perOperation runs run, which does n operations, b.N times and reports the time and allocations of one.
func perOperation(b *testing.B, n int, run func() error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ops := 0
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
		ops += n
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ops), "ns/operation")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(ops), "allocs/operation")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(ops), "B/operation")
}

// instantGateway is a client of a gateway that answers GET / as Kong 3.9 and every other request with 200 and
// an empty object, reading nothing but the request.
func instantGateway(b *testing.B) *gateway.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/" {
			_, _ = io.WriteString(w, `{"version":"3.9.1"}`)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	b.Cleanup(srv.Close)
	gw, err := gateway.Open(context.Background(), gateway.Connection{Name: "bench", AdminURL: srv.URL, Retries: -1})
	if err != nil {
		b.Fatal(err)
	}
	return gw
}

// BenchmarkPlanIntoEmpty10k is the planning of a restore of 10,000 entities into an empty gateway: the step
// between loading the snapshot and the first validation request, when the gateway waits.
func BenchmarkPlanIntoEmpty10k(b *testing.B) {
	target := large(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewPlan(&snapshot.Snapshot{}, target, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

package diff

import (
	"fmt"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// benchSnapshot builds a gateway of 5*n entities: n each of services, routes, consumers, key-auth credentials and
// route plugins.
func benchSnapshot(n int) *snapshot.Snapshot {
	snap := &snapshot.Snapshot{}
	for i := range n {
		svc, route, consumer := fmt.Sprintf("svc-%06d", i), fmt.Sprintf("route-%06d", i), fmt.Sprintf("consumer-%06d", i)
		snap.Services = append(snap.Services, &kong.Service{ID: s("id-" + svc), Name: s(svc), Host: s(svc + ".internal"),
			Port: n80(), Protocol: s("http"), Retries: kong.Int(5), ConnectTimeout: kong.Int(60000), Tags: strs("team-a", "env-prod")})
		snap.Routes = append(snap.Routes, &kong.Route{ID: s("id-" + route), Name: s(route), Paths: strs("/" + route),
			Methods: strs("GET", "POST"), Protocols: strs("http", "https"), StripPath: b(true), Service: &kong.Service{ID: s("id-" + svc)}})
		snap.Consumers = append(snap.Consumers, &kong.Consumer{ID: s("id-" + consumer), Username: s(consumer)})
		snap.KeyAuths = append(snap.KeyAuths, &kong.KeyAuth{ID: s("id-ka-" + consumer), Key: s("key-" + consumer),
			Consumer: &kong.Consumer{ID: s("id-" + consumer)}})
		snap.Plugins = append(snap.Plugins, &kong.Plugin{ID: s("id-plugin-" + route), Name: s("rate-limiting"),
			Route: &kong.Route{ID: s("id-" + route)}, Enabled: b(true), Protocols: strs("grpc", "grpcs", "http", "https"),
			Config: kong.Configuration{"minute": 5, "policy": "local", "limit_by": "consumer", "hour": nil}})
	}
	return snap
}

func n80() *int { return kong.Int(80) }

// BenchmarkCompare compares two 100,000-entity snapshots that differ in 1% of their entities: changed services and
// plugins, renamed routes, removed routes with their plugins, added consumers.
func BenchmarkCompare(b *testing.B) {
	const perKind = 20000
	current, target := benchSnapshot(perKind), benchSnapshot(perKind)
	for i := 0; i < 16000; i += 100 {
		target.Services[i].Port = kong.Int(8080)
		target.Plugins[i+1].Config["minute"] = 10
		target.Routes[i+2].Name = s("renamed")
	}
	target.Routes, target.Plugins = target.Routes[:perKind-200], target.Plugins[:perKind-200]
	for i := range 200 {
		target.Consumers = append(target.Consumers, &kong.Consumer{ID: s(fmt.Sprintf("new-%d", i)), Username: s(fmt.Sprintf("new-%d", i))})
	}
	want := Compare(current, target, Options{}).Summary()
	if want != "200 consumers added, 160 services changed, 200 routes removed, 160 routes changed, 200 plugins removed, 160 plugins changed" {
		b.Fatalf("unexpected fixture: %s", want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		Compare(current, target, Options{})
	}
}

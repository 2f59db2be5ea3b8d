package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
)

func TestLookup(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	fixture := richGateway(t)
	live := create(t, c, fixture)
	other := kong.String(uuid(9, 9))
	ref := func(n int) *string { return kong.String(uuid(1, n)) }
	consumer := &kong.Consumer{ID: ref(3)}
	caCert := fixture[1].(*kong.CACertificate).Cert
	tests := []struct {
		name  string
		probe any
		want  string // id of the live entity, "" for none
	}{
		{name: "service name", probe: &kong.Service{ID: other, Name: kong.String("orders")}, want: uuid(1, 7)},
		{name: "service miss", probe: &kong.Service{ID: other, Name: kong.String("billing")}},
		{name: "route name", probe: &kong.Route{Name: kong.String("orders-route")}, want: uuid(1, 16)},
		{name: "consumer username", probe: &kong.Consumer{ID: other, Username: kong.String("alice")}, want: uuid(1, 3)},
		{name: "consumer custom_id", probe: &kong.Consumer{Username: kong.String("al"), CustomID: kong.String("a-1")}, want: uuid(1, 3)},
		{name: "consumer miss", probe: &kong.Consumer{Username: kong.String("al"), CustomID: kong.String("a-2")}},
		{name: "global plugin", probe: &kong.Plugin{Name: kong.String("correlation-id")}, want: uuid(1, 18)},
		{name: "service plugin", probe: &kong.Plugin{Name: kong.String("rate-limiting"), Service: &kong.Service{ID: ref(7)}}, want: uuid(1, 19)},
		{name: "route plugin", probe: &kong.Plugin{Name: kong.String("rate-limiting"), Route: &kong.Route{ID: ref(16)}}, want: uuid(1, 20)},
		{name: "consumer plugin", probe: &kong.Plugin{Name: kong.String("rate-limiting"), Consumer: consumer}, want: uuid(1, 21)},
		{name: "plugin in another scope", probe: &kong.Plugin{Name: kong.String("rate-limiting")}},
		{name: "plugin scoped wider", probe: &kong.Plugin{Name: kong.String("rate-limiting"), Service: &kong.Service{ID: ref(7)}, Consumer: consumer}},
		{name: "upstream name", probe: &kong.Upstream{Name: kong.String("orders.upstream")}, want: uuid(1, 8)},
		{name: "target", probe: &kong.Target{ID: other, Target: kong.String("10.0.0.1:80"), Upstream: &kong.Upstream{ID: ref(8)}}, want: uuid(1, 17)},
		{name: "target default port", probe: &kong.Target{Target: kong.String("10.0.0.1"), Upstream: &kong.Upstream{ID: ref(8)}}},
		{name: "certificate id", probe: &kong.Certificate{ID: ref(1)}, want: uuid(1, 1)},
		{name: "sni name", probe: &kong.SNI{Name: kong.String("api.test")}, want: uuid(1, 6)},
		{name: "ca certificate digest", probe: &kong.CACertificate{ID: other, Cert: caCert}, want: uuid(1, 2)},
		{name: "vault prefix", probe: &kong.Vault{Prefix: kong.String("my-env")}, want: uuid(1, 4)},
		{name: "key set name", probe: &kong.KeySet{Name: kong.String("set")}, want: uuid(1, 5)},
		{name: "key name", probe: &kong.Key{Name: kong.String("k1")}, want: uuid(1, 9)},
		{name: "key kid in set", probe: &kong.Key{Name: kong.String("k2"), KID: kong.String("kid-1"), Set: &kong.KeySet{ID: ref(5)}}, want: uuid(1, 9)},
		{name: "key kid outside the set", probe: &kong.Key{Name: kong.String("k2"), KID: kong.String("kid-1")}},
		{name: "key-auth key", probe: &kong.KeyAuth{Key: kong.String("alice-key-secret")}, want: uuid(1, 10)},
		{name: "basic-auth username", probe: &kong.BasicAuth{Username: kong.String("alice-basic")}, want: uuid(1, 11)},
		{name: "hmac-auth username", probe: &kong.HMACAuth{Username: kong.String("alice-hmac")}, want: uuid(1, 12)},
		{name: "jwt key", probe: &kong.JWTAuth{Key: kong.String("alice-jwt")}, want: uuid(1, 13)},
		{name: "acl group of the consumer", probe: &kong.ACLGroup{Group: kong.String("admins"), Consumer: consumer}, want: uuid(1, 14)},
		{name: "oauth2 client_id", probe: &kong.Oauth2Credential{ClientID: kong.String("client-1")}, want: uuid(1, 15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ResetRequests()
			found, err := c.Lookup(context.Background(), tt.probe)
			if tt.want == "" {
				if !errors.Is(err, gateway.ErrNotFound) || found != nil {
					t.Fatalf("Lookup = %+v, %v; want ErrNotFound", found, err)
				}
			} else {
				if err != nil {
					t.Fatalf("Lookup: %v", err)
				}
				if snapshot.KindOf(found) != snapshot.KindOf(tt.probe) || snapshot.ID(found) != tt.want {
					t.Fatalf("Lookup found %s, want %s %s", snapshot.Describe(found), snapshot.KindOf(tt.probe), tt.want)
				}
				if !containsEntity(live, found) {
					t.Errorf("Lookup returned an entity Create never stored")
				}
			}
			if n := methods(s); len(n) != 1 || n[http.MethodGet] == 0 {
				t.Errorf("Lookup sent %v; want GET requests only", n)
			}
		})
	}
}

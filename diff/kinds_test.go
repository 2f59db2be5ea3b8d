package diff

import (
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// entityCase builds one entity of a kind in two versions that differ in one non-secret field.
type entityCase struct {
	kind     snapshot.Kind
	make     func(version int) any
	identity string
	field    string // the line Compare prints for the differing field
}

func entityCases() []entityCase {
	return []entityCase{
		{snapshot.KindCertificate, func(v int) any {
			return &kong.Certificate{ID: s("cert-x"), Cert: s(otherPEM), Key: s("k"), Tags: strs([]string{"a", "b"}[v])}
		}, "certificate cert-x", `  tags changed: ["a"] -> ["b"]`},
		{snapshot.KindCACertificate, func(v int) any {
			return &kong.CACertificate{ID: s("ca-x"), Cert: s(otherPEM), Tags: strs([]string{"a", "b"}[v])}
		}, "CA certificate ca-x", `  tags changed: ["a"] -> ["b"]`},
		{snapshot.KindConsumer, func(v int) any {
			return &kong.Consumer{ID: s("c-x"), Username: s("bob"), CustomID: s([]string{"b1", "b2"}[v])}
		}, `consumer "bob"`, `  custom_id changed: "b1" -> "b2"`},
		{snapshot.KindVault, func(v int) any {
			return &kong.Vault{ID: s("v-x"), Name: s("env"), Prefix: s("my-env"), Description: s([]string{"one", "two"}[v])}
		}, `vault "my-env"`, `  description changed: "one" -> "two"`},
		{snapshot.KindKeySet, func(v int) any {
			return &kong.KeySet{ID: s("ks-x"), Name: s("other-set"), Tags: strs([]string{"a", "b"}[v])}
		}, `key set "other-set"`, `  tags changed: ["a"] -> ["b"]`},
		{snapshot.KindSNI, func(v int) any {
			return &kong.SNI{ID: s("sni-x"), Name: s("example.com"), Certificate: &kong.Certificate{ID: s("cert-1")},
				Tags: strs([]string{"a", "b"}[v])}
		}, `SNI "example.com"`, `  tags changed: ["a"] -> ["b"]`},
		{snapshot.KindService, func(v int) any {
			return &kong.Service{ID: s("s-x"), Name: s("orders"), Host: s("orders.internal"), Port: n(8080 + v)}
		}, `service "orders"`, `  port changed: 8080 -> 8081`},
		{snapshot.KindUpstream, func(v int) any {
			return &kong.Upstream{ID: s("u-x"), Name: s("orders-up"), Slots: n(100 + v)}
		}, `upstream "orders-up"`, `  slots changed: 100 -> 101`},
		{snapshot.KindKey, func(v int) any {
			return &kong.Key{ID: s("k-x"), KID: s("kid-1"), Name: s("signing"), Set: &kong.KeySet{ID: s("ks-1")},
				PEM: &kong.PEM{PublicKey: s([]string{"pub-1", "pub-2"}[v]), PrivateKey: s("private")}}
		}, `key "signing" in key set "jwks"`, `  pem.public_key changed: "pub-1" -> "pub-2"`},
		{snapshot.KindKeyAuth, func(v int) any {
			return &kong.KeyAuth{ID: s("ka-x"), Key: s("ka-secret"), Consumer: &kong.Consumer{ID: s("c-1")},
				TTL: n(60 + v)}
		}, `key-auth credential ka-x of consumer "alice"`, `  ttl changed: 60 -> 61`},
		{snapshot.KindBasicAuth, func(v int) any {
			return &kong.BasicAuth{ID: s("ba-x"), Username: s("alice-ba"), Password: s("hash"),
				Consumer: &kong.Consumer{ID: s("c-1")}, Tags: strs([]string{"a", "b"}[v])}
		}, `basic-auth credential "alice-ba" of consumer "alice"`, `  tags changed: ["a"] -> ["b"]`},
		{snapshot.KindHMACAuth, func(v int) any {
			return &kong.HMACAuth{ID: s("ha-x"), Username: s("alice-hmac"), Secret: s("hmac-secret"),
				Consumer: &kong.Consumer{ID: s("c-1")}, Tags: strs([]string{"a", "b"}[v])}
		}, `hmac-auth credential "alice-hmac" of consumer "alice"`, `  tags changed: ["a"] -> ["b"]`},
		{snapshot.KindJWT, func(v int) any {
			return &kong.JWTAuth{ID: s("jwt-x"), Key: s("issuer"), Secret: s("jwt-secret"),
				Consumer: &kong.Consumer{ID: s("c-1")}, Algorithm: s([]string{"HS256", "HS512"}[v])}
		}, `jwt credential "issuer" of consumer "alice"`, `  algorithm changed: "HS256" -> "HS512"`},
		{snapshot.KindACL, func(v int) any {
			return &kong.ACLGroup{ID: s("acl-x"), Group: s("admins"), Consumer: &kong.Consumer{ID: s("c-1")},
				Tags: strs([]string{"a", "b"}[v])}
		}, `acl group "admins" of consumer "alice"`, `  tags changed: ["a"] -> ["b"]`},
		{snapshot.KindOAuth2, func(v int) any {
			return &kong.Oauth2Credential{ID: s("o-x"), Name: s("app"), ClientID: s("client-1"),
				ClientSecret: s("oauth-secret"), Consumer: &kong.Consumer{ID: s("c-1")},
				RedirectURIs: strs([]string{"https://a.example", "https://b.example"}[v])}
		}, `oauth2 credential "client-1" of consumer "alice"`,
			`  redirect_uris[0] changed: "https://a.example" -> "https://b.example"`},
		{snapshot.KindRoute, func(v int) any {
			return &kong.Route{ID: s("r-x"), Name: s("refunds"), Service: &kong.Service{ID: s("s-1")},
				StripPath: b(v == 0)}
		}, `route "refunds"`, `  strip_path changed: true -> false`},
		{snapshot.KindTarget, func(v int) any {
			return &kong.Target{ID: s("t-x"), Target: s("10.0.0.1:8000"), Upstream: &kong.Upstream{ID: s("u-1")},
				Weight: n(100 - v*50)}
		}, `target "10.0.0.1:8000" on upstream "billing-up"`, `  weight changed: 100 -> 50`},
		{snapshot.KindPlugin, func(v int) any {
			return &kong.Plugin{ID: s("p-x"), Name: s("rate-limiting"), Route: &kong.Route{ID: s("r-1")},
				Config: kong.Configuration{"minute": 5 + 5*v, "policy": "local"}}
		}, `plugin "rate-limiting" on route "orders"`, `  config.minute changed: 5 -> 10`},
	}
}

func TestCompareEveryKind(t *testing.T) {
	cases := entityCases()
	if len(cases) != len(snapshot.Kinds) {
		t.Fatalf("the table covers %d kinds, the model has %d", len(cases), len(snapshot.Kinds))
	}
	for _, tc := range cases {
		for _, action := range []struct {
			name            string
			current, target *snapshot.Snapshot
			want            string
		}{
			{"added", base(), with(tc.make(0)), lines("added " + string(tc.kind) + " " + tc.identity)},
			{"removed", with(tc.make(0)), base(), lines("removed " + string(tc.kind) + " " + tc.identity)},
			{"changed", with(tc.make(0)), with(tc.make(1)), lines("changed "+string(tc.kind)+" "+tc.identity, tc.field)},
			{"unchanged", with(tc.make(0)), with(tc.make(0)), ""},
		} {
			t.Run(string(tc.kind)+"/"+action.name, func(t *testing.T) {
				got := render(Compare(action.current, action.target, Options{}))
				if got != action.want {
					t.Errorf("got:\n%s\nwant:\n%s", got, action.want)
				}
			})
		}
	}
}

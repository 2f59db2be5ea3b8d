package diff

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

func plugin(id string, mutate func(p *kong.Plugin)) *kong.Plugin {
	p := &kong.Plugin{ID: s(id), Name: s("rate-limiting"), Config: kong.Configuration{"minute": 5}}
	if mutate != nil {
		mutate(p)
	}
	return p
}

func onRoute(p *kong.Plugin)    { p.Route = &kong.Route{ID: s("r-1")} }
func onService(p *kong.Plugin)  { p.Service = &kong.Service{ID: s("s-1")} }
func onConsumer(p *kong.Plugin) { p.Consumer = &kong.Consumer{ID: s("c-1")} }

func TestCompare(t *testing.T) {
	tests := []struct {
		name            string
		current, target *snapshot.Snapshot
		opts            Options
		want            string
	}{
		{
			name:    "plugin moved from a route to global",
			current: with(plugin("p-1", onRoute)),
			target:  with(plugin("p-1", nil)),
			want: lines(`changed plugins plugin "rate-limiting" (global) [scope changed]`,
				`  scope changed: "route \"orders\"" -> "global"`),
		},
		{
			name:    "global plugin scoped to a service",
			current: with(plugin("p-1", nil)),
			target:  with(plugin("p-1", onService)),
			want: lines(`changed plugins plugin "rate-limiting" on service "billing" [scope changed]`,
				`  scope changed: "global" -> "service \"billing\""`),
		},
		{
			name:    "consumer added to a service plugin's scope",
			current: with(plugin("p-1", onService)),
			target:  with(plugin("p-1", func(p *kong.Plugin) { onService(p); onConsumer(p) })),
			want: lines(`changed plugins plugin "rate-limiting" on service "billing", consumer "alice" [scope changed]`,
				`  scope changed: "service \"billing\"" -> "service \"billing\", consumer \"alice\""`),
		},
		{
			name:    "plugin recreated in another scope is removed and added, never matched across scopes",
			current: with(plugin("p-1", onRoute)),
			target:  with(plugin("p-2", nil)),
			want: lines(`added plugins plugin "rate-limiting" (global)`,
				`removed plugins plugin "rate-limiting" on route "orders"`),
		},
		{
			name:    "scope change with other field changes",
			current: with(plugin("p-1", onRoute)),
			target:  with(plugin("p-1", func(p *kong.Plugin) { onService(p); p.Config["minute"] = 6 })),
			want: lines(`changed plugins plugin "rate-limiting" on service "billing" [scope changed]`,
				`  config.minute changed: 5 -> 6`,
				`  scope changed: "route \"orders\"" -> "service \"billing\""`),
		},
		{
			name:    "renamed service: same id, new name; its route does not change",
			current: base(),
			target: func() *snapshot.Snapshot {
				snap := base()
				snap.Services[0].Name = s("payments")
				return snap
			}(),
			want: lines(`changed services service "payments"`, `  name changed: "billing" -> "payments"`),
		},
		{
			name:    "route moved to another service renders the reference by name",
			current: with(&kong.Service{ID: s("s-2"), Name: s("orders-svc"), Host: s("o")}),
			target: func() *snapshot.Snapshot {
				snap := with(&kong.Service{ID: s("s-2"), Name: s("orders-svc"), Host: s("o")})
				snap.Routes[0].Service = &kong.Service{ID: s("s-2")}
				return snap
			}(),
			want: lines(`changed routes route "orders"`, `  service changed: "billing" -> "orders-svc"`),
		},
		{
			name:    "recreated service and route: new ids, same names; the plugin on them still matches",
			current: with(plugin("p-1", onRoute)),
			target: func() *snapshot.Snapshot {
				snap := base()
				snap.Services[0].ID = s("s-new")
				snap.Routes[0].ID = s("r-new")
				snap.Routes[0].Service = &kong.Service{ID: s("s-new")}
				snap.Plugins = append(snap.Plugins, plugin("p-new", func(p *kong.Plugin) { p.Route = &kong.Route{ID: s("r-new")} }))
				return snap
			}(),
			want: lines(`changed services service "billing"`, `  id changed: "s-1" -> "s-new"`,
				`changed routes route "orders"`, `  id changed: "r-1" -> "r-new"`,
				`changed plugins plugin "rate-limiting" on route "orders"`, `  id changed: "p-1" -> "p-new"`),
		},
		{
			name:    "target without ids matches by name and references by name",
			current: with(plugin("p-1", onRoute), &kong.KeyAuth{ID: s("ka-1"), Key: s("k1"), Consumer: &kong.Consumer{ID: s("c-1")}}),
			target: &snapshot.Snapshot{
				Certificates:   []*kong.Certificate{{Cert: s(testPEM), Key: s("cert-key-secret")}},
				CACertificates: []*kong.CACertificate{{Cert: s(testPEM)}},
				Consumers:      []*kong.Consumer{{Username: s("alice")}},
				KeySets:        []*kong.KeySet{{Name: s("jwks")}},
				Services:       []*kong.Service{{Name: s("billing"), Host: s("billing.internal"), Port: n(80)}},
				Upstreams:      []*kong.Upstream{{Name: s("billing-up")}},
				Routes:         []*kong.Route{{Name: s("orders"), Paths: strs("/orders"), Service: &kong.Service{Name: s("billing")}}},
				KeyAuths:       []*kong.KeyAuth{{Key: s("k1"), Consumer: &kong.Consumer{Username: s("alice")}}},
				Plugins: []*kong.Plugin{{Name: s("rate-limiting"), Route: &kong.Route{Name: s("orders")},
					Config: kong.Configuration{"minute": 5}}},
			},
			want: "",
		},
		{
			name:    "target without ids still reports real differences",
			current: base(),
			target: &snapshot.Snapshot{
				Certificates:   []*kong.Certificate{{Cert: s(testPEM), Key: s("cert-key-secret")}},
				CACertificates: []*kong.CACertificate{{Cert: s(testPEM)}},
				Consumers:      []*kong.Consumer{{Username: s("alice")}},
				KeySets:        []*kong.KeySet{{Name: s("jwks")}},
				Services:       []*kong.Service{{Name: s("billing"), Host: s("billing.internal"), Port: n(81)}},
				Upstreams:      []*kong.Upstream{{Name: s("billing-up")}},
				Routes:         []*kong.Route{{Name: s("orders"), Paths: strs("/orders")}},
			},
			want: lines(`changed services service "billing"`, `  port changed: 80 -> 81`,
				`changed routes route "orders"`, `  service removed: "billing" -> -`),
		},
		{
			name: "consumer matched by custom_id when it has no username",
			current: &snapshot.Snapshot{Consumers: []*kong.Consumer{
				{ID: s("c-1"), CustomID: s("cust-1"), Tags: strs("old")}}},
			target: &snapshot.Snapshot{Consumers: []*kong.Consumer{{CustomID: s("cust-1"), Tags: strs("new")}}},
			want:   lines(`changed consumers consumer "cust-1"`, `  tags changed: ["old"] -> ["new"]`),
		},
		{
			name: "natural-key collision: a rename takes the name another entity had",
			current: &snapshot.Snapshot{Services: []*kong.Service{
				{ID: s("s-1"), Name: s("a"), Host: s("h")}, {ID: s("s-2"), Name: s("b"), Host: s("h")}}},
			target: &snapshot.Snapshot{Services: []*kong.Service{{ID: s("s-2"), Name: s("a"), Host: s("h")}}},
			want: lines(`removed services service "a"`,
				`changed services service "a"`, `  name changed: "b" -> "a"`),
		},
		{
			name:    "set fields ignore order and duplicates, arrays keep order",
			current: with(&kong.Route{ID: s("r-2"), Name: s("r2"), Methods: strs("GET", "POST"), Tags: strs("b", "a"), Paths: strs("/a", "/b")}),
			target:  with(&kong.Route{ID: s("r-2"), Name: s("r2"), Methods: strs("POST", "GET", "GET"), Tags: strs("a", "b"), Paths: strs("/b", "/a")}),
			want: lines(`changed routes route "r2"`,
				`  paths[0] changed: "/a" -> "/b"`, `  paths[1] changed: "/b" -> "/a"`),
		},
		{
			name:    "list index paths: added and removed elements, ordered by number",
			current: with(&kong.Route{ID: s("r-2"), Name: s("r2"), Paths: strs("/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9", "/10", "/11")}),
			target:  with(&kong.Route{ID: s("r-2"), Name: s("r2"), Paths: strs("/0", "/1", "/x", "/3", "/4", "/5", "/6", "/7", "/8", "/9", "/10")}),
			want: lines(`changed routes route "r2"`,
				`  paths[2] changed: "/2" -> "/x"`, `  paths[11] removed: "/11" -> -`),
		},
		{
			name:    "nested config paths",
			current: with(plugin("p-1", func(p *kong.Plugin) { p.Config = kong.Configuration{"limits": map[string]any{"minute": 5}} })),
			target: with(plugin("p-1", func(p *kong.Plugin) {
				p.Config = kong.Configuration{"limits": map[string]any{"minute": 10, "hour": 100}, "rules": []any{map[string]any{"a": 1}}}
			})),
			want: lines(`changed plugins plugin "rate-limiting" (global)`,
				`  config.limits.hour added: - -> 100`, `  config.limits.minute changed: 5 -> 10`,
				`  config.rules added: - -> [{"a":1}]`),
		},
		{
			name:    "null, empty list, empty object and absent are alike; timestamps are noise",
			current: with(&kong.Service{ID: s("s-2"), Name: s("x"), Host: s("h"), Tags: []*string{}, CreatedAt: n(1)}, plugin("p-1", func(p *kong.Plugin) { p.Config["redis"] = nil; p.Config["headers"] = []any{} })),
			target:  with(&kong.Service{ID: s("s-2"), Name: s("x"), Host: s("h"), CreatedAt: n(2), UpdatedAt: n(3)}, plugin("p-1", func(p *kong.Plugin) { p.Config["redis"] = map[string]any{} })),
			want:    "",
		},
		{
			name:    "a reference by name to a parent the target lacks matches the current parent's name",
			current: base(),
			target: &snapshot.Snapshot{
				Routes: []*kong.Route{{Name: s("orders"), Paths: strs("/orders"), Service: &kong.Service{Name: s("billing")}}},
			},
			want: lines(`removed certificates certificate cert-1`, `removed ca_certificates CA certificate ca-1`,
				`removed consumers consumer "alice"`, `removed key_sets key set "jwks"`,
				`removed services service "billing"`, `removed upstreams upstream "billing-up"`),
		},
		{
			name:    "a dangling reference compares as written",
			current: with(&kong.Route{ID: s("r-2"), Name: s("r2"), Service: &kong.Service{ID: s("gone")}}),
			target:  with(&kong.Route{ID: s("r-2"), Name: s("r2"), Service: &kong.Service{ID: s("gone")}, Hosts: strs("h")}),
			want:    lines(`changed routes route "r2"`, `  hosts added: - -> ["h"]`),
		},
		{
			name:    "service ca_certificates render by id",
			current: with(),
			target: func() *snapshot.Snapshot {
				snap := base()
				snap.Services[0].CACertificates = strs("ca-1")
				return snap
			}(),
			want: lines(`changed services service "billing"`, `  ca_certificates added: - -> ["ca-1"]`),
		},
		{
			name:    "recreated CA certificate matches by digest",
			current: base(),
			target: func() *snapshot.Snapshot {
				snap := base()
				snap.CACertificates[0].ID = s("ca-new")
				return snap
			}(),
			want: lines(`changed ca_certificates CA certificate ca-new`, `  id changed: "ca-1" -> "ca-new"`),
		},
		{
			name:    "nil snapshots are empty",
			current: nil,
			target:  &snapshot.Snapshot{Services: []*kong.Service{{ID: s("s-1"), Name: s("a")}}},
			want:    lines(`added services service "a"`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(Compare(tt.current, tt.target, tt.opts))
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestCompareSecrets(t *testing.T) {
	consumer := &kong.Consumer{ID: s("c-1")}
	tests := []struct {
		name            string
		current, target any
		want            string
	}{
		{
			name:    "key-auth key",
			current: &kong.KeyAuth{ID: s("ka-1"), Key: s("old-key-value"), Consumer: consumer},
			target:  &kong.KeyAuth{ID: s("ka-1"), Key: s("new-key-value"), Consumer: consumer},
			want:    lines(`changed keyauth_credentials key-auth credential ka-1 of consumer "alice"`, `  key changed (secret)`),
		},
		{
			name:    "basic-auth password added",
			current: &kong.BasicAuth{ID: s("ba-1"), Username: s("u"), Consumer: consumer},
			target:  &kong.BasicAuth{ID: s("ba-1"), Username: s("u"), Password: s("new-password-hash"), Consumer: consumer},
			want:    lines(`changed basicauth_credentials basic-auth credential "u" of consumer "alice"`, `  password added (secret)`),
		},
		{
			name:    "certificate key",
			current: &kong.Certificate{ID: s("cert-2"), Cert: s(otherPEM), Key: s("old-private-key")},
			target:  &kong.Certificate{ID: s("cert-2"), Cert: s(otherPEM), Key: s("new-private-key")},
			want:    lines(`changed certificates certificate cert-2`, `  key changed (secret)`),
		},
		{
			name:    "key pem: private key hidden, public key shown",
			current: &kong.Key{ID: s("k-1"), KID: s("kid"), PEM: &kong.PEM{PublicKey: s("pub-a"), PrivateKey: s("old-private-key")}},
			target:  &kong.Key{ID: s("k-1"), KID: s("kid"), PEM: &kong.PEM{PublicKey: s("pub-b"), PrivateKey: s("new-private-key")}},
			want: lines(`changed keys key "kid"`, `  pem.private_key changed (secret)`,
				`  pem.public_key changed: "pub-a" -> "pub-b"`),
		},
		{
			name:    "key pem replaced by a jwk",
			current: &kong.Key{ID: s("k-1"), KID: s("kid"), PEM: &kong.PEM{PrivateKey: s("old-private-key")}},
			target:  &kong.Key{ID: s("k-1"), KID: s("kid"), JWK: s(`{"d":"new-private-key"}`)},
			want: lines(`changed keys key "kid"`, `  jwk added (secret)`,
				`  pem.private_key removed (secret)`),
		},
		{
			name:    "vault config: every value under config",
			current: &kong.Vault{ID: s("v-1"), Name: s("hcv"), Prefix: s("hcv"), Config: kong.Configuration{"token": "old-vault-token"}},
			target: &kong.Vault{ID: s("v-1"), Name: s("hcv"), Prefix: s("hcv"),
				Config: kong.Configuration{"token": "new-vault-token", "auth": map[string]any{"role": "new-role-secret"}}},
			want: lines(`changed vaults vault "hcv"`, `  config.auth.role added (secret)`, `  config.token changed (secret)`),
		},
		{
			name:    "redacted on the target side is unknown, not a change",
			current: &kong.HMACAuth{ID: s("h-1"), Username: s("u"), Secret: s("real-hmac-secret"), Consumer: consumer},
			target:  &kong.HMACAuth{ID: s("h-1"), Username: s("u"), Secret: s(snapshot.Redacted), Consumer: consumer},
			want:    "",
		},
		{
			name:    "redacted on the current side, absent on the target",
			current: &kong.Vault{ID: s("v-1"), Prefix: s("hcv"), Config: kong.Configuration{"token": snapshot.Redacted}},
			target:  &kong.Vault{ID: s("v-1"), Prefix: s("hcv")},
			want:    "",
		},
		{
			name:    "redacted key-auth keys still match by id, and other fields still show",
			current: &kong.KeyAuth{ID: s("ka-1"), Key: s(snapshot.Redacted), Consumer: consumer, TTL: n(5)},
			target:  &kong.KeyAuth{ID: s("ka-1"), Key: s("real-key-value"), Consumer: consumer, TTL: n(6)},
			want:    lines(`changed keyauth_credentials key-auth credential ka-1 of consumer "alice"`, `  ttl changed: 5 -> 6`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes := Compare(with(tt.current), with(tt.target), Options{})
			got := render(changes)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, ch := range changes {
				for _, f := range ch.Fields {
					if f.Secret && (f.From != nil || f.To != nil) {
						t.Errorf("secret field %s carries values", f.Path)
					}
				}
			}
			if strings.Contains(got, "secret") && strings.Contains(got, "-secret\"") || strings.Contains(got, "private-key") ||
				strings.Contains(got, "key-value") || strings.Contains(got, "vault-token") || strings.Contains(got, "password-hash") {
				t.Errorf("a secret value leaked:\n%s", got)
			}
		})
	}
}

func TestCompareIgnore(t *testing.T) {
	current := with(&kong.Service{ID: s("s-2"), Name: s("x"), Host: s("h"), ReadTimeout: n(1), WriteTimeout: n(1), Tags: strs("a")},
		plugin("p-1", func(p *kong.Plugin) { onRoute(p); p.Config["policy"] = "local" }))
	target := with(&kong.Service{ID: s("s-2"), Name: s("x"), Host: s("h"), ReadTimeout: n(2), WriteTimeout: n(2), Tags: strs("b")},
		plugin("p-1", func(p *kong.Plugin) { p.Config["minute"] = 9; p.Config["policy"] = "redis" }))
	tests := []struct {
		name   string
		ignore []Rule
		want   string
	}{
		{
			name: "no rules",
			want: lines(`changed services service "x"`, `  read_timeout changed: 1 -> 2`, `  tags changed: ["a"] -> ["b"]`,
				`  write_timeout changed: 1 -> 2`,
				`changed plugins plugin "rate-limiting" (global) [scope changed]`, `  config.minute changed: 5 -> 9`,
				`  config.policy changed: "local" -> "redis"`, `  scope changed: "route \"orders\"" -> "global"`),
		},
		{
			name:   "glob over a suffix, on one kind",
			ignore: []Rule{{Kind: snapshot.KindService, Path: "*_timeout"}},
			want: lines(`changed services service "x"`, `  tags changed: ["a"] -> ["b"]`,
				`changed plugins plugin "rate-limiting" (global) [scope changed]`, `  config.minute changed: 5 -> 9`,
				`  config.policy changed: "local" -> "redis"`, `  scope changed: "route \"orders\"" -> "global"`),
		},
		{
			name:   "config.* and tags on every kind; a plugin's scope is never ignored",
			ignore: []Rule{{Path: "config.*"}, {Path: "tags"}, {Kind: snapshot.KindService, Path: "read_timeout"}},
			want: lines(`changed services service "x"`, `  write_timeout changed: 1 -> 2`,
				`changed plugins plugin "rate-limiting" (global) [scope changed]`,
				`  scope changed: "route \"orders\"" -> "global"`),
		},
		{
			name:   "a rule on a parent path silences the fields below it",
			ignore: []Rule{{Kind: snapshot.KindPlugin, Path: "config"}, {Kind: snapshot.KindService, Path: "*"}},
			want: lines(`changed plugins plugin "rate-limiting" (global) [scope changed]`,
				`  scope changed: "route \"orders\"" -> "global"`),
		},
		{
			name:   "a rule for another kind does nothing",
			ignore: []Rule{{Kind: snapshot.KindRoute, Path: "*"}, {Kind: snapshot.KindPlugin, Path: "config.minute"}},
			want: lines(`changed services service "x"`, `  read_timeout changed: 1 -> 2`, `  tags changed: ["a"] -> ["b"]`,
				`  write_timeout changed: 1 -> 2`,
				`changed plugins plugin "rate-limiting" (global) [scope changed]`,
				`  config.policy changed: "local" -> "redis"`, `  scope changed: "route \"orders\"" -> "global"`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(Compare(current, target, Options{Ignore: tt.ignore}))
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestCompareDefaults(t *testing.T) {
	defaults := MapDefaults{
		Kinds: map[snapshot.Kind]map[string]any{
			snapshot.KindService: {"protocol": "http", "port": 80, "retries": 5, "enabled": true},
			snapshot.KindPlugin:  {"enabled": true, "protocols": []any{"grpc", "grpcs", "http", "https"}},
		},
		Plugins: map[string]map[string]any{
			"rate-limiting": {"config": map[string]any{"policy": "local", "hour": nil, "redis": map[string]any{"port": 6379}}},
		},
	}
	gateway := with(
		&kong.Service{ID: s("s-2"), Name: s("x"), Host: s("h"), Protocol: s("http"), Port: n(80), Retries: n(5), Enabled: b(true)},
		&kong.Plugin{ID: s("p-1"), Name: s("rate-limiting"), Enabled: b(true), Protocols: strs("https", "http", "grpcs", "grpc"),
			Config: kong.Configuration{"minute": 5, "policy": "local", "hour": nil, "redis": map[string]any{"port": 6379, "host": nil}}},
	)
	file := with(
		&kong.Service{ID: s("s-2"), Name: s("x"), Host: s("h")},
		&kong.Plugin{ID: s("p-1"), Name: s("rate-limiting"), Config: kong.Configuration{"minute": 5}},
	)
	fileWithOtherPort := with(
		&kong.Service{ID: s("s-2"), Name: s("x"), Host: s("h"), Port: n(8080)},
		&kong.Plugin{ID: s("p-1"), Name: s("rate-limiting"), Config: kong.Configuration{"minute": 5, "redis": map[string]any{"port": 6380}}},
	)
	tests := []struct {
		name            string
		current, target *snapshot.Snapshot
		defaults        Defaults
		want            string
	}{
		{name: "file omits defaults the gateway has", current: file, target: gateway, defaults: defaults, want: ""},
		{name: "and the other way round", current: gateway, target: file, defaults: defaults, want: ""},
		{
			name: "without defaults they differ", current: file, target: gateway,
			want: lines(`changed services service "x"`, `  enabled added: - -> true`, `  port added: - -> 80`,
				`  protocol added: - -> "http"`, `  retries added: - -> 5`,
				`changed plugins plugin "rate-limiting" (global)`, `  config.policy added: - -> "local"`,
				`  config.redis.port added: - -> 6379`, `  enabled added: - -> true`,
				`  protocols added: - -> ["grpc","grpcs","http","https"]`),
		},
		{
			name: "a value other than the default still differs", current: gateway, target: fileWithOtherPort, defaults: defaults,
			want: lines(`changed services service "x"`, `  port changed: 80 -> 8080`,
				`changed plugins plugin "rate-limiting" (global)`, `  config.redis.port changed: 6379 -> 6380`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(Compare(tt.current, tt.target, Options{Defaults: tt.defaults}))
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	redis := defaults.Plugins["rate-limiting"]["config"].(map[string]any)["redis"].(map[string]any)
	if port := redis["port"]; port != 6379 {
		t.Errorf("comparing modified the defaults table: config.redis.port is %#v", port)
	}
}

// TestCompareDeterministic shuffles the entities of both snapshots and expects the same output every time.
func TestCompareDeterministic(t *testing.T) {
	build := func() (*snapshot.Snapshot, *snapshot.Snapshot) {
		current, target := base(), base()
		for i, name := range []string{"a", "b", "c", "d", "e", "f"} {
			current.Services = append(current.Services, &kong.Service{ID: s("cs-" + name), Name: s(name), Host: s("h"), Port: n(i)})
			target.Services = append(target.Services, &kong.Service{ID: s("ts-" + name), Name: s(name), Host: s("h"), Port: n(i % 3)})
			current.Routes = append(current.Routes, &kong.Route{Paths: strs("/" + name), Service: &kong.Service{ID: s("cs-" + name)}})
			target.Routes = append(target.Routes, &kong.Route{Paths: strs("/" + name), Service: &kong.Service{Name: s(name)}})
			current.Plugins = append(current.Plugins, plugin("cp-"+name, func(p *kong.Plugin) { p.Service = &kong.Service{ID: s("cs-" + name)} }))
			target.Plugins = append(target.Plugins, plugin("tp-"+name, func(p *kong.Plugin) { p.Service = &kong.Service{Name: s(name)}; p.Enabled = b(i%2 == 0) }))
		}
		return current, target
	}
	current, target := build()
	want := render(Compare(current, target, Options{}))
	if !strings.Contains(want, "changed plugins") || !strings.Contains(want, "added routes") {
		t.Fatalf("the fixture should produce changes of several kinds, got:\n%s", want)
	}
	rng := rand.New(rand.NewSource(1))
	for i := range 20 {
		current, target := build()
		for _, snap := range []*snapshot.Snapshot{current, target} {
			rng.Shuffle(len(snap.Services), func(i, j int) { snap.Services[i], snap.Services[j] = snap.Services[j], snap.Services[i] })
			rng.Shuffle(len(snap.Routes), func(i, j int) { snap.Routes[i], snap.Routes[j] = snap.Routes[j], snap.Routes[i] })
			rng.Shuffle(len(snap.Plugins), func(i, j int) { snap.Plugins[i], snap.Plugins[j] = snap.Plugins[j], snap.Plugins[i] })
		}
		if got := render(Compare(current, target, Options{})); got != want {
			t.Fatalf("shuffle %d gave:\n%s\nwant:\n%s", i, got, want)
		}
	}
}

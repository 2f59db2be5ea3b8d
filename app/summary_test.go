package app

import (
	"bytes"
	"slices"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// named returns the entity of list whose name (snapshot.Name) is name.
func named[T any](t *testing.T, list []*T, name string) *T {
	t.Helper()
	for _, e := range list {
		if snapshot.Name(e) == name {
			return e
		}
	}
	t.Fatalf("no %T named %q", list, name)
	return nil
}

// without returns list without the entities drop says to drop.
func without[T any](list []*T, drop func(*T) bool) []*T {
	return slices.DeleteFunc(slices.Clone(list), drop)
}

// refersTo reports whether e has a reference to parent.
func refersTo(e, parent any) bool {
	for _, f := range snapshot.RefFields(e) {
		for _, r := range f.Refs {
			if r.ID == snapshot.ID(parent) && r.Kind == snapshot.KindOf(parent) {
				return true
			}
		}
	}
	return false
}

// removeWithDependents removes e and every entity that references it, or references one of those.
func removeWithDependents(s *snapshot.Snapshot, e any) {
	gone := []any{e}
	for len(gone) > 0 {
		g := gone[0]
		gone = gone[1:]
		kind := snapshot.KindOf(g)
		kept := &snapshot.Snapshot{}
		for _, k := range snapshot.Kinds {
			for _, x := range s.Entities(k) {
				switch {
				case k == kind && snapshot.ID(x) == snapshot.ID(g):
				case refersTo(x, g):
					gone = append(gone, x)
				default:
					_, _ = kept.Add(x)
				}
			}
		}
		*s = *kept
	}
}

func svcRef(s *kong.Service) *kong.Service { return &kong.Service{ID: s.ID} }

// TestEntryChangesSayWhatTheWholeComparisonSays makes changes of every kind to a rich gateway's snapshot and checks
// that the summary entryChanges reads from the differing entries is the whole comparison's, and that it is sure
// (ok) in every case but those where the parts alone cannot tell.
func TestEntryChangesSayWhatTheWholeComparisonSays(t *testing.T) {
	_, live := richGateway(t)
	oldRing, err := snapshot.ParseKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := snapshot.ParseKeyring("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f," + testKey)
	if err != nil {
		t.Fatal(err)
	}
	conn := &config.Connection{Name: "prod", Secrets: config.SecretsEncrypt}
	write := func(s *snapshot.Snapshot, ring *snapshot.Keyring, tags ...string) snapshot.Files {
		c := *conn
		c.SelectTags = tags
		files, err := writeSnapshot(s, &c, "3.9.1", ring)
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	base := write(live, oldRing)
	read := func(files snapshot.Files) *snapshot.Snapshot {
		s, err := snapshot.Read(files, snapshot.ReadOptions{Keyring: rotated})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	newID := func(n int) *string { return kong.String("c0000000-0000-4000-8000-00000000000" + string(rune('0'+n))) }

	tests := []struct {
		name   string
		change func(t *testing.T, s *snapshot.Snapshot)
		ring   *snapshot.Keyring
		tags   []string
		sure   bool
	}{
		{name: "nothing", change: func(*testing.T, *snapshot.Snapshot) {}, sure: true},
		{name: "service field", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Services, "orders").Retries = kong.Int(9)
		}},
		{name: "service added with a route", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			svc := &kong.Service{ID: newID(1), Name: kong.String("shipping"), Host: kong.String("ship.internal"),
				Port: kong.Int(80), Protocol: kong.String("http")}
			s.Services = append(s.Services, svc)
			s.Routes = append(s.Routes, &kong.Route{ID: newID(2), Name: kong.String("shipping-api"),
				Paths: kong.StringSlice("/ship"), Service: svcRef(svc)})
		}},
		{name: "service removed with its routes and plugins", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			removeWithDependents(s, named(t, s.Services, "postgres"))
		}},
		{name: "service recreated with a new id", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Services, "reports").ID = newID(3)
		}},
		{name: "service renamed, its place in the file moves", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Services, "inventory").Name = kong.String("zz-inventory")
		}},
		{name: "two services swap names", sure: false, change: func(t *testing.T, s *snapshot.Snapshot) {
			a, b := named(t, s.Services, "orders"), named(t, s.Services, "payments")
			a.Name, b.Name = b.Name, a.Name
		}},
		{name: "route field", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Routes, "orders-v2").Paths = kong.StringSlice("/v2/orders", "/v2/o")
		}},
		{name: "route moved to another service", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Routes, "inventory-grpc").Service = svcRef(named(t, s.Services, "payments"))
		}},
		{name: "route removed with its plugins", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			removeWithDependents(s, named(t, s.Routes, "orders-by-id"))
		}},
		{name: "route a top-level plugin names renamed", sure: false, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Routes, "orders-api").Name = kong.String("a-orders-api")
		}},
		{name: "service plugin config", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			p := pluginOn(t, s, "rate-limiting", named(t, s.Services, "orders"))
			p.Config["minute"] = float64(99)
		}},
		{name: "route plugin disabled", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			pluginOn(t, s, "key-auth", named(t, s.Routes, "orders-api")).Enabled = kong.Bool(false)
		}},
		{name: "plugin moved from its route to the service", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			p := pluginOn(t, s, "proxy-cache", named(t, s.Routes, "orders-by-id"))
			p.Route, p.Service = nil, svcRef(named(t, s.Services, "orders"))
		}},
		{name: "global plugin config", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			pluginOn(t, s, "prometheus", nil).Config["per_consumer"] = false
		}},
		{name: "global plugin added", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			s.Plugins = append(s.Plugins, &kong.Plugin{ID: newID(4), Name: kong.String("zipkin"),
				Config: kong.Configuration{"http_endpoint": "http://zipkin:9411"}, Enabled: kong.Bool(true)})
		}},
		{name: "plugin of a route and a consumer, config", sure: false, change: func(t *testing.T, s *snapshot.Snapshot) {
			for _, p := range s.Plugins {
				if p.Route != nil && p.Consumer != nil {
					p.Config["minute"] = float64(601)
				}
			}
		}},
		{name: "consumer plugin removed", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			removeWithDependents(s, pluginOn(t, s, "rate-limiting", named(t, s.Consumers, "alice")))
		}},
		{name: "key-auth key changed", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			s.KeyAuths[0].Key = kong.String("a-new-secret-key")
		}},
		{name: "acl added and a jwt removed", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			s.ACLs = append(s.ACLs, &kong.ACLGroup{ID: newID(5), Group: kong.String("auditors"),
				Consumer: &kong.Consumer{ID: named(t, s.Consumers, "bob").ID}})
			s.JWTs = s.JWTs[1:]
		}},
		{name: "consumer renamed", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Consumers, "alice").Username = kong.String("zz-alice")
		}},
		{name: "consumer removed with credentials and plugins", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			removeWithDependents(s, named(t, s.Consumers, "alice"))
		}},
		{name: "consumers swap usernames, a top-level plugin follows the name", sure: false,
			change: func(t *testing.T, s *snapshot.Snapshot) {
				a, b := named(t, s.Consumers, "alice"), named(t, s.Consumers, "bob")
				a.Username, b.Username = b.Username, a.Username
			}},
		{name: "target added, target removed, upstream field", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			up := named(t, s.Upstreams, "orders.upstream")
			up.Slots = kong.Int(20000)
			s.Targets = append(s.Targets[1:], &kong.Target{ID: newID(6), Target: kong.String("10.0.1.99:8080"),
				Weight: kong.Int(10), Upstream: &kong.Upstream{ID: up.ID}})
		}},
		{name: "SNI added, CA certificate tagged", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			s.SNIs = append(s.SNIs, &kong.SNI{ID: newID(7), Name: kong.String("new.example.test"),
				Certificate: &kong.Certificate{ID: s.SNIs[0].Certificate.ID}})
			s.CACertificates[0].Tags = kong.StringSlice("rotated")
		}},
		{name: "key set renamed, its keys follow", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			s.KeySets[0].Name = kong.String("renamed-signing")
		}},
		// The keys' entries name their set as before, but it is another one: only the key sets' entries differ.
		{name: "keys move to a new key set that takes the old one's name", sure: false,
			change: func(t *testing.T, s *snapshot.Snapshot) {
				set := &kong.KeySet{ID: newID(8), Name: s.KeySets[0].Name}
				s.KeySets[0].Name = kong.String("retired-signing")
				s.KeySets = append(s.KeySets, set)
				for _, k := range s.Keys {
					k.Set = &kong.KeySet{ID: set.ID}
				}
			}},
		{name: "vault config", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			s.Vaults[0].Config["prefix"] = "KONG_"
		}},
		{name: "many at once", sure: true, change: func(t *testing.T, s *snapshot.Snapshot) {
			named(t, s.Services, "orders").Retries = kong.Int(1)
			named(t, s.Services, "inventory").Name = kong.String("aa-inventory")
			removeWithDependents(s, named(t, s.Routes, "orders-legacy"))
			s.KeyAuths[1].Key = kong.String("bob-rotated")
			named(t, s.Upstreams, "inventory.upstream").Slots = kong.Int(5000)
		}},
		// Every entry holding a secret differs, the keys among them, which name their key set: that entry is the
		// same on both sides, so the parts do not hold it and do not read.
		{name: "key rotated: every ciphertext changes, nothing else", sure: false, ring: rotated,
			change: func(*testing.T, *snapshot.Snapshot) {}},
		{name: "key rotated and a key changed", sure: false, ring: rotated, change: func(t *testing.T, s *snapshot.Snapshot) {
			s.KeyAuths[0].Key = kong.String("after-rotation")
		}},
		{name: "select tags set: every file's header changes", sure: false, tags: []string{"prod"},
			change: func(t *testing.T, s *snapshot.Snapshot) {
				named(t, s.Services, "orders").Retries = kong.Int(9)
			}},
		{name: "an entity without an id", sure: false, change: func(t *testing.T, s *snapshot.Snapshot) {
			up := named(t, s.Upstreams, "orders.upstream")
			id := *up.ID
			up.ID, up.Slots = nil, kong.Int(300)
			for _, tg := range s.Targets {
				if *tg.Upstream.ID == id {
					tg.Upstream = &kong.Upstream{Name: kong.String("orders.upstream")}
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := read(base)
			tt.change(t, next)
			ring := oldRing
			if tt.ring != nil {
				ring = tt.ring
			}
			files := write(next, ring, tt.tags...)
			want := diff.Compare(read(base), next, diff.Options{})
			for _, whole := range []bool{true, false} {
				old, new := base, files
				if !whole {
					old, new = differing(base, files), differing(files, base)
				}
				got, ok := entryChanges(old, new, next, rotated)
				if ok != tt.sure {
					t.Errorf("whole files %v: sure %v, want %v", whole, ok, tt.sure)
				}
				if ok && got.Summary() != want.Summary() {
					t.Errorf("whole files %v: entries say %q, the whole comparison %q", whole, got.Summary(), want.Summary())
				}
			}
			if !tt.sure && tt.ring == nil && want.Empty() {
				t.Errorf("the whole comparison finds no change: the case tests nothing")
			}
		})
	}
}

// differing returns the files of a that b lacks or holds otherwise, as gitstore.Delta reads them.
func differing(a, b snapshot.Files) snapshot.Files {
	out := snapshot.Files{}
	for name, content := range a {
		if other, ok := b[name]; !ok || !bytes.Equal(other, content) {
			out[name] = content
		}
	}
	return out
}

// pluginOn returns the plugin named name whose only parent is parent (nil: a global plugin).
func pluginOn(t *testing.T, s *snapshot.Snapshot, name string, parent any) *kong.Plugin {
	t.Helper()
	for _, p := range s.Plugins {
		if *p.Name != name {
			continue
		}
		parents := 0
		for _, f := range snapshot.RefFields(p) {
			parents += len(f.Refs)
		}
		if parent == nil && parents == 0 || parent != nil && parents == 1 && refersTo(p, parent) {
			return p
		}
	}
	t.Fatalf("no plugin %q on %v", name, parent)
	return nil
}

//go:build integration

package integration

import (
	"context"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

func openGateway(t testing.TB, selectTags ...string) *gateway.Client {
	t.Helper()
	gw, err := gateway.Open(ctx(t), gateway.Connection{Name: "integration", AdminURL: adminURL, SelectTags: selectTags})
	if err != nil {
		t.Fatalf("gateway.Open: %v", err)
	}
	return gw
}

// TestGatewayRead reads, through kongsnap's gateway package, one entity of every kind this test made and tagged,
// and nothing else.
func TestGatewayRead(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	tags := []string{k.tag()}
	want := map[snapshot.Kind][]string{}
	add := func(kind snapshot.Kind, e map[string]any) map[string]any {
		want[kind] = append(want[kind], e["id"].(string))
		return e
	}
	svc := add(snapshot.KindService, k.create("/services", map[string]any{"name": k.name("svc"), "host": "a.test", "tags": tags}, "/services"))
	route := add(snapshot.KindRoute, k.create("/services/"+svc["id"].(string)+"/routes", map[string]any{"name": k.name("r"), "paths": []string{"/" + k.prefix}, "tags": tags}, "/routes"))
	consumer := add(snapshot.KindConsumer, k.create("/consumers", map[string]any{"username": k.name("c"), "tags": tags}, "/consumers"))
	cid := consumer["id"].(string)
	add(snapshot.KindPlugin, k.create("/routes/"+route["id"].(string)+"/plugins", map[string]any{"name": "key-auth", "tags": tags}, "/plugins"))
	add(snapshot.KindPlugin, k.create("/consumers/"+cid+"/plugins", map[string]any{"name": "correlation-id", "tags": tags}, "/plugins"))
	add(snapshot.KindKeyAuth, k.create("/consumers/"+cid+"/key-auth", map[string]any{"tags": tags}, "/key-auths"))
	add(snapshot.KindBasicAuth, k.create("/consumers/"+cid+"/basic-auth", map[string]any{"username": k.name("ba"), "password": "p", "tags": tags}, "/basic-auths"))
	add(snapshot.KindHMACAuth, k.create("/consumers/"+cid+"/hmac-auth", map[string]any{"username": k.name("hm"), "tags": tags}, "/hmac-auths"))
	add(snapshot.KindJWT, k.create("/consumers/"+cid+"/jwt", map[string]any{"tags": tags}, "/jwts"))
	add(snapshot.KindACL, k.create("/consumers/"+cid+"/acls", map[string]any{"group": "g", "tags": tags}, "/acls"))
	add(snapshot.KindOAuth2, k.create("/consumers/"+cid+"/oauth2", map[string]any{"name": "app", "tags": tags}, "/oauth2"))
	up := add(snapshot.KindUpstream, k.create("/upstreams", map[string]any{"name": k.name("up"), "tags": tags}, "/upstreams"))
	// Kong ignores tags on an upstream's targets: every target of a selected upstream is read
	add(snapshot.KindTarget, k.create("/upstreams/"+up["id"].(string)+"/targets", map[string]any{"target": "10.0.0.1:80"}, "/upstreams/"+up["id"].(string)+"/targets"))
	host := "a." + k.prefix + ".test"
	cert, key := testCert(t, host)
	certificate := add(snapshot.KindCertificate, k.create("/certificates", map[string]any{"cert": cert, "key": key, "tags": tags}, "/certificates"))
	add(snapshot.KindSNI, k.create("/snis", map[string]any{"name": host, "certificate": map[string]any{"id": certificate["id"]}, "tags": tags}, "/snis"))
	add(snapshot.KindCACertificate, k.create("/ca_certificates", map[string]any{"cert": cert, "tags": tags}, "/ca_certificates"))
	add(snapshot.KindVault, k.create("/vaults", map[string]any{"name": "env", "prefix": k.name("env"), "tags": tags}, "/vaults"))
	set := add(snapshot.KindKeySet, k.create("/key-sets", map[string]any{"name": k.name("set"), "tags": tags}, "/key-sets"))
	add(snapshot.KindKey, k.create("/keys", map[string]any{"name": k.name("k"), "kid": k.name("k"), "set": map[string]any{"id": set["id"]},
		"jwk": `{"kty":"oct","kid":"` + k.name("k") + `","k":"c2VjcmV0"}`, "tags": tags}, "/keys"))
	// an untagged entity the read must leave out
	k.create("/consumers", map[string]any{"username": k.name("untagged")}, "/consumers")

	gw := openGateway(t, k.tag())
	root := k.must(http.StatusOK, http.MethodGet, "/", nil)
	if gw.Version() != root["version"] {
		t.Errorf("Version = %q, want %v", gw.Version(), root["version"])
	}
	got, err := gw.Read(ctx(t))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for _, kind := range snapshot.Kinds {
		var ids []string
		for _, e := range got.Entities(kind) {
			ids = append(ids, snapshot.ID(e))
		}
		sort.Strings(ids)
		sort.Strings(want[kind])
		if strings.Join(ids, ",") != strings.Join(want[kind], ",") {
			t.Errorf("%s read %v, want %v", kind, ids, want[kind])
		}
	}
	for _, b := range got.BasicAuths {
		if *b.Password != sha1Hex("p"+cid) {
			t.Errorf("basic-auth read with password %s, want the stored hash", *b.Password)
		}
	}
}

// TestRestoreRichSnapshot restores testdata/rich/kong.yaml (every kind, plugins at every scope, every credential
// kind) with kongsnap's restore engine, verifies it, and restores again expecting nothing to do. A restore
// converges the whole gateway, so this test is not parallel (parallel tests wait until it has finished and cleaned
// up) and needs a Kong holding nothing else.
func TestRestoreRichSnapshot(t *testing.T) {
	k := newKong(t)
	c := ctx(t)
	gw := openGateway(t)
	current, err := gw.Read(c)
	if err != nil {
		t.Fatalf("reading the gateway: %v", err)
	}
	if n := current.Len(); n != 0 {
		t.Fatalf("Kong at %s holds %d entities (%v); this test restores a whole gateway and needs an empty one", adminURL, n, current.Count())
	}
	files, err := snapshot.ReadFile(filepath.Join("..", "testdata", "rich", "kong.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	target, err := snapshot.Read(files, snapshot.ReadOptions{})
	if err != nil {
		t.Fatalf("reading the rich fixture: %v", err)
	}
	t.Cleanup(func() { emptyGateway(t, gw) })

	// The fixture leaves Kong's defaults out; they are filled from kongsim's schema tables, so a default kongsim
	// gets wrong shows up here as a difference against the real Kong.
	opts := kongsync.Options{Diff: diff.Options{Defaults: kongsimDefaults{}}}
	plan, err := kongsync.NewPlan(current, target, opts)
	if err != nil {
		t.Fatalf("planning the restore: %v", err)
	}
	if len(plan.Operations) != target.Len() {
		t.Errorf("plan into an empty gateway has %d operations for %d entities", len(plan.Operations), target.Len())
	}
	res, err := kongsync.Apply(c, gw, plan, kongsync.ApplyOptions{})
	if err != nil {
		var report strings.Builder
		_ = res.Write(&report)
		t.Fatalf("applying the restore: %v\n%s", err, report.String())
	}
	left, err := kongsync.Verify(c, gw, target, opts)
	if err != nil {
		t.Fatalf("verifying: %v", err)
	}
	if !left.Empty() {
		t.Errorf("the gateway differs from the fixture after the restore: %s", left.Summary())
		for _, ch := range left {
			t.Errorf("  %s %s", ch.Action, ch.Identity)
		}
	}

	live, err := gw.Read(c)
	if err != nil {
		t.Fatalf("reading the restored gateway: %v", err)
	}
	for _, kind := range snapshot.Kinds {
		ids := map[string]bool{}
		for _, e := range live.Entities(kind) {
			ids[snapshot.ID(e)] = true
		}
		for _, e := range target.Entities(kind) {
			if id := snapshot.ID(e); id != "" && !ids[id] {
				t.Errorf("%s is missing after the restore", snapshot.Describe(e))
			}
		}
		if len(ids) != len(target.Entities(kind)) {
			t.Errorf("%s: %d live after the restore, fixture has %d", kind, len(ids), len(target.Entities(kind)))
		}
	}
	// a raw look at one restored entity, as Kong itself serves it
	if len(target.Services) > 0 {
		k.must(http.StatusOK, http.MethodGet, "/services/"+snapshot.ID(target.Services[0]), nil)
	}

	again, err := kongsync.NewPlan(live, target, opts)
	if err != nil {
		t.Fatalf("planning the second restore: %v", err)
	}
	if !again.Empty() {
		var report strings.Builder
		_ = again.Write(&report)
		t.Errorf("a second restore is not a no-op: %s\n%s", again.Summary(), report.String())
	}
}

// kongsimDefaults fills Kong's defaults into an entity from kongsim's schema tables.
type kongsimDefaults struct{}

func (kongsimDefaults) Fill(kind snapshot.Kind, m map[string]any) map[string]any {
	s, ok := schema.Entity(string(kind))
	if kind == snapshot.KindPlugin {
		name, _ := m["name"].(string)
		s, ok = schema.Plugin(name)
	}
	if !ok {
		return m
	}
	return s.Fill(m)
}

// emptyGateway deletes everything through kongsnap's own engine, leaving Kong as the test found it.
func emptyGateway(t testing.TB, gw *gateway.Client) {
	c := context.Background()
	live, err := gw.Read(c)
	if err != nil {
		t.Errorf("cleaning up: reading the gateway: %v", err)
		return
	}
	plan, err := kongsync.NewPlan(live, &snapshot.Snapshot{}, kongsync.Options{AllowEmpty: true, MaxDeletes: -1})
	if err != nil {
		t.Errorf("cleaning up: planning: %v", err)
		return
	}
	if _, err := kongsync.Apply(c, gw, plan, kongsync.ApplyOptions{}); err != nil {
		t.Errorf("cleaning up: deleting what the restore made: %v", err)
	}
}

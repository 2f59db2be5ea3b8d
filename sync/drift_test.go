package sync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Ids of the rich fixture the drift tests touch.
const (
	idOrders       = "a1000000-0000-4000-8000-000000000001"
	idRouteOrders  = "a2000000-0000-4000-8000-000000000001"
	idRoutePgTLS   = "a2000000-0000-4000-8000-000000000010"
	idAlice        = "a3000000-0000-4000-8000-000000000001"
	idBob          = "a3000000-0000-4000-8000-000000000002"
	idPartner      = "a3000000-0000-4000-8000-000000000003"
	idRateOrders   = "a4000000-0000-4000-8000-000000000003"
	idCORS         = "a4000000-0000-4000-8000-000000000006"
	idProxyCache   = "a4000000-0000-4000-8000-000000000007"
	idUpstream     = "a5000000-0000-4000-8000-000000000001"
	idTarget1      = "a6000000-0000-4000-8000-000000000001"
	idTarget3      = "a6000000-0000-4000-8000-000000000003"
	idCert         = "a7000000-0000-4000-8000-000000000001"
	idSNIApi       = "a8000000-0000-4000-8000-000000000001"
	idSNIWildcard  = "a8000000-0000-4000-8000-000000000002"
	idCA           = "a9000000-0000-4000-8000-000000000001"
	idVault        = "aa000000-0000-4000-8000-000000000001"
	idKeySet       = "ab000000-0000-4000-8000-000000000001"
	idKeyEC        = "ac000000-0000-4000-8000-000000000001"
	idKeyRSA       = "ac000000-0000-4000-8000-000000000002"
	idKeyAuthAlice = "b1000000-0000-4000-8000-000000000001"
	idBasicAlice   = "b2000000-0000-4000-8000-000000000001"
	idJWTAlice     = "b4000000-0000-4000-8000-000000000001"
	idJWTBob       = "b4000000-0000-4000-8000-000000000002"
	idACLReaders   = "b5000000-0000-4000-8000-000000000002"
	idACLPayments  = "b5000000-0000-4000-8000-000000000001"
)

// rogue returns the id of the nth entity added behind the restore's back.
func rogue(n int) string { return fmt.Sprintf("f0000000-0000-4000-8000-%012d", n) }

// gw is a test's hand on the gateway: every write must succeed.
type gw struct {
	t *testing.T
	s *sim
}

func (g gw) create(e any) {
	g.t.Helper()
	if _, err := g.s.gw.Create(context.Background(), e); err != nil {
		g.t.Fatal(err)
	}
}

func (g gw) delete(kind snapshot.Kind, id string) {
	g.t.Helper()
	if err := g.s.gw.Delete(context.Background(), g.live(kind, id)); err != nil {
		g.t.Fatal(err)
	}
}

// edit changes the live entity of kind with id by hand.
func (g gw) edit(kind snapshot.Kind, id string, change func(e any)) {
	g.t.Helper()
	e := clone(g.live(kind, id))
	change(e)
	if _, err := g.s.gw.Update(context.Background(), e); err != nil {
		g.t.Fatal(err)
	}
}

func (g gw) live(kind snapshot.Kind, id string) any {
	g.t.Helper()
	for _, e := range g.s.read(g.t).Entities(kind) {
		if snapshot.ID(e) == id {
			return e
		}
	}
	g.t.Fatalf("no live %s %s", kind, id)
	return nil
}

var tags = []*string{kong.String("drifted")}

// drift changes a gateway holding the rich fixture by hand: entities of every kind added, changed and removed, a
// route-scoped plugin moved to global and a consumer recreated with a new id.
func drift(t *testing.T, s *sim) {
	g := gw{t, s}
	g.create(&kong.Service{ID: kong.String(rogue(1)), Name: kong.String("rogue"), Host: kong.String("rogue.internal")})
	g.create(&kong.Route{ID: kong.String(rogue(2)), Name: kong.String("rogue"), Paths: []*string{kong.String("/rogue")},
		Service: &kong.Service{ID: kong.String(rogue(1))}})
	g.create(&kong.Plugin{ID: kong.String(rogue(3)), Name: kong.String("correlation-id"), Route: &kong.Route{ID: kong.String(rogue(2))}})
	g.create(&kong.Consumer{ID: kong.String(rogue(4)), Username: kong.String("mallory")})
	g.create(&kong.KeyAuth{ID: kong.String(rogue(5)), Key: kong.String("mallory-key"), Consumer: &kong.Consumer{ID: kong.String(rogue(4))}})
	g.create(&kong.ACLGroup{ID: kong.String(rogue(6)), Group: kong.String("admins"), Consumer: &kong.Consumer{ID: kong.String(idAlice)}})
	g.create(&kong.Upstream{ID: kong.String(rogue(7)), Name: kong.String("rogue.upstream")})
	g.create(&kong.Target{ID: kong.String(rogue(8)), Target: kong.String("10.9.9.9:80"), Upstream: &kong.Upstream{ID: kong.String(idUpstream)}})
	g.create(&kong.KeySet{ID: kong.String(rogue(9)), Name: kong.String("rogue-set")})
	g.create(&kong.Vault{ID: kong.String(rogue(10)), Name: kong.String("env"), Prefix: kong.String("rogue-env")})
	g.create(&kong.SNI{ID: kong.String(rogue(11)), Name: kong.String("rogue.example.test"), Certificate: &kong.Certificate{ID: kong.String(idCert)}})

	g.edit(snapshot.KindService, idOrders, func(e any) { e.(*kong.Service).Port = kong.Int(8080) })
	g.edit(snapshot.KindRoute, idRouteOrders, func(e any) { e.(*kong.Route).Paths = []*string{kong.String("/hijacked")} })
	g.edit(snapshot.KindConsumer, idBob, func(e any) { e.(*kong.Consumer).CustomID = kong.String("bob-2") })
	g.edit(snapshot.KindPlugin, idRateOrders, func(e any) { e.(*kong.Plugin).Config["minute"] = 1 })
	g.edit(snapshot.KindUpstream, idUpstream, func(e any) { e.(*kong.Upstream).Algorithm = kong.String("round-robin") })
	g.edit(snapshot.KindTarget, idTarget1, func(e any) { e.(*kong.Target).Weight = kong.Int(5) })
	g.edit(snapshot.KindCertificate, idCert, func(e any) {
		// Kong's PUT of a certificate replaces its SNIs: keep them, as a careful hand would.
		e.(*kong.Certificate).SNIs = []*string{kong.String("*.example.test"), kong.String("api.example.test"), kong.String("rogue.example.test")}
		e.(*kong.Certificate).Tags = tags
	})
	g.edit(snapshot.KindSNI, idSNIApi, func(e any) { e.(*kong.SNI).Tags = tags })
	g.edit(snapshot.KindCACertificate, idCA, func(e any) { e.(*kong.CACertificate).Tags = tags })
	g.edit(snapshot.KindVault, idVault, func(e any) { e.(*kong.Vault).Description = kong.String("drifted") })
	g.edit(snapshot.KindKeySet, idKeySet, func(e any) { e.(*kong.KeySet).Tags = tags })
	g.edit(snapshot.KindKey, idKeyEC, func(e any) { e.(*kong.Key).Tags = tags })
	g.edit(snapshot.KindKeyAuth, idKeyAuthAlice, func(e any) { e.(*kong.KeyAuth).Key = kong.String("leaked-and-rotated") })
	g.edit(snapshot.KindBasicAuth, idBasicAlice, func(e any) { e.(*kong.BasicAuth).Password = kong.String("reset-by-hand") })
	g.edit(snapshot.KindJWT, idJWTAlice, func(e any) { e.(*kong.JWTAuth).Secret = kong.String("other-secret") })
	g.edit(snapshot.KindACL, idACLPayments, func(e any) { e.(*kong.ACLGroup).Tags = tags })

	g.delete(snapshot.KindPlugin, idProxyCache)
	g.delete(snapshot.KindTarget, idTarget3)
	g.delete(snapshot.KindACL, idACLReaders)
	g.delete(snapshot.KindSNI, idSNIWildcard)
	g.delete(snapshot.KindKey, idKeyRSA)
	g.delete(snapshot.KindRoute, idRoutePgTLS)
	g.delete(snapshot.KindJWT, idJWTBob)

	g.edit(snapshot.KindPlugin, idCORS, func(e any) { e.(*kong.Plugin).Route = nil })

	g.delete(snapshot.KindConsumer, idPartner)
	g.create(&kong.Consumer{ID: kong.String(rogue(12)), CustomID: kong.String("partner-7731")})
	g.create(&kong.KeyAuth{ID: kong.String(rogue(13)), Key: kong.String("partner-new-key"), Consumer: &kong.Consumer{ID: kong.String(rogue(12))}})
}

func TestDriftedGatewayConverges(t *testing.T) {
	target := richTarget(t)
	s := newSim(t, nil)
	s.restore(t, target, opts())
	drift(t, s)

	o := opts()
	o.MaxDeletes = 20 // the drift adds 13 entities and moves a plugin
	plan, err := NewPlan(s.read(t), target, o)
	if err != nil {
		t.Fatal(err)
	}
	var listing strings.Builder
	if err := plan.Write(&listing); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"delete plugin \"cors\" on route \"orders-api\" (id " + idCORS + ") [scope changed from global to route \"orders-api\"",
		"create plugin \"cors\" on route \"orders-api\" (id ",
		"[scope changed from global to route \"orders-api\": created in its new scope before the old one is deleted]",
		"delete key-auth credential " + rogue(13),
		"create plugin \"proxy-cache\" on route \"orders-by-id\"",
		"update service \"orders\" (id " + idOrders + "): port",
		"update key-auth credential " + idKeyAuthAlice,
	} {
		if !strings.Contains(listing.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, listing.String())
		}
	}
	for _, secret := range []string{"leaked-and-rotated", "alice-key-7f3c9a1e", "alice-password-1", "reset-by-hand"} {
		if strings.Contains(listing.String(), secret) {
			t.Errorf("plan listing shows the secret %q", secret)
		}
	}
	for _, op := range plan.Operations {
		if p, ok := op.Entity.(*kong.Plugin); ok && op.Action == Create && snapshot.ID(p) == idCORS && p.Route == nil {
			t.Errorf("the route-scoped cors plugin would be created global")
		}
	}

	// The consumer recreated by hand is converged in place, keeping its live id; the moved plugin is created in its
	// new scope before the old one goes.
	if !strings.Contains(fmt.Sprint(plan.Kept), rogue(12)) || strings.Contains(listing.String(), "delete consumer \"partner-7731\"") {
		t.Errorf("the recreated consumer is not converged in place: kept %v\n%s", plan.Kept, listing.String())
	}
	created, deleted := -1, -1
	for i, op := range plan.Operations {
		if p, ok := op.Entity.(*kong.Plugin); ok && deref(p.Name) == "cors" {
			if op.Action == Create {
				created = i
			} else if op.Action == Delete {
				deleted = i
				if !slices.Contains(op.DependsOn, created) {
					t.Errorf("the old cors plugin's delete does not wait for its replacement: %v", op.DependsOn)
				}
			}
		}
	}
	if created < 0 || deleted < created {
		t.Errorf("cors is not created (step %d) before it is deleted (step %d)", created+1, deleted+1)
	}

	if _, err := Apply(context.Background(), s.gw, plan, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	s.verify(t, target, opts(), plan)
	var cors *kong.Plugin
	for _, p := range s.read(t).Plugins {
		if deref(p.Name) == "cors" {
			cors = p
		}
	}
	if cors == nil || cors.Route == nil || deref(cors.Route.ID) != idRouteOrders {
		t.Errorf("cors plugin is not back on route orders-api: %+v", cors)
	}
}

// planWithoutAlice restores the rich target, deletes consumer alice and plans the restore that recreates her.
func planWithoutAlice(t *testing.T) (*snapshot.Snapshot, *sim, *Plan) {
	t.Helper()
	target := richTarget(t)
	s := newSim(t, nil)
	s.restore(t, target, opts())
	gw{t, s}.delete(snapshot.KindConsumer, idAlice)
	plan, err := NewPlan(s.read(t), target, opts())
	if err != nil {
		t.Fatal(err)
	}
	return target, s, plan
}

func TestConflictOnCreateIsAdopted(t *testing.T) {
	target, s, plan := planWithoutAlice(t)
	// Someone recreates alice by hand between the plan and its run.
	gw{t, s}.create(&kong.Consumer{ID: kong.String(rogue(1)), Username: kong.String("alice")})

	res, err := Apply(context.Background(), s.gw, plan, ApplyOptions{})
	if err != nil {
		t.Fatalf("the conflict was not adopted: %v", err)
	}
	var adopted []string
	for _, o := range res.Applied {
		if o.AdoptedID != "" {
			adopted = append(adopted, o.Operation.Identity+" → "+o.AdoptedID)
		}
	}
	if want := []string{`consumer "alice" → ` + rogue(1)}; fmt.Sprint(adopted) != fmt.Sprint(want) {
		t.Errorf("adopted %v, want %v", adopted, want)
	}
	left, err := Verify(context.Background(), s.gw, target, opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Kind != snapshot.KindConsumer || len(left[0].Fields) != 1 || left[0].Fields[0].Path != "id" {
		t.Fatalf("after adoption only alice's id should differ, got:\n%s", describeChanges(left))
	}

	// A second restore converges alice's credentials and plugins onto her, keeping her live id: she is matched by
	// her username and converged in place.
	second, _ := s.restore(t, target, opts())
	s.verify(t, target, opts(), second)
}

// TestValidatedWritesAfterAdoption: Apply sends the bytes the gateway validated (ApplyOptions.Validation) for
// every entity it writes as planned, and a fresh encoding for an entity repointed to an adopted one: alice's
// credentials, validated pointing to her planned id, are written pointing to the live alice adopted in her place.
func TestValidatedWritesAfterAdoption(t *testing.T) {
	target, s, plan := planWithoutAlice(t)
	validation, err := Validate(context.Background(), s.gw, plan, ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gw{t, s}.create(&kong.Consumer{ID: kong.String(rogue(1)), Username: kong.String("alice")})

	res, err := Apply(context.Background(), s.gw, plan, ApplyOptions{Validation: validation})
	if err != nil {
		t.Fatalf("applying the validated plan: %v", err)
	}
	if n := len(res.Applied); n != len(plan.Operations) {
		t.Errorf("%d of %d operations applied", n, len(plan.Operations))
	}
	left, err := Verify(context.Background(), s.gw, target, opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Kind != snapshot.KindConsumer || len(left[0].Fields) != 1 || left[0].Fields[0].Path != "id" {
		t.Fatalf("after adoption only alice's id should differ, got:\n%s", describeChanges(left))
	}
}

// TestApplyWritesWhatWasValidated: given the plan's validation, Apply writes the very bytes the gateway
// validated, encoded once for both.
func TestApplyWritesWhatWasValidated(t *testing.T) {
	s := newSim(t, nil)
	svc := &kong.Service{ID: kong.String(rogue(2)), Name: kong.String("orders"), Host: kong.String("validated.internal")}
	plan, err := NewPlan(s.read(t), &snapshot.Snapshot{Services: []*kong.Service{svc}}, opts())
	if err != nil {
		t.Fatal(err)
	}
	validation, err := Validate(context.Background(), s.gw, plan, ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan.Operations[0].Entity.(*kong.Service).Host = kong.String("changed.internal") // what no one validated
	if _, err := Apply(context.Background(), s.gw, plan, ApplyOptions{Validation: validation}); err != nil {
		t.Fatal(err)
	}
	live := s.read(t)
	if len(live.Services) != 1 || deref(live.Services[0].Host) != "validated.internal" {
		t.Errorf("services written: %+v; want the validated host", live.Services)
	}
}

package sync

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/snapshot"
)

// authPlugins are the authentication and traffic-control plugins whose absence, even for a moment, lets traffic
// through that should not pass; each with a config Kong accepts.
var authPlugins = map[string]kong.Configuration{
	"key-auth": nil, "basic-auth": nil, "jwt": nil, "hmac-auth": nil,
	"oauth2":              {"enable_client_credentials": true, "provision_key": "fixed-provision-key-123"},
	"acl":                 {"allow": []any{"admins"}},
	"ip-restriction":      {"allow": []any{"10.0.0.0/8"}},
	"rate-limiting":       {"minute": 10},
	"request-termination": nil,
}

// coveredBy returns, per route and service id, the names of the plugins that apply to it: on itself, on its
// service (routes) or global; consumer-scoped and disabled plugins aside.
func coveredBy(s *snapshot.Snapshot) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	mark := func(id, name string) {
		if out[id] == nil {
			out[id] = map[string]bool{}
		}
		out[id][name] = true
	}
	for _, p := range s.Plugins {
		if p.Consumer != nil || p.Enabled != nil && !*p.Enabled {
			continue
		}
		route, service := "", ""
		if p.Route != nil {
			route = deref(p.Route.ID)
		}
		if p.Service != nil {
			service = deref(p.Service.ID)
		}
		for _, r := range s.Routes {
			if route == deref(r.ID) || route == "" && (service == "" || r.Service != nil && service == deref(r.Service.ID)) {
				mark(deref(r.ID), deref(p.Name))
			}
		}
		for _, svc := range s.Services {
			if route == "" && (service == "" || service == deref(svc.ID)) {
				mark(deref(svc.ID), deref(p.Name))
			}
		}
	}
	return out
}

// prefixChecker is a Writer that, after every write it passes on, reads the gateway and checks that every route
// and service still has the plugins it has both before and after the restore.
type prefixChecker struct {
	t        *testing.T
	s        *sim
	required map[string]map[string]bool
	step     int
}

func (c *prefixChecker) check(err error) error {
	c.step++
	now := coveredBy(c.s.read(c.t))
	for scope, names := range c.required {
		for name := range names {
			if !now[scope][name] {
				c.t.Errorf("after step %d, %s is without plugin %s", c.step, scope, name)
			}
		}
	}
	return err
}

func (c *prefixChecker) Create(ctx context.Context, e any) (any, error) {
	out, err := c.s.gw.Create(ctx, e)
	return out, c.check(err)
}

func (c *prefixChecker) Update(ctx context.Context, e any) (any, error) {
	out, err := c.s.gw.Update(ctx, e)
	return out, c.check(err)
}

func (c *prefixChecker) Delete(ctx context.Context, e any) error {
	return c.check(c.s.gw.Delete(ctx, e))
}
func (c *prefixChecker) Lookup(ctx context.Context, e any) (any, error) {
	return c.s.gw.Lookup(ctx, e)
}

const (
	idScopeService = "c0000000-0000-4000-8000-000000000001"
	idScopeRoute1  = "c0000000-0000-4000-8000-000000000002"
	idScopeRoute2  = "c0000000-0000-4000-8000-000000000003"
	idPluginLive   = "c0000000-0000-4000-8000-000000000010"
	idPluginTarget = "c0000000-0000-4000-8000-000000000011"
)

// scoped returns a snapshot of one service with two routes and the plugin at the given scope.
func scoped(name string, config kong.Configuration, id, scope string) *snapshot.Snapshot {
	s := &snapshot.Snapshot{
		Services: []*kong.Service{{ID: kong.String(idScopeService), Name: kong.String("billing"), Host: kong.String("billing.internal")}},
		Routes: []*kong.Route{
			{ID: kong.String(idScopeRoute1), Name: kong.String("invoices"), Paths: kong.StringSlice("/invoices"),
				Service: &kong.Service{ID: kong.String(idScopeService)}},
			{ID: kong.String(idScopeRoute2), Name: kong.String("payments"), Paths: kong.StringSlice("/payments"),
				Service: &kong.Service{ID: kong.String(idScopeService)}},
		},
	}
	p := &kong.Plugin{ID: kong.String(id), Name: kong.String(name), Config: config.DeepCopy()}
	switch scope {
	case "route":
		p.Route = &kong.Route{ID: kong.String(idScopeRoute1)}
	case "service":
		p.Service = &kong.Service{ID: kong.String(idScopeService)}
	}
	s.Plugins = []*kong.Plugin{p}
	return s
}

// TestNoRestoreStepLeavesARouteLessProtected applies, one operation at a time, the plans that converge a gateway
// whose authentication or traffic-control plugin was recreated by hand or sits in another scope, and checks after
// every step that each route and service has at least the plugins it has both before and after.
func TestNoRestoreStepLeavesARouteLessProtected(t *testing.T) {
	for name, config := range authPlugins {
		for _, tc := range []struct {
			scenario, liveScope, targetScope string
			liveID                           string
		}{
			{scenario: "recreated by hand on its route", liveScope: "route", targetScope: "route", liveID: idPluginLive},
			{scenario: "moved from global to a route", liveScope: "global", targetScope: "route", liveID: idPluginTarget},
			{scenario: "moved from the service to a route", liveScope: "service", targetScope: "route", liveID: idPluginTarget},
			{scenario: "moved from a route to its service", liveScope: "route", targetScope: "service", liveID: idPluginTarget},
			{scenario: "moved from a route to global", liveScope: "route", targetScope: "global", liveID: idPluginTarget},
		} {
			t.Run(name+" "+tc.scenario, func(t *testing.T) {
				s := newSim(t, nil)
				for _, e := range entities(scoped(name, config, tc.liveID, tc.liveScope)) {
					if _, err := s.gw.Create(context.Background(), e); err != nil {
						t.Fatal(err)
					}
				}
				live := s.read(t)
				target := scoped(name, config, idPluginTarget, tc.targetScope)
				plan, err := NewPlan(live, target, opts())
				if err != nil {
					t.Fatal(err)
				}
				if len(plan.Windows) > 0 {
					t.Errorf("the plan has unprotected windows: %v", plan.Windows)
				}
				before, after := coveredBy(live), coveredBy(target)
				required := map[string]map[string]bool{}
				for scope, names := range before {
					for n := range names {
						if after[scope][n] {
							if required[scope] == nil {
								required[scope] = map[string]bool{}
							}
							required[scope][n] = true
						}
					}
				}
				if len(required) == 0 {
					t.Fatal("the scenario protects nothing in both states: it tests nothing")
				}
				checker := &prefixChecker{t: t, s: s, required: required}
				if _, err := Apply(context.Background(), checker, plan, ApplyOptions{Parallelism: 1}); err != nil {
					t.Fatal(err)
				}
				if checker.step != len(plan.Operations) {
					t.Errorf("%d writes for %d operations", checker.step, len(plan.Operations))
				}
				for _, op := range plan.Operations {
					if op.Action == Delete && tc.liveScope == tc.targetScope {
						t.Errorf("a plugin recreated by hand is deleted: %s", op)
					}
				}
				s.verify(t, target, opts(), plan)
			})
		}
	}
}

// TestUnprotectedWindowNeedsConsent: a plugin holding an instance_name cannot exist twice, so moving it from global
// to a route deletes it first. The plan names the window; Converge refuses it before any write unless allowed.
func TestUnprotectedWindowNeedsConsent(t *testing.T) {
	s := newSim(t, nil)
	live := scoped("key-auth", nil, idPluginLive, "global")
	live.Plugins[0].InstanceName = kong.String("edge-auth")
	for _, e := range entities(live) {
		if _, err := s.gw.Create(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	target := scoped("key-auth", nil, idPluginLive, "route")
	target.Plugins[0].InstanceName = kong.String("edge-auth")
	s.kong.ResetRequests()

	conv, err := Converge(context.Background(), s.gw, target, ConvergeOptions{Plan: opts()})
	if !errors.Is(err, ErrUnprotectedWindow) {
		t.Fatalf("Converge = %v, want ErrUnprotectedWindow", err)
	}
	if len(conv.Plan.Windows) != 1 || conv.Plan.Windows[0].Scope != `route "invoices" (id `+idScopeRoute1+`)` ||
		conv.Plan.Windows[0].Plugin != "key-auth" {
		t.Errorf("windows = %v", conv.Plan.Windows)
	}
	if !errorsMention(err, `route "invoices"`, "between step 1 and step 2", "--allow-unprotected-window") {
		t.Errorf("refusal: %v", err)
	}
	for _, w := range s.writes() {
		if !isValidation(w) {
			t.Errorf("a refused plan wrote %s", w)
		}
	}
	conv, err = Converge(context.Background(), s.gw, target, ConvergeOptions{Plan: opts(), AllowUnprotectedWindow: true})
	if err != nil || conv.Status != Converged {
		t.Fatalf("with consent: %v", err)
	}
}

func errorsMention(err error, parts ...string) bool {
	for _, p := range parts {
		if err == nil || !strings.Contains(err.Error(), p) {
			return false
		}
	}
	return true
}

func isValidation(w string) bool { return strings.HasSuffix(w, "/validate") }

// entities lists a snapshot's entities in dependency order, to create them one by one.
func entities(s *snapshot.Snapshot) []any {
	var out []any
	for _, k := range snapshot.Kinds {
		out = append(out, s.Entities(k)...)
	}
	return out
}

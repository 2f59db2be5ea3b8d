package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

func TestCreateWithIDIsIdempotent(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	svc := &kong.Service{ID: kong.String(uuid(9, 1)), Name: kong.String("orders"), Host: kong.String("orders.internal")}
	first, err := c.Create(context.Background(), svc)
	if err != nil {
		t.Fatalf("first Create: %v", err)
	}
	second, err := c.Create(context.Background(), svc)
	if err != nil {
		t.Fatalf("second Create: %v", err)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("second Create returned %+v, want %+v", second, first)
	}
	stored := first.(*kong.Service)
	if *stored.ID != uuid(9, 1) || *stored.Port != 80 || stored.CreatedAt != nil || stored.UpdatedAt != nil {
		t.Errorf("stored service = %+v; want the given id, Kong's defaults, no timestamps", stored)
	}
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got.Services) != 1 {
		t.Errorf("%d services after creating one twice", len(got.Services))
	}
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet && (r.Method != http.MethodPut || r.Path != "/services/"+uuid(9, 1)) {
			t.Errorf("Create sent %s %s; want PUT /services/{id}", r.Method, r.Path)
		}
	}
}

// TestCreateTarget: Kong answers the PUT of a new target with 404, so Create sends a new target as one POST
// carrying its id; creating it again (a repeated restore) updates it by PUT, as for every other kind, and a target
// whose address another target holds is a conflict. Update, for a target that may be gone, PUTs first.
func TestCreateTarget(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	upstream := &kong.Upstream{ID: kong.String(uuid(8, 1)), Name: kong.String("orders.upstream")}
	create(t, c, []any{upstream})
	ref := &kong.Upstream{ID: upstream.ID}
	target := &kong.Target{ID: kong.String(uuid(9, 1)), Target: kong.String("10.0.0.1:80"), Upstream: ref, Weight: kong.Int(50)}
	requests := func() []string {
		var out []string
		for _, r := range s.Requests() {
			out = append(out, r.Method+" "+r.Path)
		}
		s.ResetRequests()
		return out
	}
	targets, byID := "/upstreams/"+uuid(8, 1)+"/targets", "/upstreams/"+uuid(8, 1)+"/targets/"+uuid(9, 1)
	for _, step := range []struct {
		name  string
		write func() error
		sent  []string
	}{
		{"create", func() error { return c.CreateBlind(context.Background(), target) }, []string{"POST " + targets}},
		{"create again", func() error { _, err := c.Create(context.Background(), target); return err },
			[]string{"POST " + targets, "PUT " + byID}},
		{"update", func() error { return c.UpdateBlind(context.Background(), target) }, []string{"PUT " + byID}},
	} {
		s.ResetRequests()
		if err := step.write(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := requests(); !reflect.DeepEqual(got, step.sent) {
			t.Errorf("%s sent %v; want %v", step.name, got, step.sent)
		}
	}
	clash := &kong.Target{ID: kong.String(uuid(9, 2)), Target: kong.String("10.0.0.1:80"), Upstream: ref}
	if err := c.CreateBlind(context.Background(), clash); !errors.Is(err, gateway.ErrConflict) {
		t.Errorf("creating a target at a taken address = %v; want ErrConflict", err)
	}
	invalid := &kong.Target{ID: kong.String(uuid(9, 3)), Target: kong.String("10.0.0.2:80"), Upstream: ref, Weight: kong.Int(70000)}
	if err := c.CreateBlind(context.Background(), invalid); err == nil || !strings.Contains(err.Error(), "HTTP 400") ||
		!strings.Contains(err.Error(), "weight") {
		t.Errorf("creating a target Kong refuses = %v; want Kong's 400 naming weight", err)
	}
	live, err := c.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Targets) != 1 || *live.Targets[0].ID != uuid(9, 1) || *live.Targets[0].Weight != 50 {
		t.Errorf("targets after the writes: %+v", live.Targets)
	}
}

func TestCreateWithoutIDPosts(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	s.ResetRequests()
	out, err := c.Create(context.Background(), &kong.Consumer{Username: kong.String("bob")})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if snapshot.ID(out) == "" {
		t.Errorf("created consumer has no id")
	}
	if r := s.Requests(); len(r) != 1 || r[0].Method != http.MethodPost || r[0].Path != "/consumers" {
		t.Errorf("requests = %+v; want one POST /consumers", r)
	}
}

func TestCreateEveryKindUnderItsParent(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	s.ResetRequests()
	create(t, c, richGateway(t))
	want := map[string]bool{
		"PUT /consumers/" + uuid(1, 3) + "/key-auth/" + uuid(1, 10):   true,
		"PUT /consumers/" + uuid(1, 3) + "/basic-auth/" + uuid(1, 11): true,
		"PUT /consumers/" + uuid(1, 3) + "/hmac-auth/" + uuid(1, 12):  true,
		"PUT /consumers/" + uuid(1, 3) + "/jwt/" + uuid(1, 13):        true,
		"PUT /consumers/" + uuid(1, 3) + "/acls/" + uuid(1, 14):       true,
		"PUT /consumers/" + uuid(1, 3) + "/oauth2/" + uuid(1, 15):     true,
		"POST /upstreams/" + uuid(1, 8) + "/targets":                  true, // Kong answers PUT of a new target 404
		"PUT /plugins/" + uuid(1, 20):                                 true,
		"PUT /key-sets/" + uuid(1, 5):                                 true,
		"PUT /ca_certificates/" + uuid(1, 2):                          true,
	}
	for _, r := range s.Requests() {
		delete(want, r.Method+" "+r.Path)
	}
	if len(want) != 0 {
		t.Errorf("requests not sent: %v\nsent: %+v", want, s.Requests())
	}
}

func TestCreateConflict(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	live := create(t, c, richGateway(t))
	tests := []struct {
		name   string
		entity any
		want   string
		hidden string
	}{
		{
			name:   "service name",
			entity: &kong.Service{ID: kong.String(uuid(9, 1)), Name: kong.String("orders"), Host: kong.String("x.test")},
			want:   `connection "test": creating service "orders" (id ` + uuid(9, 1) + `): HTTP 409: Kong says "UNIQUE violation detected on '{name=\"orders\"}'"`,
		},
		{
			name:   "key-auth key, kept out of the message",
			entity: &kong.KeyAuth{ID: kong.String(uuid(9, 2)), Key: kong.String("alice-key-secret"), Consumer: &kong.Consumer{ID: kong.String(uuid(1, 3))}},
			want:   `creating key-auth credential ` + uuid(9, 2) + `: HTTP 409`,
			hidden: "alice-key-secret",
		},
		{
			name:   "plugin scope",
			entity: &kong.Plugin{ID: kong.String(uuid(9, 3)), Name: kong.String("rate-limiting"), Route: &kong.Route{ID: kong.String(uuid(1, 16))}, Config: kong.Configuration{"minute": 1}},
			want:   `creating plugin "rate-limiting" (id ` + uuid(9, 3) + `): HTTP 409`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Create(context.Background(), tt.entity)
			if !errors.Is(err, gateway.ErrConflict) {
				t.Fatalf("Create = %v; want ErrConflict", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error %q shows the secret", err)
			}
			blocker, err := c.Lookup(context.Background(), tt.entity)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if !containsEntity(live, blocker) {
				t.Errorf("Lookup found %+v; want the live entity holding the key", blocker)
			}
		})
	}
}

func TestUpdateReplacesEveryField(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	id := kong.String(uuid(9, 1))
	create(t, c, []any{&kong.Service{ID: id, Name: kong.String("orders"), Host: kong.String("a.test"), Retries: kong.Int(1)}})
	s.ResetRequests()
	out, err := c.Update(context.Background(), &kong.Service{ID: id, Name: kong.String("orders"), Host: kong.String("b.test")})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	svc := out.(*kong.Service)
	if *svc.Host != "b.test" || *svc.Retries != 5 {
		t.Errorf("updated service host %s retries %d; want b.test and the default 5 (a full replace)", *svc.Host, *svc.Retries)
	}
	if r := s.Requests(); len(r) != 1 || r[0].Method != http.MethodPut {
		t.Errorf("Update sent %+v; want one PUT", r)
	}
	if _, err := c.Update(context.Background(), &kong.Service{Name: kong.String("orders")}); err == nil ||
		!strings.Contains(err.Error(), `updating service "orders": an update needs the entity's id`) {
		t.Errorf("Update without id = %v", err)
	}
}

func TestDelete(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	live := create(t, c, richGateway(t))
	for _, e := range []any{live[9], live[16], live[19]} { // a key-auth, a target, a route-scoped plugin
		if err := c.Delete(context.Background(), e); err != nil {
			t.Fatalf("Delete(%s): %v", snapshot.Describe(e), err)
		}
		if err := c.Delete(context.Background(), e); err != nil {
			t.Errorf("deleting %s again = %v; want success", snapshot.Describe(e), err)
		}
	}
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got.KeyAuths) != 0 || len(got.Targets) != 0 || len(got.Plugins) != 3 {
		t.Errorf("after deletes: %v", got.Count())
	}
	err = c.Delete(context.Background(), live[6]) // the service still has its route
	if err == nil || !strings.Contains(err.Error(), `deleting service "orders"`) || !strings.Contains(err.Error(), "HTTP 400") {
		t.Errorf("deleting a referenced service = %v; want Kong's refusal naming the service", err)
	}
}

func TestWriteRetries(t *testing.T) {
	tests := []struct {
		name     string
		entity   any
		fault    kongsim.Fault
		wantErr  bool
		attempts int // requests the log must show; 0 for dropped connections, which kongsim may log late
	}{
		{
			name:   "PUT on 500",
			entity: &kong.Consumer{ID: kong.String(uuid(9, 1)), Username: kong.String("a")},
			fault:  kongsim.Fault{Method: http.MethodPut, Status: http.StatusInternalServerError, Count: 2}, attempts: 3,
		},
		{
			name:   "PUT on a dropped connection",
			entity: &kong.Consumer{ID: kong.String(uuid(9, 1)), Username: kong.String("a")},
			fault:  kongsim.Fault{Method: http.MethodPut, DropConnection: true, Count: 1},
		},
		{
			name:   "POST not on 500",
			entity: &kong.Consumer{Username: kong.String("a")},
			fault:  kongsim.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, Count: 1}, attempts: 1, wantErr: true,
		},
		{
			name:   "POST not on a dropped connection",
			entity: &kong.Consumer{Username: kong.String("a")},
			fault:  kongsim.Fault{Method: http.MethodPost, DropConnection: true, Count: 1}, wantErr: true,
		},
		{
			name:   "POST on 503",
			entity: &kong.Consumer{Username: kong.String("a")},
			fault:  kongsim.Fault{Method: http.MethodPost, Status: http.StatusServiceUnavailable, Count: 1}, attempts: 2,
		},
		{
			name:   "POST on 429",
			entity: &kong.Consumer{Username: kong.String("a")},
			fault:  kongsim.Fault{Method: http.MethodPost, Status: http.StatusTooManyRequests, Count: 2}, attempts: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			c := open(t, testConnection(s.url))
			s.AddFault(tt.fault)
			s.ResetRequests()
			_, err := c.Create(context.Background(), tt.entity)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Create = %v, want error %v", err, tt.wantErr)
			}
			if n := methods(s)[tt.fault.Method]; tt.attempts > 0 && n != tt.attempts {
				t.Errorf("%d %s requests, want %d", n, tt.fault.Method, tt.attempts)
			}
		})
	}
}

// containsEntity reports whether want is one of entities (same kind and id).
func containsEntity(entities []any, want any) bool {
	for _, e := range entities {
		if snapshot.KindOf(e) == snapshot.KindOf(want) && snapshot.ID(e) == snapshot.ID(want) {
			return true
		}
	}
	return false
}

// TestParallelWritesReuseConnections: a restore writes with 10 operations in flight (sync.DefaultParallelism), more
// than the client's read concurrency, in bursts (operations wait for their parents, so all may finish together).
// Every connection opened for them is kept for the next request instead of being closed and opened again, which
// costs a TCP handshake on both sides.
func TestParallelWritesReuseConnections(t *testing.T) {
	const workers, rounds = 10, 30
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(kongsim.New(kongsim.Options{}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := open(t, testConnection(srv.URL))
	for round := range rounds {
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := &kong.Service{ID: kong.String(uuid(round+1, w)), Name: kong.String(fmt.Sprintf("svc-%d-%d", round, w)),
					Host: kong.String("orders.internal")}
				if _, err := c.Create(context.Background(), svc); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	// Go's transport may dial a spare connection while one is being returned; each is kept too.
	if n := opened.Load(); n > 2*workers {
		t.Errorf("%d connections opened for %d rounds of %d parallel writes; want at most %d", n, rounds, workers, 2*workers)
	}
}

// TestBlindWritesAreCreateAndUpdate: CreateBlind and UpdateBlind send exactly the requests Create and Update send
// and fail with the same errors; only Kong's answer is left undecoded.
func TestBlindWritesAreCreateAndUpdate(t *testing.T) {
	decoded, blind := newSim(t), newSim(t)
	dc, bc := open(t, testConnection(decoded.url)), open(t, testConnection(blind.url))
	ctx := context.Background()
	for _, e := range richGateway(t) {
		_, derr := dc.Create(ctx, e)
		berr := bc.CreateBlind(ctx, e)
		if derr != nil || berr != nil {
			t.Fatalf("Create(%s) = %v, CreateBlind = %v", snapshot.Describe(e), derr, berr)
		}
	}
	update := &kong.Service{ID: kong.String(uuid(1, 7)), Name: kong.String("orders"), Host: kong.String("b.test")}
	_, derr := dc.Update(ctx, update)
	if berr := bc.UpdateBlind(ctx, update); derr != nil || berr != nil {
		t.Fatalf("Update = %v, UpdateBlind = %v", derr, berr)
	}
	requests := func(s *sim) []string {
		var out []string
		for _, r := range s.Requests() {
			out = append(out, r.Method+" "+r.Path)
		}
		return out
	}
	if d, b := requests(decoded), requests(blind); !reflect.DeepEqual(d, b) {
		t.Errorf("blind writes sent\n%v\nwant\n%v", b, d)
	}
	dLive, err := dc.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bLive, err := bc.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dLive, bLive) {
		t.Error("blind writes stored another gateway than Create and Update")
	}

	clash := &kong.Service{ID: kong.String(uuid(9, 1)), Name: kong.String("orders"), Host: kong.String("x.test")}
	_, derr = dc.Create(ctx, clash)
	berr := bc.CreateBlind(ctx, clash)
	if !errors.Is(berr, gateway.ErrConflict) || derr == nil || berr.Error() != derr.Error() {
		t.Errorf("CreateBlind of a taken name = %v; want Create's %v", berr, derr)
	}
	noID := &kong.Service{Name: kong.String("orders")}
	_, derr = dc.Update(ctx, noID)
	if berr := bc.UpdateBlind(ctx, noID); berr == nil || derr == nil || berr.Error() != derr.Error() {
		t.Errorf("UpdateBlind without id = %v; want Update's %v", berr, derr)
	}
}

// TestEncodedIsSentAsTheEntity: Validate, CreateBlind, Create and UpdateBlind given an entity's Encoded send the
// requests they send given the entity and store the same gateway, options a write takes beside the schema's
// fields (a key-auth's ttl, a certificate's snis) included.
func TestEncodedIsSentAsTheEntity(t *testing.T) {
	plain, encoded := newSim(t), newSim(t)
	pc, ec := open(t, testConnection(plain.url)), open(t, testConnection(encoded.url))
	ctx := context.Background()
	entities := richGateway(t)
	cert, key := selfSigned(t, "other.test", false)
	entities = append(entities,
		&kong.KeyAuth{ID: kong.String(uuid(2, 1)), Key: kong.String("ttl-key-123"), TTL: kong.Int(3600),
			Consumer: &kong.Consumer{ID: kong.String(uuid(1, 3))}},
		&kong.Certificate{ID: kong.String(uuid(2, 2)), Cert: kong.String(cert), Key: kong.String(key),
			SNIs: kong.StringSlice("other.test")})
	for _, e := range entities {
		x, err := gateway.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if x.Entity() != e {
			t.Fatalf("Encode(%s).Entity() is another entity", snapshot.Describe(e))
		}
		for _, step := range []struct {
			name string
			do   func(c *gateway.Client, e any) error
		}{
			{"Validate", func(c *gateway.Client, e any) error { return c.Validate(ctx, e) }},
			{"CreateBlind", func(c *gateway.Client, e any) error { return c.CreateBlind(ctx, e) }},
			{"Create", func(c *gateway.Client, e any) error { _, err := c.Create(ctx, e); return err }},
			{"UpdateBlind", func(c *gateway.Client, e any) error { return c.UpdateBlind(ctx, e) }},
		} {
			perr, eerr := step.do(pc, e), step.do(ec, x)
			if perr != nil || eerr != nil {
				t.Fatalf("%s(%s) = %v; given its encoding, %v", step.name, snapshot.Describe(e), perr, eerr)
			}
		}
	}
	requests := func(s *sim) []string {
		var out []string
		for _, r := range s.Requests() {
			out = append(out, r.Method+" "+r.Path)
		}
		return out
	}
	if p, e := requests(plain), requests(encoded); !reflect.DeepEqual(p, e) {
		t.Errorf("encodings sent\n%v\nwant\n%v", e, p)
	}
	pLive, err := pc.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eLive, err := ec.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, live := range []*snapshot.Snapshot{pLive, eLive} {
		for _, sni := range live.SNIs {
			if *sni.Name == "other.test" {
				sni.ID = nil // Kong gives the SNIs of a certificate's snis option ids of its own
			}
		}
	}
	if !reflect.DeepEqual(pLive, eLive) {
		t.Error("encodings stored another gateway than the entities")
	}
}

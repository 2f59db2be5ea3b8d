package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

func TestReadEveryKind(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	stored := create(t, c, richGateway(t))
	s.ResetRequests()

	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for _, k := range snapshot.Kinds {
		if n := len(got.Entities(k)); n == 0 {
			t.Errorf("read no %s", k)
		}
	}
	want := &snapshot.Snapshot{}
	for _, e := range stored {
		if _, err := want.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	want.SortByID()
	for _, k := range snapshot.Kinds {
		if !reflect.DeepEqual(got.Entities(k), want.Entities(k)) {
			t.Errorf("%s read back differs from what Create returned:\n got %s\nwant %s", k, dump(got.Entities(k)), dump(want.Entities(k)))
		}
	}
	if n := methods(s); n[http.MethodGet] == 0 || len(n) != 1 {
		t.Errorf("Read sent %v; want GET requests only", n)
	}
	for _, e := range got.Certificates {
		if e.SNIs != nil || e.CreatedAt != nil {
			t.Errorf("certificate read with SNIs %v, created_at %v; want both cleared", e.SNIs, e.CreatedAt)
		}
	}
	for _, p := range got.Plugins {
		if p.CreatedAt != nil {
			t.Errorf("plugin %s read with created_at", *p.ID)
		}
	}
}

func TestReadKeepsPluginScope(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	create(t, c, richGateway(t))
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	scopes := map[string]string{}
	for _, p := range got.Plugins {
		scope := "global"
		switch {
		case p.Route != nil:
			scope = "route " + *p.Route.ID
		case p.Service != nil:
			scope = "service " + *p.Service.ID
		case p.Consumer != nil:
			scope = "consumer " + *p.Consumer.ID
		}
		scopes[*p.ID] = scope
	}
	want := map[string]string{
		uuid(1, 18): "global",
		uuid(1, 19): "service " + uuid(1, 7),
		uuid(1, 20): "route " + uuid(1, 16),
		uuid(1, 21): "consumer " + uuid(1, 3),
	}
	if !reflect.DeepEqual(scopes, want) {
		t.Errorf("plugin scopes = %v, want %v", scopes, want)
	}
	for _, p := range got.Plugins {
		if p.Route != nil && !reflect.DeepEqual(p.Route, &kong.Route{ID: p.Route.ID}) {
			t.Errorf("plugin route reference = %+v, want {ID} only", p.Route)
		}
	}
}

func TestReadPagination(t *testing.T) {
	s := newSim(t)
	const consumers, plugins, targets = 2500, 1500, 1200
	for i := range consumers {
		seed(t, s, http.MethodPut, "/consumers/"+uuid(2, i), map[string]any{"username": fmt.Sprintf("user-%04d", i)})
	}
	for i := range plugins {
		seed(t, s, http.MethodPut, "/plugins/"+uuid(3, i), map[string]any{
			"name": "correlation-id", "consumer": map[string]any{"id": uuid(2, i)},
		})
	}
	seed(t, s, http.MethodPut, "/upstreams/"+uuid(4, 0), map[string]any{"name": "big"})
	for i := range targets {
		seed(t, s, http.MethodPost, "/upstreams/big/targets", map[string]any{
			"id": uuid(5, i), "target": fmt.Sprintf("10.0.%d.%d:80", i/250, i%250),
		})
	}
	s.ResetRequests()

	c := open(t, testConnection(s.url))
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	tests := []struct {
		name string
		kind snapshot.Kind
		ids  func(int) string
		want int
	}{
		{name: "consumers", kind: snapshot.KindConsumer, ids: func(i int) string { return uuid(2, i) }, want: consumers},
		{name: "plugins", kind: snapshot.KindPlugin, ids: func(i int) string { return uuid(3, i) }, want: plugins},
		{name: "targets", kind: snapshot.KindTarget, ids: func(i int) string { return uuid(5, i) }, want: targets},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]int{}
			for _, e := range got.Entities(tt.kind) {
				seen[snapshot.ID(e)]++
			}
			for i := range tt.want {
				if n := seen[tt.ids(i)]; n != 1 {
					t.Errorf("%s %s read %d times, want once", tt.kind, tt.ids(i), n)
				}
			}
			if len(seen) != tt.want {
				t.Errorf("read %d distinct %s, want %d", len(seen), tt.kind, tt.want)
			}
		})
	}
	pages := map[string]int{}
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("Read sent %s %s; want GET only", r.Method, r.Path)
		}
		if !strings.Contains(r.Query, "size=1000") && r.Path != "/" && !strings.HasPrefix(r.Path, "/schemas/") {
			t.Errorf("GET %s?%s does not ask for pages of 1000", r.Path, r.Query)
		}
		pages[r.Path]++
	}
	if pages["/consumers"] != 3 || pages["/plugins"] != 2 || pages["/upstreams/"+uuid(4, 0)+"/targets"] != 2 {
		t.Errorf("pages read = %v; want 3 of consumers, 2 of plugins, 2 of targets", pages)
	}
}

func TestReadSelectTags(t *testing.T) {
	s := newSim(t)
	seed(t, s, http.MethodPut, "/services/"+uuid(1, 1), map[string]any{"name": "both", "host": "a.test", "tags": []string{"team-a", "prod"}})
	seed(t, s, http.MethodPut, "/services/"+uuid(1, 2), map[string]any{"name": "one", "host": "a.test", "tags": []string{"team-a"}})
	seed(t, s, http.MethodPut, "/upstreams/"+uuid(1, 3), map[string]any{"name": "up", "tags": []string{"team-a", "prod"}})
	seed(t, s, http.MethodPost, "/upstreams/up/targets", map[string]any{"target": "10.0.0.1:80"})
	conn := testConnection(s.url)
	conn.SelectTags = []string{"team-a", "prod"}
	got, err := open(t, conn).Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got.Services) != 1 || *got.Services[0].Name != "both" {
		t.Errorf("services = %s; want only the one with both tags", dump(got.Entities(snapshot.KindService)))
	}
	if len(got.Targets) != 1 {
		t.Errorf("targets = %d; want the untagged target of the selected upstream (Kong ignores tags there)", len(got.Targets))
	}
}

func TestReadRetries(t *testing.T) {
	tests := []struct {
		name  string
		fault kongsim.Fault
	}{
		{name: "500 twice", fault: kongsim.Fault{PathPrefix: "/routes", Status: http.StatusInternalServerError, Count: 2}},
		{name: "503 three times", fault: kongsim.Fault{PathPrefix: "/routes", Status: http.StatusServiceUnavailable, Count: 3}},
		{name: "502", fault: kongsim.Fault{PathPrefix: "/routes", Status: http.StatusBadGateway, Count: 1}},
		{name: "dropped connection", fault: kongsim.Fault{PathPrefix: "/routes", DropConnection: true, Count: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			c := open(t, testConnection(s.url))
			create(t, c, richGateway(t))
			s.AddFault(tt.fault)
			got, err := c.Read(context.Background())
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(got.Routes) != 1 {
				t.Errorf("read %d routes after retries, want 1", len(got.Routes))
			}
		})
	}
}

func TestReadHonoursRetryAfter(t *testing.T) {
	s := newSim(t)
	var logs logBuffer
	conn := testConnection(s.url)
	conn.Logger = logs.logger()
	c := open(t, conn)
	s.AddFault(kongsim.Fault{PathPrefix: "/services", Status: http.StatusTooManyRequests, RetryAfter: time.Second, Count: 1})
	if _, err := c.Read(context.Background()); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !strings.Contains(logs.String(), `"reason":"429 Too Many Requests","wait":1000000000`) {
		t.Errorf("logs do not show a 1s wait for the 429's Retry-After:\n%s", logs.String())
	}
}

func TestReadFailsWhole(t *testing.T) {
	tests := []struct {
		name    string
		retries int
		fault   kongsim.Fault
		want    []string
	}{
		{
			name:    "5xx after retries run out",
			retries: 2,
			fault:   kongsim.Fault{PathPrefix: "/routes", Status: http.StatusInternalServerError},
			want:    []string{`connection "test"`, "reading routes", "HTTP 500"},
		},
		{
			name:    "dropped connection on page 3",
			retries: -1,
			fault:   kongsim.Fault{PathPrefix: "/consumers", Nth: 3, DropConnection: true},
			want:    []string{`connection "test"`, "reading consumers", "page 3"},
		},
		{
			name:    "targets of an upstream",
			retries: 1,
			fault:   kongsim.Fault{PathPrefix: "/upstreams/" + uuid(1, 8) + "/targets", Status: http.StatusServiceUnavailable},
			want:    []string{`connection "test"`, `reading targets of upstream "orders.upstream"`, "HTTP 503"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			conn := testConnection(s.url)
			conn.Retries = tt.retries
			c := open(t, conn)
			create(t, c, richGateway(t))
			for i := range 2100 {
				seed(t, s, http.MethodPost, "/consumers", map[string]any{"username": fmt.Sprintf("u%d", i)})
			}
			s.AddFault(tt.fault)
			got, err := c.Read(context.Background())
			if err == nil || got != nil {
				t.Fatalf("Read = %v, %v; want no snapshot and an error", got, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// A collection is absent only when GET / says the gateway lacks it: an older Kong, or a plugin not installed.
func TestReadSkipsCollectionsTheGatewayLacks(t *testing.T) {
	s := kongsim.New(kongsim.Options{Version: "3.0.2"})
	srv := httptest.NewServer(withoutPlugins(s, "oauth2", "hmac-auth"))
	t.Cleanup(srv.Close)
	c := open(t, testConnection(srv.URL))
	create(t, c, richGateway(t))
	// Kong 3.0 has no keys or key sets; without oauth2 and hmac-auth there are no such credentials.
	for _, path := range []string{"/key-sets", "/keys", "/oauth2", "/hmac-auths"} {
		s.AddFault(kongsim.Fault{PathPrefix: path, Status: http.StatusNotFound})
	}
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got.KeySets)+len(got.Keys)+len(got.OAuth2s)+len(got.HMACAuths) != 0 || len(got.Services) != 1 {
		t.Errorf("read %v; want the 404 collections empty and the rest read", got.Count())
	}
	want := map[snapshot.Kind]string{
		snapshot.KindKeySet:   "the gateway answered 404 on /key-sets",
		snapshot.KindKey:      "the gateway answered 404 on /keys",
		snapshot.KindOAuth2:   "the gateway answered 404 on /oauth2",
		snapshot.KindHMACAuth: "the gateway answered 404 on /hmac-auths",
	}
	if absent := c.Absent(); !reflect.DeepEqual(absent, want) {
		t.Errorf("Absent() = %v; want %v", absent, want)
	}
}

// Issue 12 §1: a 404 on a collection the gateway says it has, and every 403, is a failed read, never "none".
func TestReadFailsOnACollectionTheGatewayHasButWillNotList(t *testing.T) {
	tests := []struct {
		name   string
		faults []string
		status int
		want   []string
	}{
		{"404 on key-auths", []string{"/key-auths"}, http.StatusNotFound,
			[]string{`connection "test"`, "GET /key-auths answered HTTP 404", "key-auth plugin available"}},
		{"404 on vaults", []string{"/vaults"}, http.StatusNotFound, []string{"GET /vaults answered HTTP 404", "Kong 3.9.1"}},
		{"403 on keys and key-sets", []string{"/keys", "/key-sets"}, http.StatusForbidden, []string{"answered HTTP 403"}},
		{"404 on services", []string{"/services"}, http.StatusNotFound, []string{"GET /services answered HTTP 404"}},
		{"404 on ca_certificates", []string{"/ca_certificates"}, http.StatusNotFound, []string{"GET /ca_certificates answered HTTP 404"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			c := open(t, testConnection(s.url))
			create(t, c, richGateway(t))
			for _, path := range tt.faults {
				s.AddFault(kongsim.Fault{PathPrefix: path, Status: tt.status})
			}
			got, err := c.Read(context.Background())
			if err == nil || got != nil {
				t.Fatalf("Read = %v, %v; want no snapshot and an error", got, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if absent := c.Absent(); len(absent) != 0 {
				t.Errorf("Absent() = %v; want none", absent)
			}
		})
	}
}

// withoutPlugins serves h, leaving the named plugins out of GET /'s plugins.available_on_server: a gateway that
// does not have them installed.
func withoutPlugins(h http.Handler, names ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var root map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &root); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		available := root["plugins"].(map[string]any)["available_on_server"].(map[string]any)
		for _, n := range names {
			delete(available, n)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(root)
	})
}

func TestReadCancelled(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := c.Read(ctx); err == nil || got != nil {
		t.Fatalf("Read with a cancelled context = %v, %v; want an error", got, err)
	}
}

func dump(entities []any) string {
	var b strings.Builder
	for _, e := range entities {
		j, _ := json.Marshal(e)
		fmt.Fprintf(&b, "\n  %s", j)
	}
	return b.String()
}

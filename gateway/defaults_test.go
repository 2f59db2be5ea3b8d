package gateway_test

import (
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

// richDeck reads the rich decK fixture, which leaves Kong's defaults out.
func richDeck(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	files, err := snapshot.ReadFile(filepath.Join("..", "testdata", "rich", "kong.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := snapshot.Read(files, snapshot.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func defaults(t *testing.T, c *gateway.Client, s ...*snapshot.Snapshot) diff.Defaults {
	t.Helper()
	d, err := c.Defaults(context.Background(), s...)
	if err != nil {
		t.Fatalf("Defaults: %v", err)
	}
	return d
}

// writes lists the requests other than GET in the simulator's log.
func writes(s *sim) []string {
	var out []string
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// schemaReads lists the GET /schemas requests in the simulator's log.
func schemaReads(s *sim) []string {
	var out []string
	for _, r := range s.Requests() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/schemas/") {
			out = append(out, r.Path)
		}
	}
	return out
}

func TestDefaultsRestoreOfADeckFileVerifiesClean(t *testing.T) {
	ctx := context.Background()
	target := richDeck(t)
	s := newSim(t)
	client := open(t, testConnection(s.url))
	current, err := client.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := defaults(t, client, current, target)
	opts := kongsync.Options{Diff: diff.Options{Defaults: d}}

	plan, err := kongsync.NewPlan(current, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kongsync.Apply(ctx, client, plan, kongsync.ApplyOptions{}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	left, err := kongsync.Verify(ctx, client, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !left.Empty() {
		t.Fatalf("verification after restore is not clean: %s\n%v", left.Summary(), left)
	}
	// Without Kong's defaults the same comparison finds the gateway different: the test would catch a Defaults
	// that filled nothing.
	if without, err := kongsync.Verify(ctx, client, target, kongsync.Options{}); err != nil || without.Empty() {
		t.Fatalf("without defaults verification is clean (%v): the fixture no longer omits defaults", err)
	}

	s.ResetRequests()
	live, err := client.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := kongsync.NewPlan(live, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Empty() {
		t.Fatalf("second plan is not empty: %s", second.Summary())
	}
	if _, err := kongsync.Apply(ctx, client, second, kongsync.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if w := writes(s); len(w) != 0 {
		t.Errorf("second restore wrote %v", w)
	}
}

func TestDefaultsDiff(t *testing.T) {
	ctx := context.Background()
	s := newSim(t)
	kc, err := kong.NewClient(kong.String(s.url), nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := kc.Services.Create(ctx, &kong.Service{Name: kong.String("billing"), Host: kong.String("billing.internal")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Routes.Create(ctx, &kong.Route{Name: kong.String("invoices"), Paths: kong.StringSlice("/invoices"),
		Service: &kong.Service{ID: svc.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Plugins.Create(ctx, &kong.Plugin{Name: kong.String("rate-limiting"), Service: &kong.Service{ID: svc.ID},
		Config: kong.Configuration{"minute": 20}}); err != nil {
		t.Fatal(err)
	}
	up, err := kc.Upstreams.Create(ctx, &kong.Upstream{Name: kong.String("billing.upstream")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Targets.Create(ctx, up.ID, &kong.Target{Target: kong.String("10.0.0.1:8000")}); err != nil {
		t.Fatal(err)
	}
	client := open(t, testConnection(s.url))
	live, err := client.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}

	const file = `_format_version: "3.0"
services:
  - name: billing
    host: billing.internal%s
    routes:
      - name: invoices
        paths: [/invoices]
    plugins:
      - name: rate-limiting
        config:
          minute: 20%s
upstreams:
  - name: billing.upstream
    targets:
      - target: 10.0.0.1:8000
`
	tests := []struct {
		name        string
		service     string // lines added to the service
		config      string // lines added to the plugin's config
		wantChanges []string
	}{
		{name: "file omitting defaults"},
		{name: "defaults spelled out", service: "\n    port: 80\n    protocol: http",
			config: "\n          policy: local\n          redis:\n            port: 6379"},
		{name: "service port changed", service: "\n    port: 8080", wantChanges: []string{"port"}},
		{name: "plugin config changed", config: "\n          policy: cluster", wantChanges: []string{"config.policy"}},
		{name: "deprecated alias spelling a default", config: "\n          redis_timeout: 2000"},
		{name: "deprecated alias changed", config: "\n          redis_database: 3",
			wantChanges: []string{"config.redis.database"}},
		{name: "nested record default changed", config: "\n          redis:\n            database: 2",
			wantChanges: []string{"config.redis.database"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := readDeck(t, file, tt.service, tt.config)
			changes := diff.Compare(live, target, diff.Options{Defaults: defaults(t, client, live, target)})
			var got []string
			for _, ch := range changes {
				if ch.Action != diff.Changed {
					t.Errorf("%s %s: want only changed fields", ch.Action, ch.Identity)
				}
				for _, f := range ch.Fields {
					got = append(got, f.Path)
				}
			}
			if !reflect.DeepEqual(got, tt.wantChanges) {
				t.Errorf("changed fields = %v, want %v\n%v", got, tt.wantChanges, changes)
			}
		})
	}
}

func readDeck(t *testing.T, format string, args ...any) *snapshot.Snapshot {
	t.Helper()
	text := format
	for _, a := range args {
		text = strings.Replace(text, "%s", a.(string), 1)
	}
	s, err := snapshot.Read(snapshot.Files{"kong.yaml": []byte(text)}, snapshot.ReadOptions{})
	if err != nil {
		t.Fatalf("reading %s: %v", text, err)
	}
	return s
}

func TestDefaultsFill(t *testing.T) {
	s := newSim(t)
	client := open(t, testConnection(s.url))
	plugins := readDeck(t, `_format_version: "3.0"
plugins:
  - name: rate-limiting
    config: {minute: 1}
  - name: cors
  - name: no-such-plugin
`)
	d := defaults(t, client, plugins)
	tests := []struct {
		name string
		kind snapshot.Kind
		in   map[string]any
		want map[string]any // fields of the result checked; others may be filled too
		none []string       // top-level fields that must stay absent
	}{
		{name: "service", kind: snapshot.KindService, in: map[string]any{"name": "a", "host": "a.test"},
			want: map[string]any{"protocol": "http", "port": 80.0, "retries": 5.0, "connect_timeout": 60000.0,
				"enabled": true, "host": "a.test"}},
		{name: "present value kept", kind: snapshot.KindService, in: map[string]any{"host": "a.test", "port": 8080.0, "enabled": false},
			want: map[string]any{"port": 8080.0, "enabled": false, "protocol": "http"}},
		{name: "route", kind: snapshot.KindRoute, in: map[string]any{"paths": []any{"/a"}},
			want: map[string]any{"protocols": []any{"http", "https"}, "strip_path": true, "preserve_host": false,
				"https_redirect_status_code": 426.0, "path_handling": "v0", "paths": []any{"/a"}}},
		{name: "target", kind: snapshot.KindTarget, in: map[string]any{"target": "10.0.0.1:80"},
			want: map[string]any{"weight": 100.0}},
		{name: "upstream record filled from its subfields", kind: snapshot.KindUpstream, in: map[string]any{"name": "u"},
			want: map[string]any{"algorithm": "round-robin", "slots": 10000.0}},
		{name: "credentials get no defaults, as in decK", kind: snapshot.KindJWT, in: map[string]any{"key": "k"},
			want: map[string]any{"key": "k"}, none: []string{"algorithm"}},
		{name: "plugin config from its schema", kind: snapshot.KindPlugin,
			in:   map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 1.0}},
			want: map[string]any{"enabled": true, "protocols": []any{"grpc", "grpcs", "http", "https"}}},
		{name: "plugin without config", kind: snapshot.KindPlugin, in: map[string]any{"name": "cors"},
			want: map[string]any{"enabled": true}},
		{name: "plugin the gateway lacks", kind: snapshot.KindPlugin, in: map[string]any{"name": "no-such-plugin"},
			want: map[string]any{"name": "no-such-plugin"}, none: []string{"enabled", "protocols", "config"}},
		{name: "plugin not asked for", kind: snapshot.KindPlugin, in: map[string]any{"name": "key-auth"},
			none: []string{"enabled", "config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Fill(tt.kind, tt.in)
			for k, want := range tt.want {
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("%s = %#v, want %#v", k, got[k], want)
				}
			}
			for _, k := range tt.none {
				if _, ok := got[k]; ok {
					t.Errorf("%s = %#v, want it absent", k, got[k])
				}
			}
		})
	}

	t.Run("nested records", func(t *testing.T) {
		up := d.Fill(snapshot.KindUpstream, map[string]any{"name": "u",
			"healthchecks": map[string]any{"active": map[string]any{"http_path": "/healthz"}}})
		active := up["healthchecks"].(map[string]any)["active"].(map[string]any)
		if active["http_path"] != "/healthz" || active["timeout"] != 1.0 || active["type"] != "http" {
			t.Errorf("healthchecks.active = %v: want http_path kept, timeout and type defaulted", active)
		}
		healthy := active["healthy"].(map[string]any)
		if healthy["interval"] != 0.0 || !reflect.DeepEqual(healthy["http_statuses"], []any{200.0, 302.0}) {
			t.Errorf("healthchecks.active.healthy = %v", healthy)
		}
		passive := up["healthchecks"].(map[string]any)["passive"].(map[string]any)
		if passive["type"] != "http" {
			t.Errorf("healthchecks.passive = %v: a required record gets its subfields' defaults", passive)
		}
	})
	t.Run("rate-limiting config", func(t *testing.T) {
		got := d.Fill(snapshot.KindPlugin, map[string]any{"name": "rate-limiting",
			"config": map[string]any{"minute": 1.0, "redis": map[string]any{"host": "r.test"}}})
		config := got["config"].(map[string]any)
		for k, want := range map[string]any{"minute": 1.0, "policy": "local", "limit_by": "consumer",
			"fault_tolerant": true, "error_code": 429.0, "sync_rate": -1.0} {
			if config[k] != want {
				t.Errorf("config.%s = %#v, want %#v", k, config[k], want)
			}
		}
		if _, ok := config["hour"]; ok {
			t.Errorf("config.hour = %v: a field without a default stays absent", config["hour"])
		}
		redis := config["redis"].(map[string]any)
		if redis["host"] != "r.test" || redis["port"] != 6379.0 || redis["database"] != 0.0 {
			t.Errorf("config.redis = %v: want host kept, port and database defaulted", redis)
		}
	})
}

func TestDefaultsSchemaErrors(t *testing.T) {
	service := map[string]any{"host": "a.test"}
	tests := []struct {
		name        string
		fault       kongsim.Fault
		wantErr     string // "" for no error
		wantService bool   // whether services still get their defaults
	}{
		{name: "404 on an entity schema means no defaults for it",
			fault: kongsim.Fault{Method: http.MethodGet, PathPrefix: "/schemas/services", Status: http.StatusNotFound}},
		{name: "404 on another schema leaves services alone",
			fault:       kongsim.Fault{Method: http.MethodGet, PathPrefix: "/schemas/targets", Status: http.StatusNotFound},
			wantService: true},
		{name: "500 on an entity schema is an error naming the connection",
			fault:   kongsim.Fault{Method: http.MethodGet, PathPrefix: "/schemas/routes", Status: http.StatusInternalServerError},
			wantErr: `connection "test": reading schema /schemas/routes for Kong's defaults and secret fields: HTTP 500`},
		{name: "500 on a plugin schema is an error naming the connection",
			fault:   kongsim.Fault{Method: http.MethodGet, PathPrefix: "/schemas/plugins/cors", Status: http.StatusInternalServerError},
			wantErr: `connection "test": reading schema /schemas/plugins/cors for Kong's defaults and secret fields: HTTP 500`},
	}
	plugins := readDeck(t, "_format_version: \"3.0\"\nplugins:\n  - name: cors\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			client := open(t, testConnection(s.url))
			s.AddFault(tt.fault)
			d, err := client.Defaults(context.Background(), plugins)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Defaults: %v", err)
			}
			_, filled := d.Fill(snapshot.KindService, maps.Clone(service))["protocol"]
			if filled != tt.wantService {
				t.Errorf("service defaults filled = %v, want %v", filled, tt.wantService)
			}
		})
	}
}

func TestDefaultsSchemasReadOncePerClient(t *testing.T) {
	s := newSim(t)
	client := open(t, testConnection(s.url))
	first := readDeck(t, "_format_version: \"3.0\"\nplugins:\n  - name: cors\n  - name: rate-limiting\n    config: {minute: 1}\n")
	second := readDeck(t, "_format_version: \"3.0\"\nplugins:\n  - name: cors\n  - name: key-auth\n")
	s.ResetRequests()
	defaults(t, client, first)
	got := schemaReads(s)
	sort.Strings(got)
	want := []string{"/schemas/plugins/cors", "/schemas/plugins/rate-limiting", "/schemas/routes", "/schemas/services",
		"/schemas/targets", "/schemas/upstreams"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("first Defaults read %v, want %v", got, want)
	}
	s.ResetRequests()
	d := defaults(t, client, first, second)
	if got := schemaReads(s); !reflect.DeepEqual(got, []string{"/schemas/plugins/key-auth"}) {
		t.Errorf("second Defaults read %v, want only the new plugin's schema", got)
	}
	if got := d.Fill(snapshot.KindPlugin, map[string]any{"name": "rate-limiting"}); got["enabled"] != true {
		t.Errorf("cached rate-limiting schema not used: %v", got)
	}
	other := open(t, testConnection(s.url))
	s.ResetRequests()
	defaults(t, other, first)
	if got := schemaReads(s); len(got) != len(want) {
		t.Errorf("another client read %v: each client reads its own gateway's schemas", got)
	}
}

package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

// testKey is a throwaway AES-256 key (hex) for tests.
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// gatewayFixture is one kongsim with a go-kong client to change it.
type gatewayFixture struct {
	sim  *kongsim.Server
	url  string
	kong *kong.Client
}

func newGateway(t testing.TB) *gatewayFixture {
	t.Helper()
	sim := kongsim.New(kongsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client, err := kong.NewClient(kong.String(srv.URL), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return &gatewayFixture{sim: sim, url: srv.URL, kong: client}
}

// seed gives the gateway a small realistic configuration, secrets included.
func (g *gatewayFixture) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	svc, err := g.kong.Services.Create(ctx, &kong.Service{Name: kong.String("billing"), Host: kong.String("billing.internal")})
	if err != nil {
		t.Fatal(err)
	}
	route, err := g.kong.Routes.Create(ctx, &kong.Route{Name: kong.String("invoices"), Paths: kong.StringSlice("/invoices"),
		Service: &kong.Service{ID: svc.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.kong.Plugins.Create(ctx, &kong.Plugin{Name: kong.String("key-auth"), Route: &kong.Route{ID: route.ID}}); err != nil {
		t.Fatal(err)
	}
	consumer, err := g.kong.Consumers.Create(ctx, &kong.Consumer{Username: kong.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.kong.KeyAuths.Create(ctx, consumer.ID, &kong.KeyAuth{Key: kong.String("alice-secret-key-123")}); err != nil {
		t.Fatal(err)
	}
}

func (g *gatewayFixture) addService(t testing.TB, name string) {
	t.Helper()
	if _, err := g.kong.Services.Create(context.Background(), &kong.Service{Name: kong.String(name), Host: kong.String(name + ".internal")}); err != nil {
		t.Fatal(err)
	}
}

// testEnv builds an Env over a config text, with a fixed clock, captured output and logs.
type testEnv struct {
	*Env
	stdout, stderr, logs *syncBuffer
	clock                *fakeClock
}

func newEnv(t testing.TB, configYAML string, vars map[string]string) *testEnv {
	t.Helper()
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	cfg, err := config.Parse([]byte(configYAML), lookup)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	te := &testEnv{stdout: &syncBuffer{}, stderr: &syncBuffer{}, logs: &syncBuffer{}}
	clock := &fakeClock{now: time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)}
	te.clock = clock
	te.Env = &Env{
		Config: cfg,
		Getenv: func(k string) string { return vars[k] },
		Stdout: te.stdout,
		Stderr: te.stderr,
		Logger: slog.New(slog.NewTextHandler(te.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:  clock.Now,
		RunID:  "run-1",
	}
	return te
}

// fakeClock advances one second per reading so commit times and tags stay distinct and ordered.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// Set moves the clock to t.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// connectionsYAML renders a config with one connection per admin URL, named in order.
func connectionsYAML(repoPath, remoteURL string, conns map[string]string, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "repository:\n  path: %s\n", repoPath)
	if remoteURL != "" {
		fmt.Fprintf(&b, "  remotes:\n    - name: backup\n      url: %s\n", remoteURL)
	}
	b.WriteString("encryption:\n  key_env: KONGSNAP_KEY\nconnections:\n")
	for _, name := range slices.Sorted(maps.Keys(conns)) {
		fmt.Fprintf(&b, "  - name: %s\n    admin_url: %s\n    retries: -1\n%s", name, conns[name], extra)
	}
	return b.String()
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

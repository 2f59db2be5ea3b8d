package sync

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
	"github.com/kongsnap/kongsnap/snapshot"
)

// sim is one in-process kongsim behind an httptest server and a real gateway client.
type sim struct {
	kong *kongsim.Server
	gw   *gateway.Client
}

// newSim starts an empty simulator. wrap, when not nil, sits between the server and the simulator (to count
// requests in flight). The client never retries, so an injected fault fails the operation it hits.
func newSim(t testing.TB, wrap func(http.Handler) http.Handler) *sim {
	t.Helper()
	k := kongsim.New(kongsim.Options{})
	var h http.Handler = k
	if wrap != nil {
		h = wrap(k)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	gw, err := gateway.Open(context.Background(), gateway.Connection{Name: "test", AdminURL: srv.URL, Retries: -1})
	if err != nil {
		t.Fatalf("opening the simulator: %v", err)
	}
	return &sim{kong: k, gw: gw}
}

func (s *sim) read(t testing.TB) *snapshot.Snapshot {
	t.Helper()
	live, err := s.gw.Read(context.Background())
	if err != nil {
		t.Fatalf("reading the simulator: %v", err)
	}
	return live
}

// writes returns the write requests in the simulator's log, "METHOD path" each.
func (s *sim) writes() []string {
	var out []string
	for _, r := range s.kong.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// schemaDefaults fills Kong's defaults from the simulator's schemas, so that a decK file (which leaves defaults
// out) compares equal to the gateway it was restored into.
type schemaDefaults struct{}

func (schemaDefaults) Fill(kind snapshot.Kind, m map[string]any) map[string]any {
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

// opts are the planning options of the tests: every kind, Kong's defaults, deterministic fresh ids.
func opts() Options {
	return Options{Diff: diff.Options{Defaults: schemaDefaults{}}}
}

// richTarget reads the rich decK fixture: every kind, every plugin scope, every credential kind.
func richTarget(t testing.TB) *snapshot.Snapshot {
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

// restore plans against the live gateway and applies, failing the test on any error.
func (s *sim) restore(t testing.TB, target *snapshot.Snapshot, o Options) (*Plan, *Result) {
	t.Helper()
	plan, err := NewPlan(s.read(t), target, o)
	if err != nil {
		t.Fatalf("planning: %v", err)
	}
	res, err := Apply(context.Background(), s.gw, plan, ApplyOptions{})
	if err != nil {
		t.Fatalf("applying: %v", err)
	}
	return plan, res
}

// verify fails the test when the gateway differs from target, but for the ids plans kept on purpose (Plan.Kept).
func (s *sim) verify(t testing.TB, target *snapshot.Snapshot, o Options, plans ...*Plan) {
	t.Helper()
	left, err := Verify(context.Background(), s.gw, target, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		left, _ = kept(left, &Result{}, p)
	}
	if !left.Empty() {
		t.Fatalf("the gateway differs from the target after the restore: %s\n%s", left.Summary(), describeChanges(left))
	}
}

func describeChanges(changes diff.Changes) string {
	var b strings.Builder
	for _, ch := range changes {
		b.WriteString(string(ch.Action) + " " + ch.Identity)
		for _, f := range ch.Fields {
			b.WriteString(" " + f.Path)
		}
		b.WriteString("\n")
	}
	return b.String()
}

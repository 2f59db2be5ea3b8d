package sync

import (
	"errors"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// without returns a copy of s without the entities of kind whose ids are listed.
func without(s *snapshot.Snapshot, kind snapshot.Kind, ids ...string) *snapshot.Snapshot {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	out := &snapshot.Snapshot{}
	for _, k := range snapshot.Kinds {
		for _, e := range s.Entities(k) {
			if k != kind || !drop[snapshot.ID(e)] {
				_, _ = out.Add(e)
			}
		}
	}
	return out
}

func TestGuardsRefuseBeforeAnyWrite(t *testing.T) {
	rich := richTarget(t)
	plugins := func() []string {
		var ids []string
		for _, p := range rich.Plugins[:11] {
			ids = append(ids, snapshot.ID(p))
		}
		return ids
	}()
	for _, tc := range []struct {
		name string
		// live is the gateway's content before the restore (nil: empty); target and change build the restore.
		live   func(t testing.TB) *snapshot.Snapshot
		target func(t *testing.T, live *snapshot.Snapshot) *snapshot.Snapshot
		change func(o *Options)
		want   error
		says   []string
	}{
		{
			name: "route whose service is nowhere",
			target: func(t *testing.T, _ *snapshot.Snapshot) *snapshot.Snapshot {
				return without(richTarget(t), snapshot.KindService, idOrders)
			},
			want: ErrDangling,
			says: []string{`route "orders-api" (id ` + idRouteOrders + `) references service id ` + idOrders + `, which the target does not hold`},
		},
		{
			name: "route whose service is outside the sections and not live",
			change: func(o *Options) {
				o.Sections = map[snapshot.Kind]bool{snapshot.KindRoute: true}
			},
			want: ErrOutsideSections,
			says: []string{`route "orders-api" (id ` + idRouteOrders + `) needs service "orders"`, "add their sections"},
		},
		{
			name: "more deletes than the default limit",
			live: richTarget,
			target: func(t *testing.T, _ *snapshot.Snapshot) *snapshot.Snapshot {
				return without(richTarget(t), snapshot.KindPlugin, plugins...)
			},
			want: ErrTooManyDeletes,
			says: []string{"11 deletes, at most 10 allowed", `delete plugin "cors" on route "orders-api"`, "raise the limit"},
		},
		{
			name: "more deletes than a lowered limit",
			live: richTarget,
			target: func(t *testing.T, _ *snapshot.Snapshot) *snapshot.Snapshot {
				return without(richTarget(t), snapshot.KindPlugin, plugins[:3]...)
			},
			change: func(o *Options) { o.MaxDeletes = 2 },
			want:   ErrTooManyDeletes,
			says:   []string{"3 deletes, at most 2 allowed"},
		},
		{
			name:   "empty target",
			live:   richTarget,
			target: func(*testing.T, *snapshot.Snapshot) *snapshot.Snapshot { return &snapshot.Snapshot{} },
			change: func(o *Options) { o.MaxDeletes = -1 },
			want:   ErrEmptyTarget,
			says:   []string{"it holds 0 entities in the sections, the gateway 65"},
		},
		{
			name: "nearly empty target",
			live: richTarget,
			target: func(t *testing.T, _ *snapshot.Snapshot) *snapshot.Snapshot {
				return &snapshot.Snapshot{Services: richTarget(t).Services}
			},
			change: func(o *Options) { o.MaxDeletes = -1 },
			want:   ErrEmptyTarget,
			says:   []string{"it holds 5 entities in the sections, the gateway 65"},
		},
		{
			name: "redacted secret",
			target: func(t *testing.T, _ *snapshot.Snapshot) *snapshot.Snapshot {
				s := richTarget(t)
				s.KeyAuths[0].Key = kong.String(snapshot.Redacted)
				return s
			},
			want: ErrRedacted,
			says: []string{"key-auth credential " + idKeyAuthAlice + " field key"},
		},
		{
			name: "basic-auth password known only as Kong's hash",
			target: func(t *testing.T, _ *snapshot.Snapshot) *snapshot.Snapshot {
				// A snapshot read from a gateway holds the hash, never the password.
				s := newSim(t, nil)
				s.restore(t, richTarget(t), opts())
				return s.read(t)
			},
			want: ErrUnknownPassword,
			says: []string{`basic-auth credential "alice" of consumer "alice"`, "only Kong's hash"},
		},
		{
			name: "unique key held by an entity no-delete keeps",
			live: func(testing.TB) *snapshot.Snapshot {
				return &snapshot.Snapshot{Consumers: []*kong.Consumer{{ID: kong.String(rogue(1)), Username: kong.String("eve"), CustomID: kong.String("c-1")}}}
			},
			target: func(*testing.T, *snapshot.Snapshot) *snapshot.Snapshot {
				return &snapshot.Snapshot{Consumers: []*kong.Consumer{{ID: kong.String(rogue(2)), CustomID: kong.String("c-1")}}}
			},
			change: func(o *Options) { o.NoDelete = true },
			want:   ErrCollision,
			says:   []string{`consumer "c-1" needs custom_id=c-1, which live consumer "eve" (id ` + rogue(1) + `) keeps`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, nil)
			if tc.live != nil {
				s.restore(t, tc.live(t), opts())
			}
			live := s.read(t)
			target := richTarget(t)
			if tc.target != nil {
				target = tc.target(t, live)
			}
			o := opts()
			if tc.change != nil {
				tc.change(&o)
			}
			s.kong.ResetRequests()
			plan, err := NewPlan(live, target, o)
			if !errors.Is(err, tc.want) {
				t.Fatalf("NewPlan = %v, want %v", err, tc.want)
			}
			if plan != nil {
				t.Error("a refused plan was returned")
			}
			for _, want := range tc.says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal does not say %q:\n%v", want, err)
				}
			}
			if w := s.writes(); len(w) != 0 {
				t.Errorf("a refused restore wrote %v", w)
			}
		})
	}
}

func TestGuardsLetSafePlansThrough(t *testing.T) {
	rich := richTarget(t)
	s := newSim(t, nil)
	s.restore(t, rich, opts())
	dumped := s.read(t) // basic-auth password as Kong's hash
	for _, tc := range []struct {
		name   string
		target *snapshot.Snapshot
		change func(o *Options)
	}{
		{"raised delete limit", without(rich, snapshot.KindPlugin, idCORS, idProxyCache, idRateOrders), func(o *Options) { o.MaxDeletes = 3 }},
		{"no limit", without(rich, snapshot.KindPlugin, idCORS, idProxyCache, idRateOrders), func(o *Options) { o.MaxDeletes = -1 }},
		{"empty target allowed", &snapshot.Snapshot{}, func(o *Options) { o.AllowEmpty, o.MaxDeletes = true, -1 }},
		{"no-delete keeps what the target lacks", &snapshot.Snapshot{Services: rich.Services}, func(o *Options) { o.AllowEmpty, o.NoDelete = true, true }},
		{"unchanged hashed basic-auth", without(dumped, snapshot.KindPlugin, idCORS), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts()
			if tc.change != nil {
				tc.change(&o)
			}
			plan, err := NewPlan(dumped, tc.target, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range plan.Operations {
				if o.NoDelete && op.Action == Delete {
					t.Errorf("no-delete planned %s", op)
				}
			}
		})
	}
}

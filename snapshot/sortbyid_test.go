package snapshot

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kong/go-kong/kong"
)

// TestSortByID orders each kind by id, then by name for entities without one, whatever order they came in,
// the order a read of id-ordered pages gives included.
func TestSortByID(t *testing.T) {
	want := []*kong.Service{
		{Name: kong.String("a")}, {Name: kong.String("b")},
		{ID: kong.String("1"), Name: kong.String("z")}, {ID: kong.String("2")}, {ID: kong.String("3"), Name: kong.String("a")},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		s := &Snapshot{Services: slices.Clone(want), Routes: []*kong.Route{{ID: kong.String("9")}, {ID: kong.String("8")}}}
		rng.Shuffle(len(s.Services), func(i, j int) { s.Services[i], s.Services[j] = s.Services[j], s.Services[i] })
		s.SortByID()
		if !slices.Equal(s.Services, want) {
			t.Fatalf("services in order %v", describeAll(s.Services))
		}
		if ID(s.Routes[0]) != "8" || ID(s.Routes[1]) != "9" {
			t.Fatalf("routes in order %s, %s", ID(s.Routes[0]), ID(s.Routes[1]))
		}
	}
}

func describeAll(services []*kong.Service) []string {
	var out []string
	for _, s := range services {
		out = append(out, ID(s)+"/"+Name(s))
	}
	return out
}

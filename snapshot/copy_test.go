package snapshot

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/kong/go-kong/kong"
)

// A plugin's copy is exactly go-kong's DeepCopy, config included (which go-kong copies through JSON), on the rich
// fixture, on random plugins, and on config values the shortcut must hand to the round trip or convert as it does.
func TestCopyPluginMatchesDeepCopy(t *testing.T) {
	check := func(p *kong.Plugin) {
		t.Helper()
		got, want := copyPlugin(p), p.DeepCopy()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("copy of %s:\n got %#v\nwant %#v", Describe(p), got.Config, want.Config)
		}
		if p.Config != nil && len(p.Config) > 0 && reflect.ValueOf(got.Config).UnsafePointer() == reflect.ValueOf(p.Config).UnsafePointer() {
			t.Fatalf("copy of %s shares its config with the original", Describe(p))
		}
	}
	for _, p := range richSnapshot(t).Plugins {
		check(p)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 500 {
		p := &kong.Plugin{}
		fill(rng, reflect.ValueOf(p).Elem(), 0)
		check(p)
	}
	odd := []any{nil, 3, int64(1<<53 + 1), int32(7), float32(0.1), math.NaN(), math.Inf(-1), json.Number("12.50"),
		"\xff", []string{"a"}, map[string]string{"a": "b"}, map[string]any(nil), []any(nil), []any{1, "x", nil},
		map[string]any{"\xfe": 1.0}, map[string]any{"deep": []any{map[string]any{"n": 2}}}, struct{ A int }{1}}
	for _, v := range odd {
		check(&kong.Plugin{Name: kong.String("p"), Config: kong.Configuration{"v": v, "plain": "x"}})
	}
	check(&kong.Plugin{Name: kong.String("empty"), Config: kong.Configuration{}})
	check(&kong.Plugin{Name: kong.String("none")})
}

// KindInfo.Copy of a plugin is copyPlugin.
func TestKindCopyOfAPluginIsCopyPlugin(t *testing.T) {
	p := &kong.Plugin{Name: kong.String("p"), Config: kong.Configuration{"n": 3}}
	got := KindOf(p).Info().Copy(p).(*kong.Plugin)
	if _, isFloat := got.Config["n"].(float64); !isFloat || !reflect.DeepEqual(got, p.DeepCopy()) {
		t.Fatalf("Copy gave %#v, want %#v", got, p.DeepCopy())
	}
}

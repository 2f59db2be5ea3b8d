package diff

import (
	"reflect"
	"testing"

	"github.com/kong/go-kong/kong"
)

// TestCompareInParallelIsCompareInOrder: pairs compared on several goroutines give exactly the changes, in
// exactly the order, of comparing them one after another (go test -race checks they share nothing they write).
func TestCompareInParallelIsCompareInOrder(t *testing.T) {
	current, target := benchSnapshot(3000), benchSnapshot(3000)
	for i := 0; i < 3000; i += 7 {
		target.Services[i].Port = kong.Int(8080)
		target.Plugins[i].Config["minute"] = 10
		target.Routes[(i+3)%3000].Paths = strs("/moved")
	}
	m := Match(current, target)
	got := m.Compare(Options{})
	c := &comparer{cur: m.cur, tgt: m.tgt}
	var want Changes
	for _, p := range m.Pairs {
		if ch, ok := c.pair(p.Kind, p); ok {
			want = append(want, ch)
		}
	}
	sortChanges(want)
	if len(want) != 3*429 {
		t.Fatalf("fixture: %d changes", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the parallel comparison differs from the sequential one: %d changes, want %d", len(got), len(want))
	}
}

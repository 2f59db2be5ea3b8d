package snapshot

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
)

// TestInPartsMatchesOneLoop holds inParts to a loop over the entities: the same entries in the same order, and
// of several failures the first entity's.
func TestInPartsMatchesOneLoop(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	ids := make([]int, 4*partSize+7)
	for i := range ids {
		ids[i] = i
	}
	add := func(failing ...int) func(int, *section) error {
		return func(i int, sec *section) error {
			for _, f := range failing {
				if i == f {
					return fmt.Errorf("entity %d failed", i)
				}
			}
			// names repeat, so that the sort after the join keeps ties in the order entities came in
			return sec.add(entityFields{"name": fmt.Sprintf("n%d", i%10), "port": i}, []string{"name"})
		}
	}
	loop := &section{}
	for _, i := range ids {
		if err := add()(i, loop); err != nil {
			t.Fatal(err)
		}
	}
	parts, err := inParts(ids, add())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sectionYAML(parts.sorted()), sectionYAML(loop.sorted()); !bytes.Equal(got, want) {
		t.Fatalf("inParts wrote\n%.300s...\nwant\n%.300s...", got, want)
	}
	for _, failing := range [][]int{{3 * partSize}, {3*partSize + 1, 5}, {len(ids) - 1, partSize}} {
		first := failing[0]
		for _, f := range failing {
			first = min(first, f)
		}
		_, err := inParts(ids, add(failing...))
		if want := fmt.Sprintf("entity %d failed", first); err == nil || err.Error() != want {
			t.Errorf("failing %v: error %v, want %q", failing, err, want)
		}
	}
}

// sectionYAML is a section's entries' YAML, in order.
func sectionYAML(s *section) []byte {
	var buf bytes.Buffer
	for _, e := range s.entries {
		buf.Write(s.yaml(e))
	}
	return buf.Bytes()
}

// TestScopePluginsMatchesOneLoop holds scopePlugins, which sorts the plugins in parts, to one loop over them:
// every parent's plugins and the top ones in the same order, and of several failures the first plugin's.
func TestScopePluginsMatchesOneLoop(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	s := &Snapshot{}
	for i := range 20 {
		s.Services = append(s.Services, &kong.Service{ID: kong.String(fmt.Sprintf("s%d", i))})
		s.Routes = append(s.Routes, &kong.Route{ID: kong.String(fmt.Sprintf("r%d", i))})
		s.Consumers = append(s.Consumers, &kong.Consumer{ID: kong.String(fmt.Sprintf("c%d", i))})
	}
	for i := range 4*partSize + 7 {
		p := &kong.Plugin{ID: kong.String(fmt.Sprintf("p%05d", i)), Name: kong.String("key-auth")}
		switch i % 5 {
		case 0:
			p.Service = &kong.Service{ID: kong.String(fmt.Sprintf("s%d", i%20))}
		case 1:
			p.Route = &kong.Route{ID: kong.String(fmt.Sprintf("r%d", i%20))}
		case 2:
			p.Consumer = &kong.Consumer{ID: kong.String(fmt.Sprintf("c%d", i%20))}
		case 3:
			p.Service = &kong.Service{ID: kong.String(fmt.Sprintf("s%d", i%20))}
			p.Consumer = &kong.Consumer{ID: kong.String(fmt.Sprintf("c%d", i%20))}
		}
		s.Plugins = append(s.Plugins, p)
	}
	b := &sectionBuilder{s: s, ix: parentIndex(s)}
	got, err := b.scopePlugins()
	if err != nil {
		t.Fatal(err)
	}
	want, err := b.scopeOf(s.Plugins)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("scopePlugins sorted the plugins otherwise than one loop over them")
	}
	for _, failing := range [][]int{{3 * partSize}, {3*partSize + 1, 5}, {len(s.Plugins) - 1, partSize}} {
		first := failing[0]
		for _, f := range failing {
			first = min(first, f)
		}
		for _, f := range failing {
			s.Plugins[f].Route = &kong.Route{Name: kong.String("missing")} // a parent known by name only, not held
		}
		_, err := b.scopePlugins()
		for _, f := range failing {
			s.Plugins[f].Route = nil
		}
		if err == nil || !strings.Contains(err.Error(), *s.Plugins[first].ID) {
			t.Errorf("failing %v: error %v, want the error of plugin %s", failing, err, *s.Plugins[first].ID)
		}
	}
}

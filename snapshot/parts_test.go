package snapshot

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
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
			return sec.add(fieldsFromMap(map[string]any{"name": fmt.Sprintf("n%d", i%10), "port": i}), []string{"name"})
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

package snapshot

import (
	"os"
	"reflect"
	"slices"
	"testing"
)

// Issue 12 §5: partial snapshots of the rich fixture (the example config's sections, and select tags) write and
// read back, their references to entities outside them kept by id; before, each failed with "dangling reference".
func TestPartialSnapshotsOfTheRichFixture(t *testing.T) {
	data, err := os.ReadFile("../testdata/rich/kong.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rich, err := Read(Files{"kong.yaml": data}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tagged := func(tag string) *Snapshot {
		out := &Snapshot{}
		for _, kind := range Kinds {
			for _, e := range rich.Entities(kind) {
				fields, _ := toFields(e)
				if tags, _ := fields["tags"].([]any); slices.Contains(tags, any(tag)) {
					_, _ = out.Add(e)
				}
			}
		}
		return out
	}
	sections := func(names ...string) *Snapshot {
		kinds, err := SectionKinds(names)
		if err != nil {
			t.Fatal(err)
		}
		return rich.Only(kinds)
	}
	tests := []struct {
		name string
		s    *Snapshot
		tags []string
	}{
		{"services and plugins", sections("services", "plugins"), nil},
		{"services", sections("services"), nil},
		{"routes", sections("routes"), nil},
		{"upstreams", sections("upstreams"), nil},
		{"select tag team-payments", tagged("team-payments"), []string{"team-payments"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.s.Len() == 0 {
				t.Fatal("the fixture gives this case no entities")
			}
			files, err := Write(tt.s, WriteOptions{Secrets: SecretsPlain, SelectTags: tt.tags})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			back, err := Read(files, ReadOptions{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			again, err := Write(back, WriteOptions{Secrets: SecretsPlain, SelectTags: tt.tags})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(files, again) {
				t.Errorf("write → read → write differs")
			}
			if back.Len() != tt.s.Len() {
				t.Errorf("read back %v, wrote %v", back.Count(), tt.s.Count())
			}
		})
	}
}

// Issue 12 §5: an empty gateway's snapshot is one file holding only _format_version, and reads as empty.
func TestEmptySnapshotIsOneReadableFile(t *testing.T) {
	files, err := Write(&Snapshot{}, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(files["services.yaml"]); got != "_format_version: \"3.0\"\n" || len(files) != 2 {
		t.Fatalf("files = %v; want services.yaml with only _format_version, and the manifest", files)
	}
	s, err := Read(files, ReadOptions{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if s.Len() != 0 {
		t.Errorf("read %v", s.Count())
	}
}

package gitstore_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

func TestDeltaReadsOnlyTheFilesThatDiffer(t *testing.T) {
	for _, packed := range []bool{false, true} {
		s, dir, _ := testStore(t, gitstore.Options{})
		save(t, s, snapshot("kong/prod", "prod: first", map[string]string{
			"same.yaml": "same\n", "changed.yaml": "before\n", "gone.yaml": "gone\n",
			"dir/same.yaml": "nested\n", "dir/changed.yaml": "nested before\n",
		}))
		if packed {
			// Loose blobs are read from their files, packed ones through go-git.
			gittest.Git(t, dir, "gc", "--quiet")
			s, _, _ = testStore(t, gitstore.Options{Path: dir})
		}
		checkDelta(t, s, packed)
	}
}

func checkDelta(t *testing.T, s *gitstore.Store, packed bool) {
	t.Helper()
	files := map[string][]byte{
		"same.yaml": []byte("same\n"), "changed.yaml": []byte("after\n"), "new.yaml": []byte("new\n"),
		"dir/same.yaml": []byte("nested\n"), "dir/changed.yaml": []byte("nested after\n"),
	}
	d, err := s.Delta(context.Background(), "kong/prod", files)
	if err != nil {
		t.Fatal(err)
	}
	wantOld := map[string][]byte{
		"changed.yaml": []byte("before\n"), "gone.yaml": []byte("gone\n"), "dir/changed.yaml": []byte("nested before\n"),
	}
	if !reflect.DeepEqual(d.Old, wantOld) {
		t.Errorf("packed %v: Old = %q, want %q", packed, d.Old, wantOld)
	}
	if want := map[string]bool{"same.yaml": true, "dir/same.yaml": true}; !reflect.DeepEqual(d.Unchanged, want) {
		t.Errorf("packed %v: Unchanged = %v, want %v (new.yaml is neither: the commit lacks it)", packed, d.Unchanged, want)
	}
}

func TestDeltaUnknownRef(t *testing.T) {
	s, _, _ := testStore(t, gitstore.Options{})
	if _, err := s.Delta(context.Background(), "kong/nope", nil); !errors.Is(err, gitstore.ErrUnknownRef) {
		t.Fatalf("Delta of a missing branch: err = %v, want ErrUnknownRef", err)
	}
}

func TestFileReadsOneFile(t *testing.T) {
	s, _, _ := testStore(t, gitstore.Options{})
	save(t, s, snapshot("kong/prod", "prod: first", map[string]string{"kong.yaml": "kong\n", "dir/nested.yaml": "nested\n"}))
	for _, tt := range []struct {
		path, want string
		ok         bool
	}{
		{"kong.yaml", "kong\n", true},
		{"dir/nested.yaml", "nested\n", true},
		{"dir", "", false},
		{"missing.yaml", "", false},
		{"nope/missing.yaml", "", false},
	} {
		content, ok, err := s.File(context.Background(), "kong/prod", tt.path)
		if err != nil || ok != tt.ok || string(content) != tt.want {
			t.Errorf("File(%q) = %q, %v, %v; want %q, %v", tt.path, content, ok, err, tt.want, tt.ok)
		}
	}
	if _, _, err := s.File(context.Background(), "kong/nope", "kong.yaml"); !errors.Is(err, gitstore.ErrUnknownRef) {
		t.Errorf("File of a missing branch: err = %v, want ErrUnknownRef", err)
	}
}

// TestFilesReadsLooseAndPackedBlobs: Files reads a tree whose blobs are partly packed (by git gc) and partly loose
// (saved since), every file with its own content.
func TestFilesReadsLooseAndPackedBlobs(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	first := map[string]string{"kept.yaml": "kept\n", "dir/kept.yaml": "nested kept\n", "changed.yaml": "before\n"}
	save(t, s, snapshot("kong/prod", "prod: first", first))
	gittest.Git(t, dir, "gc", "--quiet")
	s, _, _ = testStore(t, gitstore.Options{Path: dir})
	second := map[string]string{"kept.yaml": "kept\n", "dir/kept.yaml": "nested kept\n", "changed.yaml": "after\n",
		"new.yaml": "new\n", "dir/new.yaml": "nested new\n"}
	save(t, s, snapshot("kong/prod", "prod: second", second))
	files, _, err := s.Files(context.Background(), "kong/prod")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, content := range files {
		got[name] = string(content)
	}
	if !reflect.DeepEqual(got, second) {
		t.Errorf("Files = %q, want %q", got, second)
	}
}

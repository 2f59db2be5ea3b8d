package gitstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

// A Save given the blobs Prepare compressed commits exactly what a Save that compresses them itself commits:
// the same commit id, objects real git reads and checks, and the blobs the repository already held left as they
// are (Prepare compresses only what it lacks). A Prepared made for other files changes nothing.
func TestSaveWithPreparedBlobs(t *testing.T) {
	big := strings.Repeat("- name: svc\n  retries: 5\n", 20000)
	first := snapshot("kong/prod", "prod: first", map[string]string{"services.yaml": big, "kong.yaml": "a\n"})
	second := snapshot("kong/prod", "prod: second", map[string]string{
		"services.yaml": big + "- name: new\n", "kong.yaml": "a\n", "b/c.yaml": "c\n"})
	ctx := context.Background()

	plain, _, _ := testStore(t, gitstore.Options{})
	save(t, plain, first)
	want := save(t, plain, second)

	for _, name := range []string{"its own files", "other files"} {
		s, dir, _ := testStore(t, gitstore.Options{})
		save(t, s, first)
		req := second
		if name == "its own files" {
			req.Ready = s.Prepare(ctx, second.Files)
		} else {
			req.Ready = s.Prepare(ctx, map[string][]byte{"x.yaml": []byte("unrelated\n")})
		}
		got := save(t, s, req)
		if got.Hash != want.Hash {
			t.Errorf("%s: commit %s, want %s (the same Save without prepared blobs)", name, got.Hash, want.Hash)
		}
		gittest.Git(t, dir, "fsck", "--strict", "--no-dangling")
		for path, content := range second.Files {
			if got := gittest.Git(t, dir, "show", "kong/prod:"+path); got != strings.TrimSuffix(string(content), "\n") {
				t.Errorf("%s: %s reads back as %d bytes, want %d", name, path, len(got), len(content))
			}
		}
	}
}

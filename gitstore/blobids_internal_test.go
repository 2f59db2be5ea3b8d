package gitstore

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
)

// Under one Lock, a backup's sequence (is it unchanged, prepare, save, the summary's delta) hashes each file's
// content once; after the Lock is released nothing is remembered, so a content changed in place is hashed anew
// and committed as it now is.
func TestLockHashesEachContentOnce(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "repo"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	const branch = "kong/prod"
	first := map[string][]byte{"a.yaml": []byte("a: 1\n"), "b.yaml": []byte("b: 1\n")}
	if _, err := s.Save(ctx, CommitRequest{Branch: branch, Summary: "first", Files: first}); err != nil {
		t.Fatal(err)
	}

	files := map[string][]byte{"a.yaml": []byte("a: 1\n"), "b.yaml": []byte("b: 2\n"), "c/d.yaml": []byte("d: 1\n")}
	size := int64(0)
	for _, content := range files {
		size += int64(len(content))
	}
	unlock, err := s.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := s.blobs.hashed.Load()
	if same, err := s.Unchanged(ctx, branch, "", files); err != nil || same {
		t.Fatalf("Unchanged = %v, %v; want false, nil", same, err)
	}
	ready := s.Prepare(ctx, files)
	delta, err := s.Delta(ctx, branch, files)
	if err != nil {
		t.Fatal(err)
	}
	if !delta.Unchanged["a.yaml"] || delta.Unchanged["b.yaml"] {
		t.Errorf("Delta.Unchanged = %v; want a.yaml only", delta.Unchanged)
	}
	if _, err := s.Save(ctx, CommitRequest{Branch: branch, Summary: "second", Files: files, Ready: ready}); err != nil {
		t.Fatal(err)
	}
	if got := s.blobs.hashed.Load() - before; got != size {
		t.Errorf("under one Lock the four operations hashed %d bytes; want %d, each content once", got, size)
	}
	unlock()

	files["b.yaml"][3] = '3' // the same array, changed in place: "b: 3\n"
	if _, err := s.Save(ctx, CommitRequest{Branch: branch, Summary: "third", Files: files}); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Files(ctx, branch)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got["b.yaml"], []byte("b: 3\n")) {
		t.Errorf("after the Lock, b.yaml was committed as %q; want %q", got["b.yaml"], "b: 3\n")
	}
}

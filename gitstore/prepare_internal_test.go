package gitstore

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
)

// Prepare compresses the blobs the repository lacks, and only those.
func TestPrepareCompressesWhatTheRepositoryLacks(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{Path: filepath.Join(t.TempDir(), "repo"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	held := []byte("held: true\n")
	if _, err := s.Save(ctx, CommitRequest{Branch: "kong/prod", Summary: "first", Files: map[string][]byte{"a.yaml": held}}); err != nil {
		t.Fatal(err)
	}
	fresh := []byte("fresh: true\n")
	p := s.Prepare(ctx, map[string][]byte{"a.yaml": held, "b.yaml": fresh})
	if _, ok := p.blob(blobHash(held)); ok {
		t.Error("Prepare compressed a blob the repository holds")
	}
	if _, ok := p.blob(blobHash(fresh)); !ok {
		t.Error("Prepare did not compress the blob the repository lacks")
	}
	var nothing *Prepared
	if _, ok := nothing.blob(blobHash(fresh)); ok {
		t.Error("a nil Prepared holds a blob")
	}
}

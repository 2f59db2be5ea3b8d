package gitstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore"
)

// BenchmarkHeadAmongTags is Store.Head of a branch with a year of daily snapshots, each tagged: what every
// unchanged backup asks (publishPending) before it pushes.
func BenchmarkHeadAmongTags(b *testing.B) {
	s, err := gitstore.Open(context.Background(), gitstore.Options{Path: filepath.Join(b.TempDir(), "repo"), Clock: newClock().Now})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 365 {
		req := gitstore.CommitRequest{Branch: "kong/prod", Summary: "prod: snapshot", Tag: fmt.Sprintf("kongsnap/prod/%04d", i),
			Files: map[string][]byte{"kong.yaml": []byte(fmt.Sprintf("n: %d\n", i))}}
		if _, err := s.Save(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if c, err := s.Head(context.Background(), "kong/prod"); err != nil || len(c.Tags) != 1 {
			b.Fatalf("Head: %v, tags %v", err, c.Tags)
		}
	}
}

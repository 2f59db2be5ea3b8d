package gitstore

import (
	"bytes"
	"context"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Prepared holds the blobs of a snapshot's files that the repository lacks, compressed as Save would store them,
// by a goroutine of their own: compressing a changed file of tens of megabytes is most of a Save, and the caller
// can meanwhile do what the commit waits for (Record writes the commit's summary, which reads the last snapshot).
// A Save given it (CommitRequest.Ready) waits for the compressing, then writes the compressed bytes as they are.
type Prepared struct {
	done  chan struct{}
	blobs map[plumbing.Hash][]byte // set before done is closed, read only after
}

// Prepare starts compressing the blobs of files that the repository does not hold. It only reads the repository
// (which blobs it has), under the store's lock, and returns before the compressing is done; the goroutine doing it
// touches nothing but files' contents, which must not change until the Save. In a repository not on disk, where
// Save stores objects through go-git, there is nothing to prepare.
func (s *Store) Prepare(ctx context.Context, files map[string][]byte) *Prepared {
	p := &Prepared{done: make(chan struct{}), blobs: map[plumbing.Hash][]byte{}}
	if _, isFS := s.repo.Storer.(*filesystem.Storage); !isFS {
		close(p.done)
		return p
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		close(p.done) // the Save reports it
		return p
	}
	contents := make([][]byte, 0, len(files))
	for _, content := range files {
		contents = append(contents, content)
	}
	hashes := s.blobs.all(contents)
	var todo []int
	for i, hash := range hashes {
		if s.repo.Storer.HasEncodedObject(hash) != nil {
			todo = append(todo, i)
		}
	}
	done()
	go func() {
		defer close(p.done)
		for _, i := range todo {
			var buf bytes.Buffer
			if compressBlob(&buf, contents[i]) == nil {
				p.blobs[hashes[i]] = buf.Bytes()
			}
		}
	}()
	return p
}

// blob waits for the compressing, then returns the blob hash compressed, if p holds it (a nil p holds none).
func (p *Prepared) blob(hash plumbing.Hash) ([]byte, bool) {
	if p == nil {
		return nil, false
	}
	<-p.done
	b, ok := p.blobs[hash]
	return b, ok
}

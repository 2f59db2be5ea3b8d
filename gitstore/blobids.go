package gitstore

import (
	"crypto/sha1"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/sync/errgroup"
)

// blobIDs remembers, while a Lock is held, the blob id of each file content a Store has hashed. A backup under
// one Lock asks for a snapshot's blob ids up to four times (is it unchanged, which blobs to compress, the commit's
// tree, the summary's delta), and each asking hashed tens of megabytes. A content is known by its first byte's
// address and its length, so the memo is only sound while contents do not change, which Lock asks of its holder;
// it is dropped when the Lock is released, and outside a Lock nothing is remembered.
type blobIDs struct {
	mu     sync.Mutex
	ids    map[blobKey]plumbing.Hash // nil outside a Lock
	hashed atomic.Int64              // bytes hashed, for tests
}

type blobKey struct {
	data *byte
	n    int
}

func (b *blobIDs) start() {
	b.mu.Lock()
	b.ids = map[blobKey]plumbing.Hash{}
	b.mu.Unlock()
}

func (b *blobIDs) stop() {
	b.mu.Lock()
	b.ids = nil
	b.mu.Unlock()
}

// of returns content's blob id, hashing it unless it is remembered.
func (b *blobIDs) of(content []byte) plumbing.Hash {
	if len(content) == 0 {
		return blobHash(content)
	}
	key := blobKey{&content[0], len(content)}
	b.mu.Lock()
	id, ok := b.ids[key]
	b.mu.Unlock()
	if ok {
		return id
	}
	id = blobHash(content)
	b.hashed.Add(int64(len(content)))
	b.mu.Lock()
	if b.ids != nil {
		b.ids[key] = id
	}
	b.mu.Unlock()
	return id
}

// all is of for each content, side by side (a snapshot's files are tens of megabytes).
func (b *blobIDs) all(contents [][]byte) []plumbing.Hash {
	hashes := make([]plumbing.Hash, len(contents))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, content := range contents {
		g.Go(func() error {
			hashes[i] = b.of(content)
			return nil
		})
	}
	_ = g.Wait()
	return hashes
}

// blobHash is the object id git gives content as a blob: the SHA-1 of "blob <size>\x00<content>". It is the
// standard SHA-1, not go-git's collision-detecting one (sha1cd, several times slower): the content is what
// kongsnap wrote, hashed to name it, not an object received from elsewhere to be checked.
func blobHash(content []byte) plumbing.Hash {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(content)) + "\x00"))
	h.Write(content)
	var hash plumbing.Hash
	copy(hash[:], h.Sum(nil))
	return hash
}

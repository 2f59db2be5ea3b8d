package gitstore_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore"
)

// TestReadBlobsAreNotKept: a snapshot's files, once the caller drops them, are not kept alive by the repository
// (go-git's default object cache held up to 96 MiB of them for the whole run, beside two gateways). It reads the
// files twice, from a store reopened on the same repository and from the one that wrote them.
func TestReadBlobsAreNotKept(t *testing.T) {
	s, path, _ := testStore(t, gitstore.Options{})
	big := strings.Repeat("- name: consumer\n", 200_000) // 3.4 MB
	c := save(t, s, snapshot("kong/prod", "big", map[string]string{"consumers.yaml": big, "services.yaml": "services: []\n"}))
	reopened, err := gitstore.Open(context.Background(), gitstore.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for name, store := range map[string]*gitstore.Store{"writer": s, "reopened": reopened} {
		before := heap()
		files, _, err := store.Files(context.Background(), c.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if string(files["consumers.yaml"]) != big {
			t.Fatalf("%s: read back something else", name)
		}
		files = nil
		if kept := int64(heap()) - int64(before); kept > int64(len(big))/2 {
			t.Errorf("%s: %d bytes are still held after the reader dropped the %d-byte file it read", name, kept, len(big))
		}
	}
}

package snapshot

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestReadParallelIsTheSequentialRead holds the parallel read to the entity-at-a-time one on snapshots kongsnap
// writes (every kind, encrypted secrets, nesting, many batches): it must not give up on them, and must give the same
// entities, field for field, references included.
func TestReadParallelIsTheSequentialRead(t *testing.T) {
	for name, s := range map[string]*Snapshot{"rich": richSnapshot(t), "large": largeSnapshot(t, 700)} {
		t.Run(name, func(t *testing.T) {
			files, err := Write(s, richOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			opts := ReadOptions{Keyring: richOptions(t).Keyring, Encrypted: true}
			names := slices.Sorted(maps.Keys(files))
			names = slices.DeleteFunc(names, func(n string) bool { return !IsStateFile(n) })
			parallel, err := readParallel(files, names, opts)
			if err != nil {
				t.Fatalf("the parallel read gave up on files kongsnap wrote: %v", err)
			}
			sequential, err := readSequential(files, names, opts, true)
			if err != nil {
				t.Fatal(err)
			}
			if parallel.Len() != s.Len() {
				t.Fatalf("read %d entities, wrote %d", parallel.Len(), s.Len())
			}
			for _, kind := range Kinds {
				if !reflect.DeepEqual(parallel.Entities(kind), sequential.Entities(kind)) {
					t.Errorf("%s differ between the parallel and the sequential read", kind)
				}
			}
		})
	}
}

// TestReadParallelGivesUpOnErrors: a file the parallel read cannot read as the sequential read would, or that
// holds an error, is read again sequentially, so the error is the one the sequential read reports.
func TestReadParallelGivesUpOnErrors(t *testing.T) {
	files, err := Write(largeSnapshot(t, 300), richOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(string) string{
		"a duplicate entity late in a file": func(s string) string {
			return strings.Replace(s, "username: user-299\n", "username: user-3\n", 1)
		},
		"an unknown field": func(s string) string {
			return strings.Replace(s, "username: user-250\n", "username: user-250\n    shoe_size: 44\n", 1)
		},
		"a ciphertext that does not decrypt": func(s string) string {
			i := strings.LastIndex(s, "key: kongsnap:")
			return s[:i] + "key: kongsnap:v1:AAAA" + s[strings.Index(s[i:], "\n")+i:]
		},
	}
	// Clashes between files: each file's own read finds nothing wrong.
	others := map[string]string{
		"an entity of another file again": "_format_version: \"3.0\"\nconsumers:\n- username: user-3\n",
		"another _format_version":         "_format_version: \"1.1\"\nconsumers:\n- username: someone-else\n",
	}
	for name, other := range others {
		t.Run(name, func(t *testing.T) {
			edited := maps.Clone(files)
			edited["zz-other.yaml"] = []byte(other)
			checkGivesUp(t, edited, []string{"consumers.yaml", "services.yaml", "zz-other.yaml"})
		})
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			edited := maps.Clone(files)
			edited["consumers.yaml"] = []byte(edit(string(files["consumers.yaml"])))
			checkGivesUp(t, edited, []string{"consumers.yaml", "services.yaml"})
		})
	}
}

// checkGivesUp: the parallel read of files gives up, and Read then reports the sequential read's error.
func checkGivesUp(t *testing.T, files Files, names []string) {
	t.Helper()
	opts := ReadOptions{Keyring: richOptions(t).Keyring, Encrypted: true}
	if _, err := readParallel(files, names, opts); err != errGaveUp {
		t.Fatalf("the parallel read did not give up: %v", err)
	}
	_, want := readSequential(files, names, opts, true)
	_, got := Read(files, opts)
	if want == nil || got == nil || got.Error() != want.Error() {
		t.Errorf("Read says %v, the sequential read %v", got, want)
	}
}

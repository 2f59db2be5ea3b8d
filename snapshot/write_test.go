package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kong/go-kong/kong"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func writeRich(t *testing.T, s *Snapshot, opts WriteOptions) Files {
	t.Helper()
	files, err := Write(s, opts)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return files
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./snapshot -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestWriteGolden(t *testing.T) {
	tests := []struct {
		name string
		opts func(t *testing.T) WriteOptions
	}{
		{"encrypt", func(t *testing.T) WriteOptions { return richOptions(t) }},
		{"redact", func(t *testing.T) WriteOptions {
			return WriteOptions{Connection: "prod-eu", KongVersion: "3.9.1", Secrets: SecretsRedact,
				SelectTags: []string{"managed-by-kongsnap"}}
		}},
		{"plain", func(t *testing.T) WriteOptions {
			return WriteOptions{Connection: "prod-eu", KongVersion: "3.9.1", Secrets: SecretsPlain}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := writeRich(t, richSnapshot(t), tt.opts(t))
			var names []string
			for name := range files {
				names = append(names, name)
			}
			sort.Strings(names)
			want := []string{ManifestName, "ca_certificates.yaml", "certificates.yaml", "consumers.yaml", "keys.yaml",
				"plugins.yaml", "services.yaml", "upstreams.yaml", "vaults.yaml"}
			if !slices.Equal(names, want) {
				t.Fatalf("files = %v, want %v", names, want)
			}
			for _, name := range names {
				golden(t, tt.name+"/"+name, files[name])
			}
			// Streamed, the same files.
			if streamed := writeStreamed(t, richSnapshot(t), tt.opts(t)); !reflect.DeepEqual(streamed, files) {
				t.Errorf("WriteTo wrote %v, not Write's files %v (or other bytes)", keys(streamed), keys(files))
			}
			merged, err := WriteMerged(richSnapshot(t), tt.opts(t))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+"-merged.yaml", merged)
		})
	}
}

func TestWriteOmitsEmptySections(t *testing.T) {
	s := &Snapshot{Services: []*kong.Service{{ID: kong.String(idSvcOrders), Name: kong.String("orders"),
		Host: kong.String("orders.internal")}}}
	files := writeRich(t, s, WriteOptions{})
	if len(files) != 2 || files["services.yaml"] == nil || files[ManifestName] == nil {
		t.Fatalf("files = %v, want services.yaml and the manifest only", keys(files))
	}
	if bytes.Contains(files[ManifestName], []byte("select_tag")) {
		t.Errorf("manifest names select tags nobody chose:\n%s", files[ManifestName])
	}
}

func keys(files Files) []string {
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		opts WriteOptions
		read ReadOptions
	}{
		{"encrypt", WriteOptions{Keyring: testRing(t, 1)}, ReadOptions{Keyring: testRing(t, 1)}},
		{"plain", WriteOptions{Secrets: SecretsPlain}, ReadOptions{}},
		{"select tags", WriteOptions{Secrets: SecretsPlain, SelectTags: []string{"prod"}}, ReadOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := richSnapshot(t)
			if len(tt.opts.SelectTags) > 0 {
				tagAll(want, tt.opts.SelectTags[0])
			}
			first := writeRich(t, want, tt.opts)
			got, err := Read(first, tt.read)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			want.SortByID()
			got.SortByID()
			for _, kind := range Kinds {
				if !reflect.DeepEqual(got.Entities(kind), want.Entities(kind)) {
					t.Errorf("%s after a round trip:\n got %s\nwant %s", kind, dump(t, got.Entities(kind)), dump(t, want.Entities(kind)))
				}
			}
			second := writeRich(t, got, tt.opts)
			for _, name := range keys(first) {
				if !bytes.Equal(first[name], second[name]) {
					t.Errorf("%s changed on write → read → write:\n%s\n---\n%s", name, first[name], second[name])
				}
			}
		})
	}
}

// tagAll gives every entity tag, as a gateway read with select tags would.
func tagAll(s *Snapshot, tag string) {
	for _, kind := range Kinds {
		for _, e := range s.Entities(kind) {
			v := reflect.ValueOf(e).Elem().FieldByName("Tags")
			tags := v.Interface().([]*string)
			v.Set(reflect.ValueOf(append(tags, kong.String(tag))))
		}
	}
}

func dump(t *testing.T, v any) string {
	t.Helper()
	data, err := jsonMarshalIndent(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestWriteIgnoresInsertionOrder(t *testing.T) {
	want := writeRich(t, richSnapshot(t), richOptions(t))
	for seed := range uint64(8) {
		s := richSnapshot(t)
		rng := rand.New(rand.NewPCG(seed, seed*7+1))
		shuffle(rng, s.Services)
		shuffle(rng, s.Routes)
		shuffle(rng, s.Consumers)
		shuffle(rng, s.Plugins)
		shuffle(rng, s.Targets)
		shuffle(rng, s.SNIs)
		shuffle(rng, s.Keys)
		shuffle(rng, s.KeyAuths)
		shuffle(rng, s.ACLs)
		got := writeRich(t, s, richOptions(t))
		for _, name := range keys(want) {
			if !bytes.Equal(got[name], want[name]) {
				t.Errorf("seed %d: %s depends on insertion order:\n%s", seed, name, got[name])
			}
		}
	}
}

func shuffle[T any](rng *rand.Rand, items []T) {
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
}

// scope names a plugin's parents: "global", "route", "service+consumer"...
func scope(p *kong.Plugin) string {
	var parts []string
	if p.Service != nil {
		parts = append(parts, "service")
	}
	if p.Route != nil {
		parts = append(parts, "route")
	}
	if p.Consumer != nil {
		parts = append(parts, "consumer")
	}
	if len(parts) == 0 {
		return "global"
	}
	return strings.Join(parts, "+")
}

func TestPluginScopeSurvivesRoundTrip(t *testing.T) {
	s := richSnapshot(t)
	files := writeRich(t, s, WriteOptions{Secrets: SecretsPlain})
	got, err := Read(files, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, p := range s.Plugins {
		before[*p.ID] = scope(p)
	}
	if len(got.Plugins) != len(s.Plugins) {
		t.Fatalf("%d plugins after a round trip, want %d", len(got.Plugins), len(s.Plugins))
	}
	for _, p := range got.Plugins {
		if scope(p) != before[*p.ID] {
			t.Errorf("plugin %s: scope %s after a round trip, want %s", *p.ID, scope(p), before[*p.ID])
		}
	}
	routeScoped := "00000000-0000-4000-8000-000000000063"
	services := string(files["services.yaml"])
	if !strings.Contains(services, "  routes:\n") || !strings.Contains(services, "id: "+routeScoped) {
		t.Fatalf("route plugin %s not in services.yaml:\n%s", routeScoped, services)
	}
	if strings.Contains(string(files["plugins.yaml"]), routeScoped) {
		t.Errorf("route plugin %s written at top level:\n%s", routeScoped, files["plugins.yaml"])
	}
}

func jsonMarshalIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }

// memoryFile is a file WriteTo writes into memory, kept once closed.
type memoryFile struct {
	bytes.Buffer
	name  string
	files Files
	mu    *sync.Mutex
}

func (f *memoryFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[f.name] = f.Bytes()
	return nil
}

// writeStreamed is Write by WriteTo, into memory.
func writeStreamed(t *testing.T, s *Snapshot, opts WriteOptions) Files {
	t.Helper()
	files, mu := Files{}, &sync.Mutex{}
	err := WriteTo(s, opts, func(name string) (io.WriteCloser, error) {
		return &memoryFile{name: name, files: files, mu: mu}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// WriteTo writes what Write makes, an empty snapshot's single file included, and a file it cannot create or write
// fails it, named.
func TestWriteToWritesWhatWriteMakes(t *testing.T) {
	for _, s := range []*Snapshot{{}, largeSnapshot(t, 300)} {
		want, err := Write(s, WriteOptions{Keyring: testRing(t, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if got := writeStreamed(t, s, WriteOptions{Keyring: testRing(t, 1)}); !reflect.DeepEqual(got, want) {
			t.Errorf("%d entities: WriteTo wrote %v, Write %v (or other bytes)", s.Len(), keys(got), keys(want))
		}
	}
	refused := errors.New("disk full")
	err := WriteTo(largeSnapshot(t, 10), WriteOptions{Keyring: testRing(t, 1)}, func(name string) (io.WriteCloser, error) {
		if name == "consumers.yaml" {
			return failingFile{refused}, nil
		}
		return &memoryFile{name: name, files: Files{}, mu: &sync.Mutex{}}, nil
	})
	if !errors.Is(err, refused) || !strings.Contains(err.Error(), "consumers.yaml") {
		t.Errorf("WriteTo with a file failing = %v, want the failure naming consumers.yaml", err)
	}
}

// failingFile fails every write.
type failingFile struct{ err error }

func (f failingFile) Write([]byte) (int, error) { return 0, f.err }
func (f failingFile) Close() error              { return nil }

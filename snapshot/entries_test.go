package snapshot

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
)

func TestSplitFileRejoinsEveryFileWriteMakes(t *testing.T) {
	for name, opts := range map[string]WriteOptions{
		"encrypt":     richOptions(t),
		"plain":       {Secrets: SecretsPlain},
		"redact":      {Secrets: SecretsRedact},
		"select tags": {Secrets: SecretsPlain, SelectTags: []string{"prod", "team-a"}},
	} {
		t.Run(name, func(t *testing.T) {
			for file, data := range writeRich(t, richSnapshot(t), opts) {
				if !IsStateFile(file) {
					continue
				}
				f, ok := splitFile(string(data))
				if !ok {
					t.Fatalf("%s: not split:\n%s", file, data)
				}
				joined := f.header
				for _, s := range f.sections {
					joined += s.key + ":\n"
					for _, e := range s.entries {
						if !strings.HasPrefix(e, "  - ") {
							t.Errorf("%s: entry of %s starts %q", file, s.key, e[:min(len(e), 10)])
						}
						joined += e
					}
				}
				if joined != string(data) {
					t.Errorf("%s: header and entries rejoined differ from the file:\n%s", file, joined)
				}
			}
		})
	}
}

func TestDifferingEntries(t *testing.T) {
	before := writeRich(t, richSnapshot(t), WriteOptions{Secrets: SecretsPlain})
	changed := richSnapshot(t)
	changed.Services[0].Retries = kong.Int(9)
	after := writeRich(t, changed, WriteOptions{Secrets: SecretsPlain})

	oldPart, newPart, ok := DifferingEntries(before, before)
	if !ok || len(oldPart) != 0 || len(newPart) != 0 {
		t.Errorf("same files: parts %q and %q, ok %v; want none, ok", oldPart, newPart, ok)
	}

	oldPart, newPart, ok = DifferingEntries(before, after)
	if !ok {
		t.Fatal("one service changed: not ok")
	}
	for side, part := range map[string]Files{"old": oldPart, "new": newPart} {
		s, err := Read(part, ReadOptions{})
		if err != nil {
			t.Fatalf("%s part: %v\n%s", side, err, part["services.yaml"])
		}
		// The changed service's entry holds its routes and the plugins nested under them.
		if len(part) != 1 || len(s.Services) != 1 || *s.Services[0].ID != *changed.Services[0].ID {
			t.Errorf("%s part: files %v, services %v; want services.yaml with only service %s", side, keys(part),
				s.Services, *changed.Services[0].ID)
		}
	}

	tagged := writeRich(t, changed, WriteOptions{Secrets: SecretsPlain, SelectTags: []string{"prod"}})
	if _, _, ok := DifferingEntries(before, tagged); ok {
		t.Error("files with other select tags: ok, want not (their headers differ)")
	}
	for name, text := range map[string]string{
		"flow sequence": "_format_version: \"3.0\"\nservices: [{name: a}]\n",
		"comment":       "_format_version: \"3.0\"\nservices:\n  - name: a\n# note\n",
		"indent of 3":   "_format_version: \"3.0\"\nservices:\n  - name: a\n   host: b\n",
		"no version":    "services:\n  - name: a\n",
		"no last line":  "_format_version: \"3.0\"\nservices:\n  - name: a",
		"empty section": "_format_version: \"3.0\"\nservices:\nroutes:\n  - name: a\n",
	} {
		if _, _, ok := DifferingEntries(before, Files{"services.yaml": []byte(text)}); ok {
			t.Errorf("%s: ok, want not: Write never writes it", name)
		}
	}
}

// unpaired leaves each file with what it holds that the other lacks, section by section, as a multiset of entry
// texts: held to the map count of every text on random sections that share most entries at their places, as the
// files of two snapshots do, and on ones that do not (moved, repeated, missing sections, a missing file).
func TestUnpairedIsTheMultisetDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 23))
	texts := []string{"  - a\n", "  - b\n", "  - c\n    x: 1\n", "  - d\n", "  - e\n"}
	randomFile := func() *fileText {
		f := &fileText{header: "_format_version: \"3.0\"\n"}
		for _, key := range []string{"services", "consumers", "upstreams"} {
			if rng.IntN(4) == 0 {
				continue
			}
			s := sectionText{key: key}
			for range 1 + rng.IntN(6) {
				s.entries = append(s.entries, texts[rng.IntN(len(texts))])
			}
			f.sections = append(f.sections, s)
		}
		return f
	}
	// near is f with a few entries changed in place, as one changed entity leaves its file.
	near := func(f *fileText) *fileText {
		g := &fileText{header: f.header}
		for _, s := range f.sections {
			c := sectionText{key: s.key, entries: slices.Clone(s.entries)}
			if rng.IntN(2) == 0 {
				c.entries[rng.IntN(len(c.entries))] = texts[rng.IntN(len(texts))]
			}
			g.sections = append(g.sections, c)
		}
		return g
	}
	// minus is what f holds that other lacks, counted by section and text.
	minus := func(f, other *fileText) map[string]int {
		count := map[string]int{}
		if f == nil {
			return count
		}
		for _, s := range f.sections {
			for _, e := range s.entries {
				count[s.key+"\x00"+e]++
			}
		}
		if other != nil {
			for _, s := range other.sections {
				for _, e := range s.entries {
					if k := s.key + "\x00" + e; count[k] > 0 {
						count[k]--
					}
				}
			}
		}
		maps.DeleteFunc(count, func(_ string, n int) bool { return n == 0 })
		return count
	}
	kept := func(f *fileText, marks [][]bool) map[string]int {
		count := map[string]int{}
		if f == nil {
			return count
		}
		for i, s := range f.sections {
			for k, e := range s.entries {
				if marks[i][k] {
					count[s.key+"\x00"+e]++
				}
			}
		}
		return count
	}
	for i := range 2000 {
		o := randomFile()
		n := randomFile()
		switch i % 4 {
		case 0, 1:
			n = near(o)
		case 2:
			if i%8 == 2 {
				o = nil
			} else {
				n = nil
			}
		}
		oldOnly, newOnly := unpaired(o, n)
		if got, want := kept(o, oldOnly), minus(o, n); !maps.Equal(got, want) {
			t.Fatalf("case %d: old side keeps %v, want %v", i, got, want)
		}
		if got, want := kept(n, newOnly), minus(n, o); !maps.Equal(got, want) {
			t.Fatalf("case %d: new side keeps %v, want %v", i, got, want)
		}
	}
}

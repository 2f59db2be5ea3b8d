package snapshot

import (
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

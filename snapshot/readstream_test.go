package snapshot

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestParseFastSectionsStreamsEntries: a file's section entries reach the sink one at a time, in order, and the
// document it returns holds no entry; a sink error stops the parse; a file outside the subset is refused.
func TestParseFastSectionsStreamsEntries(t *testing.T) {
	data := []byte(`_format_version: "3.0"
consumers:
  - username: a
    tags:
      - x
  - username: b
services: []
upstreams:
- name: u
  targets:
    - target: 10.0.0.1:80
`)
	var got []string
	head, ok, err := parseFastSections(data, false, func(key *yaml.Node, index int, entry *yaml.Node) error {
		got = append(got, key.Value+":"+entry.Content[1].Value+":"+string(rune('0'+index)))
		return nil
	})
	if !ok || err != nil {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if want := []string{"consumers:a:0", "consumers:b:1", "upstreams:u:0"}; !slices.Equal(got, want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	root := head.Content[0]
	for i := 1; i < len(root.Content); i += 2 {
		if v := root.Content[i]; v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
			t.Errorf("%s still holds %d entries", root.Content[i-1].Value, len(v.Content))
		}
	}
	stop := errors.New("stop")
	calls := 0
	if _, ok, err := parseFastSections(data, false, func(*yaml.Node, int, *yaml.Node) error { calls++; return stop }); !ok ||
		!errors.Is(err, stop) || calls != 1 {
		t.Errorf("sink error: ok=%v err=%v after %d calls, want the error after 1", ok, err, calls)
	}
	if _, ok, _ := parseFastSections([]byte("consumers: # a comment\n- username: a\n"), true, func(*yaml.Node, int, *yaml.Node) error {
		return nil
	}); ok {
		t.Error("a file with a comment was taken for kongsnap's own")
	}
}

// TestReadInfoAfterEntities: entities read before the _info that applies to them (an earlier file, or earlier in
// the same file) still get its select tags and defaults, though entities are decoded as soon as they are read
// once no _info can come.
func TestReadInfoAfterEntities(t *testing.T) {
	info := "_info:\n  select_tags:\n    - team-a\n  defaults:\n    service:\n      port: 8443\n"
	for name, files := range map[string]Files{
		"earlier file": {
			"a.yaml": []byte("_format_version: \"3.0\"\nservices:\n  - name: first\n    host: a.internal\n"),
			"b.yaml": []byte("_format_version: \"3.0\"\n" + info + "services:\n  - name: second\n    host: b.internal\n"),
		},
		"same file": {
			"a.yaml": []byte("_format_version: \"3.0\"\nservices:\n  - name: first\n    host: a.internal\n" + info +
				"consumers:\n  - username: c\n"),
			"b.yaml": []byte("_format_version: \"3.0\"\n" + info + "services:\n  - name: second\n    host: b.internal\n"),
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Read(files, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, svc := range s.Services {
				if !slices.Contains(strs(svc.Tags), "team-a") || itoa(svc.Port) != "8443" {
					t.Errorf("service %s: tags %v port %s, want team-a and 8443", str(svc.Name), strs(svc.Tags), itoa(svc.Port))
				}
			}
		})
	}
	// Without any _info, entities are decoded as they are read, and an error names the file and line as before.
	_, err := Read(Files{"a.yaml": []byte("_format_version: \"3.0\"\nservices:\n  - name: s\n    port: many\n")}, ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "a.yaml:4") {
		t.Errorf("error %v, want it at a.yaml:4", err)
	}
}

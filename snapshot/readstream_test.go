package snapshot

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

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
	head, ok, err := parseFastSections(string(data), false, func(key *yaml.Node, index int, entry *yaml.Node) error {
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
	if _, ok, err := parseFastSections(string(data), false, func(*yaml.Node, int, *yaml.Node) error { calls++; return stop }); !ok ||
		!errors.Is(err, stop) || calls != 1 {
		t.Errorf("sink error: ok=%v err=%v after %d calls, want the error after 1", ok, err, calls)
	}
	if _, ok, _ := parseFastSections("consumers: # a comment\n- username: a\n", true, func(*yaml.Node, int, *yaml.Node) error {
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

// TestReadKeepsNoPieceOfTheFiles: Read parses the files' bytes in place, so no string of the snapshot it returns
// may point into them (a caller may reuse its buffers, and a snapshot should not pin hundreds of megabytes).
func TestReadKeepsNoPieceOfTheFiles(t *testing.T) {
	files, err := Write(richSnapshot(t), richOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(files, ReadOptions{Keyring: richOptions(t).Keyring})
	if err != nil {
		t.Fatal(err)
	}
	inFiles := func(str string) string {
		p := uintptr(unsafe.Pointer(unsafe.StringData(str)))
		for name, data := range files {
			if len(data) > 0 && p >= uintptr(unsafe.Pointer(&data[0])) && p < uintptr(unsafe.Pointer(&data[0]))+uintptr(len(data)) {
				return name
			}
		}
		return ""
	}
	checked := 0
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(path, v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(path+"[key]", it.Key())
				walk(path+"["+it.Key().String()+"]", it.Value())
			}
		case reflect.String:
			if str := v.String(); str != "" {
				checked++
				if name := inFiles(str); name != "" {
					t.Errorf("%s = %q points into %s", path, str, name)
				}
			}
		}
	}
	for _, kind := range Kinds {
		for _, e := range s.Entities(kind) {
			walk(string(kind), reflect.ValueOf(e))
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d strings", checked)
	}
}

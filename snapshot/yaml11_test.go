package snapshot

import (
	"os"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
)

// Issue 12 §4: a string a YAML 1.1 reader (decK's) would not read back as the same string is written quoted, and
// reads back as the same string.
func TestWriterQuotesWhatYAML11WouldMisread(t *testing.T) {
	scalars := []string{"no", "yes", "on", "off", "y", "n", "Y", "NO", "True", "~", "null", "0123", "1e3", "0x1F",
		"1_000", ".inf", "-.inf", ".nan", "2001-12-14", "2001-12-14T21:59:43Z", "1:20", "+12", ".5", "0b101", "0o17"}
	s := &Snapshot{Services: []*kong.Service{{ID: kong.String("0a000000-0000-4000-8000-000000000001"),
		Name: kong.String("svc"), Host: kong.String("svc.test"), Tags: kong.StringSlice(scalars...)}},
		Plugins: []*kong.Plugin{{ID: kong.String("0a000000-0000-4000-8000-000000000002"),
			Name: kong.String("request-termination"), Config: kong.Configuration{"body": "no", "message": "on"}}}}
	files, err := Write(s, WriteOptions{Secrets: SecretsPlain})
	if err != nil {
		t.Fatal(err)
	}
	text := string(files["services.yaml"]) + string(files["plugins.yaml"])
	for _, v := range scalars {
		if !strings.Contains(text, `- "`+v+`"`) {
			t.Errorf("tag %s is not written double-quoted:\n%s", v, text)
		}
	}
	for _, w := range []string{`body: "no"`, `message: "on"`} {
		if !strings.Contains(text, w) {
			t.Errorf("plugins.yaml lacks %s:\n%s", w, text)
		}
	}
	for _, plain := range []string{"host: svc.test", "name: svc", "name: request-termination"} {
		if !strings.Contains(text, plain) {
			t.Errorf("an ordinary string got quoted; want %q in:\n%s", plain, text)
		}
	}
	back, err := Read(files, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tag := range back.Services[0].Tags {
		got = append(got, *tag)
	}
	if strings.Join(got, ",") != strings.Join(scalars, ",") {
		t.Errorf("tags read back as %s", got)
	}
	if body := back.Plugins[0].Config["body"]; body != "no" {
		t.Errorf("body read back as %#v", body)
	}
}

// A hand-written decK file means what decK makes of it: a bare yes is a boolean, a quoted one a string.
func TestReaderResolvesBareScalarsAsDeckDoes(t *testing.T) {
	files := Files{"kong.yaml": []byte(`_format_version: "3.0"
plugins:
  - name: request-termination
    enabled: yes
    config:
      status_code: 403
      body: no
      message: "no"
`)}
	s, err := Read(files, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := s.Plugins[0]
	if p.Enabled == nil || !*p.Enabled {
		t.Errorf("enabled: yes read as %v; want true", p.Enabled)
	}
	if p.Config["body"] != false || p.Config["message"] != "no" {
		t.Errorf("config = %#v; want body false (bare no) and message \"no\"", p.Config)
	}
}

// The interop fixture reads, writes and reads back unchanged.
func TestYAML11FixtureRoundTrips(t *testing.T) {
	data, err := os.ReadFile("../testdata/yaml11/kong.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(Files{"kong.yaml": data}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Services[0].Tags == nil || len(s.Consumers) != 2 {
		t.Fatalf("fixture read as %v", s.Count())
	}
	first, err := WriteMerged(s, WriteOptions{Secrets: SecretsPlain})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Read(Files{"kong.yaml": first}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := WriteMerged(again, WriteOptions{Secrets: SecretsPlain})
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Errorf("not idempotent:\n%s\n---\n%s", first, second)
	}
}

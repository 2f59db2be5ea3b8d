package snapshot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// slowItem is encodeFile's yaml.v3 path for one list entry.
func slowItem(t *testing.T, node *yaml.Node) string {
	t.Helper()
	data, err := encodeNode(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{node}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 1 {
			buf.WriteString("  ")
		}
		buf.Write(line)
	}
	return buf.String()
}

func TestEmitItemMatchesYAMLv3(t *testing.T) {
	long := strings.Repeat("word ", 30)
	strs := []string{"", " ", "a", "svc-0000001", "backend.internal", "/p/1", "_x", "true", "True", "yes", "Yes", "on",
		"off", "n", "y", "null", "Null", "~", "1e3", "0x1F", "012", "1_000", "12:30", "2001-12-14", ".inf", "-a", "a: b",
		"a:b", "a #b", "a#b", "a  b", " lead", "trail ", "a b", "API rate limit exceeded", long, long[:60], long[:74],
		long[:79], "a\nb", "é", "@x", "%x", "`x", "a,b", "[x", "{x", "*x", "&x", "!x", "|x", ">x", "'x", "\"x", "?x",
		":x", "a?b", "x-tenant", "Kong-Request-ID", "uuid#counter", "00000000-0000-4000-8000-000000000001",
		"12345678-1234-1234-1234-123456789012", "0000000A-0000-4000-8000-000000000001", "-", "--", "...", "<<", "=",
		"a=b", "a\tb", "kongsnap:v1:ae216c2e:gfYv+/NG83dhIHJMT==", "a:", "a: ", "a:/b", "a+b", "a::b", "a :b", strings.Repeat("k", 129),
		"10.3.99.8:80", "10.0.0.1", "1.2.3", "1:30", "1:3x", "0b101", "0o17", "_1", "+1", "-1", "1_000x", "2001-12-14T1",
		"2001-1-2", "20011214", "a,b,c", "a, b", "[a]", "a[0]", "a{b}", "a?", "x#", "#x", "a #", "it's", `say "hi"`,
		`back\slash`, "a|b", "a>b", "a&b", "a*b", "a!b", "a%b", "a@b", "a`b", "a~b", "~x", "$x", "(x)", "x;y", "<x>",
		"^/api/(?<v>v[0-9]+)", "~/p$", "on" + strings.Repeat(" x", 40), "1 2", "No", "NULL", "0.5", "-.5", "+.inf",
		".NaN", `"on"`, "\\", "\x7f\x01", "a\x7fb", "tab\t", "ünï"}
	var values []any
	for _, s := range strs {
		values = append(values, s)
	}
	for _, n := range []string{"0", "-0", "7", "007", "-12", "123456789012345678", "12345678901234567890", "1.5", "1e3",
		"1e+06", "1E-07", "-0.5", "0.1", "1e400", "1.e3", "1.", ".5", "1e", "1e+", "1.5e3.2", "--1", "1x"} {
		values = append(values, json.Number(n))
	}
	values = append(values, true, false, nil, []any{}, map[string]any{}, []any{"a", json.Number("1")},
		[]any{[]any{"a"}}, []any{map[string]any{"a": "b", "c": []any{"d"}}, map[string]any{}})
	fast := 0
	check := func(item any) {
		t.Helper()
		var buf bytes.Buffer
		buf.WriteString("kept")
		ok := emitItem(&buf, item, 2)
		got := strings.TrimPrefix(buf.String(), "kept")
		if !ok {
			if got != "" {
				t.Fatalf("emitItem refused %#v but left %q in the buffer", item, got)
			}
			return
		}
		fast++
		if want := slowItem(t, valueNode(item)); got != want {
			t.Errorf("emitItem(%#v):\n%s\nyaml.v3:\n%s", item, got, want)
		}
	}
	for _, v := range values {
		check(fieldsFromMap(map[string]any{"id": "x", "value": v}))
		check(fieldsFromMap(map[string]any{"name": "x", "config": map[string]any{"deeper": map[string]any{"key": v}}}))
		check(fieldsFromMap(map[string]any{"id": "x", "list": []any{v, "y"}}))
		check(fieldsFromMap(map[string]any{"id": "x", "routes": []any{fieldsFromMap(map[string]any{"paths": []any{v}, "name": v})}}))
		if s, ok := v.(string); ok {
			check(fieldsFromMap(map[string]any{"id": "x", s: "value"}))
			check(fieldsFromMap(map[string]any{s: map[string]any{s: s}}))
		}
	}
	if fast < len(values) {
		t.Errorf("emitItem wrote only %d of the items; the fast path is hardly taken", fast)
	}
}

// FuzzEmitItem holds emitItem to yaml.v3's bytes for arbitrary strings and numbers, as values and as keys.
func FuzzEmitItem(f *testing.F) {
	for _, seed := range []string{"a", "10.3.99.8:80", "uuid#counter", "on", "1e3", "a b", "kongsnap:v1:x:y=", "-x"} {
		f.Add(seed, "12")
	}
	f.Fuzz(func(t *testing.T, s, number string) {
		for _, item := range []any{
			fieldsFromMap(map[string]any{"id": "x", "value": s}),
			fieldsFromMap(map[string]any{s: map[string]any{s: []any{s, json.Number(number)}}}),
			fieldsFromMap(map[string]any{"name": s, "config": map[string]any{"n": json.Number(number)}}),
		} {
			var buf bytes.Buffer
			if !emitItem(&buf, item, 2) {
				if buf.Len() != 0 {
					t.Fatalf("emitItem refused %#v but left %q in the buffer", item, buf.String())
				}
				continue
			}
			if want := slowItem(t, valueNode(item)); buf.String() != want {
				t.Fatalf("emitItem(%#v):\n%s\nyaml.v3:\n%s", item, buf.String(), want)
			}
		}
	})
}

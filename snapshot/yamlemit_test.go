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
		"a=b", "a\tb", "kongsnap:v1:ae216c2e:gfYv+/NG83dhIHJMT==", "a:", "a: ", "a:/b", "a+b", "a::b", "a :b", strings.Repeat("k", 129)}
	var values []any
	for _, s := range strs {
		values = append(values, s)
	}
	for _, n := range []string{"0", "-0", "7", "007", "-12", "123456789012345678", "12345678901234567890", "1.5", "1e3"} {
		values = append(values, json.Number(n))
	}
	values = append(values, true, false, nil, []any{}, map[string]any{}, []any{"a", json.Number("1")},
		[]any{[]any{"a"}}, []any{map[string]any{"a": "b", "c": []any{"d"}}, map[string]any{}})
	fast := 0
	check := func(item any) {
		t.Helper()
		node := valueNode(item)
		var buf bytes.Buffer
		buf.WriteString("kept")
		ok := emitItem(&buf, node, 2)
		got := strings.TrimPrefix(buf.String(), "kept")
		if !ok {
			if got != "" {
				t.Fatalf("emitItem refused %#v but left %q in the buffer", item, got)
			}
			return
		}
		fast++
		if want := slowItem(t, node); got != want {
			t.Errorf("emitItem(%#v):\n%s\nyaml.v3:\n%s", item, got, want)
		}
	}
	for _, v := range values {
		check(entityFields{"id": "x", "value": v})
		check(entityFields{"name": "x", "config": map[string]any{"deeper": map[string]any{"key": v}}})
		check(entityFields{"id": "x", "list": []any{v, "y"}})
		check(entityFields{"id": "x", "routes": []any{entityFields{"paths": []any{v}, "name": v}}})
		if s, ok := v.(string); ok {
			check(entityFields{"id": "x", s: "value"})
			check(entityFields{s: map[string]any{s: s}})
		}
	}
	if fast < len(values) {
		t.Errorf("emitItem wrote only %d of the items; the fast path is hardly taken", fast)
	}
}

package snapshot

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// entityFields is the field map of one entity in a file. It is written with identity fields first, nested
// entities last and everything else in alphabetical order; plain maps (a plugin's config) are written sorted.
type entityFields map[string]any

// headFields come first in an entity, in this order: what a reviewer looks for to know which entity it is.
var headFields = []string{"id", "name", "instance_name", "username", "custom_id", "prefix", "kid", "target", "group",
	"client_id", "service", "route", "consumer", "set"}

// tailFields come last: the nested entities.
var tailFields = []string{"snis", "targets", "routes", "plugins", "acls", "basicauth_credentials",
	"hmacauth_credentials", "jwt_secrets", "keyauth_credentials", "oauth2_credentials"}

func fieldRank(key string) (int, string) {
	for i, k := range headFields {
		if k == key {
			return i, ""
		}
	}
	for i, k := range tailFields {
		if k == key {
			return len(headFields) + 1 + i, ""
		}
	}
	return len(headFields), key
}

// namedList is a top-level list of a file: its key and its entries, JSON-shaped values for valueNode.
type namedList struct {
	key   string
	items []any
}

// encodeFile writes a file as YAML with two-space indentation: the header mapping, then each list under its key.
// The lists are written one item at a time, each item turned into YAML nodes only when its turn comes: yaml.v3's
// emitter keeps every event of a document in memory until it ends, and a whole gateway's node tree costs
// gigabytes at 100,000 entities. An item is written by emitItem straight from its value when it can be (the fast
// path), else turned into nodes and written by yaml.v3 alone, indented under its key; both give the bytes the
// whole document encoded at once by yaml.v3 would.
func encodeFile(header *yaml.Node, lists []namedList) ([]byte, error) {
	var buf bytes.Buffer
	if len(header.Content) > 0 {
		data, err := encodeNode(header)
		if err != nil {
			return nil, err
		}
		buf.Write(data)
	}
	for _, list := range lists {
		buf.WriteString(list.key)
		buf.WriteString(":\n")
		for _, item := range list.items {
			if emitItem(&buf, item, 2) {
				continue
			}
			data, err := encodeNode(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{valueNode(item)}})
			if err != nil {
				return nil, err
			}
			for _, line := range bytes.SplitAfter(data, []byte("\n")) {
				if len(line) == 0 {
					continue
				}
				if len(line) > 1 {
					buf.WriteString("  ")
				}
				buf.Write(line)
			}
		}
	}
	return buf.Bytes(), nil
}

func encodeNode(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mappingNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func addField(m *yaml.Node, key string, value *yaml.Node) {
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	if yaml11NonString(key) {
		k.Style = yaml.DoubleQuotedStyle // a header named "on" is no boolean key for decK either
	}
	m.Content = append(m.Content, k, value)
}

// valueNode turns a JSON-shaped value (maps, slices, strings, json.Number, bools, nil) into a YAML node.
func valueNode(v any) *yaml.Node {
	switch t := v.(type) {
	case entityFields:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, ni := fieldRank(keys[i])
			rj, nj := fieldRank(keys[j])
			if ri != rj {
				return ri < rj
			}
			return ni < nj
		})
		m := mappingNode()
		for _, k := range keys {
			addField(m, k, valueNode(t[k]))
		}
		return m
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := mappingNode()
		for _, k := range keys {
			addField(m, k, valueNode(t[k]))
		}
		return m
	case []any:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, item := range t {
			seq.Content = append(seq.Content, valueNode(item))
		}
		return seq
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		switch {
		case strings.Contains(t, "\n"):
			n.Style = yaml.LiteralStyle
		case yaml11NonString(t):
			// decK's YAML 1.1 reader would not read it back as this string (see yaml11.go).
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}
	case bool:
		value := "false"
		if t {
			value = "true"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: value}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// decodeJSONMap decodes a JSON object keeping numbers as json.Number, so that they are written back unchanged.
func decodeJSONMap(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

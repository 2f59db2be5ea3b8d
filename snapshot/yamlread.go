package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// pair is one key and value of a YAML mapping.
type pair struct {
	key   *yaml.Node
	value *yaml.Node
}

// mappingPairs returns the entries of a mapping node in file order, with merge keys (<<) expanded and aliases
// followed. A key written twice is an error naming both lines: yaml.v3 does not check duplicates when it builds
// nodes.
func mappingPairs(n *yaml.Node) ([]pair, error) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, &Error{Line: n.Line, Err: errorf(ErrInvalidValue, "want a mapping, got %s", nodeKind(n))}
	}
	pairs := make([]pair, 0, len(n.Content)/2)
	var merged []pair
	var keys pairKeys
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := deref(n.Content[i]), n.Content[i+1]
		if key.Tag == "!!merge" {
			sources := []*yaml.Node{deref(value)}
			if sources[0].Kind == yaml.SequenceNode {
				sources = sources[0].Content
			}
			for _, source := range sources {
				more, err := mappingPairs(source)
				if err != nil {
					return nil, err
				}
				merged = append(merged, more...)
			}
			continue
		}
		if key.Kind != yaml.ScalarNode {
			return nil, &Error{Line: key.Line, Err: errorf(ErrInvalidValue, "mapping key is a %s, want a string",
				nodeKind(key))}
		}
		if first := keys.find(pairs, key.Value); first != nil {
			return nil, &Error{Line: key.Line, Err: errorf(ErrDuplicateKey, "key %q appears twice (first at line %d)",
				key.Value, first.Line)}
		}
		pairs = keys.add(pairs, pair{key: key, value: value})
	}
	for _, p := range merged {
		if keys.find(pairs, p.key.Value) == nil {
			pairs = keys.add(pairs, p)
		}
	}
	return pairs, nil
}

// pairKeys finds the keys of the pairs read so far: by looking at each while they are few (an entity has a dozen
// fields, and a map for each cost more than reading them), by a map once there are more.
type pairKeys struct {
	byKey map[string]*yaml.Node
}

// fewPairs is how many pairs are searched one by one.
const fewPairs = 16

// find returns the key node of pairs named key, nil when there is none.
func (k *pairKeys) find(pairs []pair, key string) *yaml.Node {
	if k.byKey != nil {
		return k.byKey[key]
	}
	for _, p := range pairs {
		if p.key.Value == key {
			return p.key
		}
	}
	return nil
}

// add appends p to pairs, the pairs k finds keys in.
func (k *pairKeys) add(pairs []pair, p pair) []pair {
	pairs = append(pairs, p)
	switch {
	case k.byKey != nil:
		k.byKey[p.key.Value] = p.key
	case len(pairs) > fewPairs:
		k.byKey = make(map[string]*yaml.Node, 2*len(pairs))
		for _, q := range pairs {
			k.byKey[q.key.Value] = q.key
		}
	}
	return pairs
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "null"
		}
		return "scalar " + strconv.Quote(n.Value)
	}
	return "node"
}

// toValue converts a YAML node into the JSON-shaped value go-kong types decode from: maps, slices, strings,
// json.Number, bools and nil.
func toValue(n *yaml.Node) (any, error) {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		pairs, err := mappingPairs(n)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(pairs))
		for _, p := range pairs {
			v, err := toValue(p.value)
			if err != nil {
				return nil, err
			}
			m[p.key.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := toValue(item)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, &Error{Line: n.Line, Err: errorf(ErrInvalidValue, "unexpected YAML node")}
}

func scalarValue(n *yaml.Node) (any, error) {
	bad := func(err error) error {
		return &Error{Line: n.Line, Err: fmt.Errorf("%s: %v: %w", n.Value, err, ErrInvalidValue)}
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		if n.Value == "true" || n.Value == "false" {
			return n.Value == "true", nil // what Decode makes of them, without its decoder
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, bad(err)
		}
		return b, nil
	case "!!int":
		if plainInt(n.Value) && n.Value != "-0" {
			return json.Number(n.Value), nil // a canonical decimal: what Decode and FormatInt make of it
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		var u uint64
		if err := n.Decode(&u); err != nil {
			return nil, bad(err)
		}
		return json.Number(strconv.FormatUint(u, 10)), nil
	case "!!str":
		// A bare yes, no, on, off, y or n is a boolean to decK's YAML 1.1 reader, and so to kongsnap's.
		if n.Style == 0 {
			if b, ok := yaml11Bool(n.Value); ok {
				return b, nil
			}
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, bad(err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, bad(errors.New("infinity and NaN have no JSON form"))
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil
}

// keyLine returns the line of key in a mapping node, or the mapping's own line.
func keyLine(n *yaml.Node, key string) int {
	n = deref(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return n.Line
}

package snapshot

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// The fast path of encodeFile: most of a gateway's values are identifiers, names, hosts, paths, numbers and
// booleans that yaml.v3 writes as plain scalars, in block mappings and sequences indented by two. emitItem
// writes such an item itself, at a fraction of yaml.v3's cost, and refuses (leaving the buffer as it was) any item
// holding something whose form it does not know for certain: a scalar with a style or tag set (a quoted string),
// a string yaml.v3 would quote or could fold, a sequence in a sequence, comments, anchors. yaml.v3 then writes
// that item. TestEmitItemMatchesYAMLv3 holds the two to the same bytes.

// plainWidth is yaml.v3's default line width: past it, a plain scalar is folded at a space.
const plainWidth = 80

// emitItem writes node as one entry of a block sequence whose dashes are at column indent, and reports whether it
// could.
func emitItem(buf *bytes.Buffer, node *yaml.Node, indent int) bool {
	start := buf.Len()
	e := emitter{buf: buf}
	e.sequenceEntry(node, indent)
	if e.failed {
		buf.Truncate(start)
		return false
	}
	return true
}

type emitter struct {
	buf    *bytes.Buffer
	failed bool
}

func (e *emitter) spaces(n int) {
	for range n {
		e.buf.WriteByte(' ')
	}
}

// sequenceEntry writes "- " at column indent and the entry after it.
func (e *emitter) sequenceEntry(n *yaml.Node, indent int) {
	e.spaces(indent)
	e.buf.WriteString("- ")
	switch n.Kind {
	case yaml.ScalarNode:
		e.scalar(n, indent+2)
		e.buf.WriteByte('\n')
	case yaml.MappingNode:
		if !e.plainCollection(n) {
			return
		}
		if len(n.Content) == 0 {
			e.buf.WriteString("{}\n")
			return
		}
		e.mapping(n, indent+2, true)
	default:
		e.failed = true
	}
}

// mapping writes a non-empty block mapping whose keys are at column indent; inline says the first key goes on
// the current line (after a sequence's "- ").
func (e *emitter) mapping(n *yaml.Node, indent int, inline bool) {
	for i := 0; i+1 < len(n.Content) && !e.failed; i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if i > 0 || !inline {
			e.spaces(indent)
		}
		if key.Kind != yaml.ScalarNode || key.Tag != "!!str" || len(key.Value) > 128 {
			e.failed = true
			return
		}
		e.scalar(key, indent)
		e.buf.WriteByte(':')
		switch value.Kind {
		case yaml.ScalarNode:
			e.buf.WriteByte(' ')
			e.scalar(value, indent+len(key.Value)+2)
			e.buf.WriteByte('\n')
		case yaml.MappingNode:
			if !e.plainCollection(value) {
				return
			}
			if len(value.Content) == 0 {
				e.buf.WriteString(" {}\n")
				continue
			}
			e.buf.WriteByte('\n')
			e.mapping(value, indent+2, false)
		case yaml.SequenceNode:
			if !e.plainCollection(value) {
				return
			}
			if len(value.Content) == 0 {
				e.buf.WriteString(" []\n")
				continue
			}
			e.buf.WriteByte('\n')
			for _, item := range value.Content {
				if item.Kind == yaml.SequenceNode {
					e.failed = true
					return
				}
				e.sequenceEntry(item, indent+2)
				if e.failed {
					return
				}
			}
		default:
			e.failed = true
			return
		}
	}
}

// plainCollection reports whether a mapping or sequence node is one emitItem writes: block style, no comments,
// anchor or alias.
func (e *emitter) plainCollection(n *yaml.Node) bool {
	if n.Style != 0 || n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" ||
		(n.Kind == yaml.MappingNode && n.Tag != "!!map") || (n.Kind == yaml.SequenceNode && n.Tag != "!!seq") {
		e.failed = true
		return false
	}
	return true
}

// scalar writes a scalar that starts at column col, as yaml.v3 would, or fails.
func (e *emitter) scalar(n *yaml.Node, col int) {
	if n.Style != 0 || n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" {
		e.failed = true
		return
	}
	ok := false
	switch n.Tag {
	case "!!str":
		ok = plainString(n.Value, col)
	case "!!int":
		ok = plainInt(n.Value)
	case "!!bool":
		ok = n.Value == "true" || n.Value == "false"
	case "!!null":
		ok = n.Value == "null"
	}
	if !ok {
		e.failed = true
		return
	}
	e.buf.WriteString(n.Value)
}

// plainString reports whether yaml.v3 writes s, starting at column col, as the plain scalar s: a string it
// resolves as a string (not true, null, a number or a timestamp), with no character that needs quoting, and too
// short to be folded. It is deliberately narrower than yaml.v3's rule: a UUID, or a letter, '/' or '_' followed
// by letters, digits, '_', '-', '.', '/', '+', '=', ':' not before a space or at the end, and single inner spaces.
func plainString(s string, col int) bool {
	if len(s) == 0 {
		return false
	}
	if isUUID(s) {
		return true
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '_') {
		return false
	}
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.', c == '/',
			c == '+', c == '=':
		case c == ':': // an encrypted secret, kongsnap:v1:…; ": " and a final ':' would end a key
			if i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case c == ' ':
			if i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
			space = true
		default:
			return false
		}
	}
	if space && col+len(s) > plainWidth {
		return false
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL",
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF":
		return false
	}
	return true
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// plainInt reports whether s is a decimal integer yaml.v3 resolves as the integer it is tagged as.
func plainInt(s string) bool {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

package snapshot

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// The fast path of encodeFile: most of a gateway's values are identifiers, names, hosts, paths, numbers and
// booleans that yaml.v3 writes as plain scalars, in block mappings and sequences indented by two. emitItem writes
// such an entry straight from its JSON-shaped value, without building yaml.v3 nodes, at a fraction of yaml.v3's
// cost, and refuses (leaving the buffer as it was) any entry holding something whose form it does not know for
// certain: a string yaml.v3 would write as a literal block or could fold, a non-ASCII string, a sequence in a
// sequence, a key too long to be a simple key. yaml.v3 then writes that entry from valueNode's nodes.
// TestEmitItemMatchesYAMLv3 and FuzzEmitItem hold the two to the same bytes.

// plainWidth is yaml.v3's default line width: past it, a scalar is folded at a space.
const plainWidth = 80

// emitItem writes item as one entry of a block sequence whose dashes are at column indent, and reports whether it
// could.
func emitItem(buf *bytes.Buffer, item any, indent int) bool {
	start := buf.Len()
	e := emitter{buf: buf}
	e.sequenceEntry(item, indent)
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
	for n > len(blanks) {
		e.buf.WriteString(blanks)
		n -= len(blanks)
	}
	e.buf.WriteString(blanks[:n])
}

// blanks are the spaces an indent is cut from.
const blanks = "                                                                "

// sequenceEntry writes "- " at column indent and the entry after it.
func (e *emitter) sequenceEntry(v any, indent int) {
	e.spaces(indent)
	e.buf.WriteString("- ")
	switch t := v.(type) {
	case *entityFields:
		e.entity(t, indent+2, true)
	case map[string]any:
		e.mapping(t, indent+2, true)
	case []any:
		e.failed = true
	default:
		e.scalar(v, indent+2)
		e.buf.WriteByte('\n')
	}
}

// entity writes an entity's fields as a block mapping whose keys are at column indent, in the fields' order;
// inline says the first key goes on the current line (after a sequence's "- "). No fields is "{}".
func (e *emitter) entity(f *entityFields, indent int, inline bool) {
	if len(f.list) == 0 {
		e.buf.WriteString("{}\n")
		return
	}
	for _, fd := range f.list {
		if e.failed {
			return
		}
		e.field(fd.key, fd.value, indent, inline)
		inline = false
	}
}

// mapping writes a block mapping whose keys are at column indent, sorted (as valueNode orders them); inline is
// entity's. An empty mapping is "{}" on the current line.
func (e *emitter) mapping(m map[string]any, indent int, inline bool) {
	if len(m) == 0 {
		e.buf.WriteString("{}\n")
		return
	}
	// The pairs are taken once, in a buffer on the stack for a mapping of up to maxStackKeys keys, and sorted:
	// writing them needs no lookup of each key.
	var buf [maxStackKeys]entityField
	pairs := buf[:0]
	for k, v := range m {
		pairs = append(pairs, entityField{k, v})
	}
	slices.SortFunc(pairs, func(a, b entityField) int { return strings.Compare(a.key, b.key) })
	for _, p := range pairs {
		if e.failed {
			return
		}
		e.field(p.key, p.value, indent, inline)
		inline = false
	}
}

// field writes one key of a block mapping at column indent (or on the current line when inline) and its value.
func (e *emitter) field(key string, value any, indent int, inline bool) {
	if !inline {
		e.spaces(indent)
	}
	if len(key) > 128 { // yaml.v3 writes longer keys as complex keys ("? ")
		e.failed = true
		return
	}
	keyStart := e.buf.Len()
	e.str(key, indent)
	keyWidth := e.buf.Len() - keyStart
	e.buf.WriteByte(':')
	switch t := value.(type) {
	case *entityFields:
		if len(t.list) == 0 {
			e.buf.WriteString(" {}\n")
			return
		}
		e.buf.WriteByte('\n')
		e.entity(t, indent+2, false)
	case map[string]any:
		if len(t) == 0 {
			e.buf.WriteString(" {}\n")
			return
		}
		e.buf.WriteByte('\n')
		e.mapping(t, indent+2, false)
	case []any:
		if len(t) == 0 {
			e.buf.WriteString(" []\n")
			return
		}
		e.buf.WriteByte('\n')
		for _, item := range t {
			if _, ok := item.([]any); ok {
				e.failed = true
				return
			}
			e.sequenceEntry(item, indent+2)
			if e.failed {
				return
			}
		}
	default:
		e.buf.WriteByte(' ')
		e.scalar(t, indent+keyWidth+2)
		e.buf.WriteByte('\n')
	}
}

// scalar writes a JSON-shaped scalar that starts at column col, as yaml.v3 writes valueNode's node for it, or
// fails.
func (e *emitter) scalar(v any, col int) {
	switch t := v.(type) {
	case string:
		e.str(t, col)
	case json.Number:
		if strings.ContainsAny(string(t), ".eE") {
			e.failed = !plainFloat(string(t))
		} else {
			e.failed = !plainInt(string(t))
		}
		if !e.failed {
			e.buf.WriteString(string(t))
		}
	case bool:
		e.buf.WriteString(strconv.FormatBool(t))
	case float64: // in a config the writer did not copy (writtenConfig)
		n, err := jsonFloat(t, 64)
		if err != nil {
			e.failed = true
			return
		}
		e.scalar(n, col)
	default:
		e.buf.WriteString("null") // valueNode writes anything else as null
	}
}

// str writes a string scalar (a value or a key) starting at column col: double-quoted when a YAML 1.1 reader
// would take it for something else (as valueNode marks it), plain otherwise, or fails.
func (e *emitter) str(s string, col int) {
	switch {
	case strings.Contains(s, "\n"):
		e.failed = true // a literal block
	case yaml11NonString(s):
		e.failed = !quotedString(s, col)
		if !e.failed {
			e.buf.WriteByte('"')
			for i := 0; i < len(s); i++ {
				if s[i] == '"' || s[i] == '\\' {
					e.buf.WriteByte('\\')
				}
				e.buf.WriteByte(s[i])
			}
			e.buf.WriteByte('"')
		}
	case plainChars(s, col): // and not a YAML 1.1 non-string, as the case above says
		e.buf.WriteString(s)
	default:
		e.failed = true
	}
}

// quotedString reports whether yaml.v3 writes s, double-quoted and starting at column col, as s between quotes
// with only '"' and '\' escaped: printable ASCII, and no space a line too long could be folded at.
func quotedString(s string, col int) bool {
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' {
			return false
		}
		space = space || c == ' '
	}
	return !space || col+len(s)+2 <= plainWidth
}

// plainChars reports whether yaml.v3 writes s, starting at column col, as the plain scalar s, for a string it
// resolves as a string (not true, null, a number or a timestamp: what yaml11NonString says, which covers yaml.v3's
// YAML 1.2 rules, and the caller has asked): no character that needs quoting, and too short to be folded. It is
// deliberately narrower than yaml.v3's rule: printable ASCII starting with a letter, a digit, '/' or '_'; no ": "
// or final ':', no " #", and single inner spaces only.
func plainChars(s string, col int) bool {
	if len(s) == 0 {
		return false
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_') {
		return false
	}
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':': // an encrypted secret, kongsnap:v1:…, a host:port; ": " and a final ':' would end a key
			if i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case c == '#': // " #" starts a comment
			if s[i-1] == ' ' {
				return false
			}
		case c == ' ':
			if i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
			space = true
		case c < ' ' || c > '~':
			return false
		}
	}
	return !space || col+len(s) <= plainWidth
}

// plainInt reports whether s is a decimal integer yaml.v3 resolves as the integer it is tagged as.
func plainInt(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
		return false
	}
	return allDigits(digits)
}

// plainFloat reports whether s is a JSON number with a fraction or an exponent that yaml.v3 resolves as a float,
// so writes plain: one JSON writes, in range.
func plainFloat(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return isJSONNumber(s) && err == nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

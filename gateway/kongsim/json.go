package kongsim

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

// Every response body is a tree of decoded-JSON values; encoding it with encoding/json's reflection (and its
// sort of every map's keys through reflect values) was a tenth of kongsim's CPU in a restore. appendJSON writes
// the same bytes as a json.Encoder with SetEscapeHTML(false), without the newline, for the values kongsim
// builds; encodeBody falls back to encoding/json for anything else, so every body is encoded as before.

// maxJSONDepth bounds appendJSON's recursion; deeper values are left to encoding/json.
const maxJSONDepth = 200

// encodeBody returns body as encoding/json encodes it with HTML escaping off, newline included.
func encodeBody(dst []byte, body any) ([]byte, error) {
	if out, ok := appendJSON(dst, body, 0); ok {
		return append(out, '\n'), nil
	}
	buf := bytes.NewBuffer(dst[:0])
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return dst[:0], err
	}
	return buf.Bytes(), nil
}

// appendJSON appends v's encoding; ok is false when v holds a value it does not handle the way encoding/json
// does (a type other than the decoded-JSON ones, ints and string slices, a NaN or an infinity, too deep a tree).
func appendJSON(dst []byte, v any, depth int) ([]byte, bool) {
	if depth > maxJSONDepth {
		return dst, false
	}
	switch t := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case bool:
		return strconv.AppendBool(dst, t), true
	case string:
		return appendJSONString(dst, t), true
	case float64:
		return appendJSONFloat(dst, t)
	case int:
		return strconv.AppendInt(dst, int64(t), 10), true
	case int64:
		return strconv.AppendInt(dst, t, 10), true
	case map[string]any:
		return appendJSONObject(dst, t, depth)
	case []any:
		if t == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, e := range t {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendJSON(dst, e, depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case []string:
		if t == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, e := range t {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, e)
		}
		return append(dst, ']'), true
	}
	return dst, false
}

// appendJSONObject writes the members in the order encoding/json does: keys sorted bytewise.
func appendJSONObject(dst []byte, m map[string]any, depth int) ([]byte, bool) {
	if m == nil {
		return append(dst, "null"...), true
	}
	var small [32]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		var ok bool
		if dst, ok = appendJSON(dst, m[k], depth+1); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// appendJSONFloat formats f as encoding/json does: like ES6, %f between 1e-6 and 1e21, else an exponent
// without padding.
func appendJSONFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 && (f != 0 || !math.Signbit(f)) {
		// An integer (ports, timeouts, timestamps): its shortest form is its digits.
		return strconv.AppendInt(dst, int64(f), 10), true
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, true
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping off: ", \ and control characters
// escaped (\b \f \n \r \t by name), invalid UTF-8 as \ufffd, U+2028 and U+2029 as \u escapes.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Request bodies are decoded by decodeObject too, for the same reason: encoding/json's Unmarshal into a map
// scans every body twice (once to validate) and builds values through reflection. decodeObject gives what
// Unmarshal into a map[string]any gives for a body it accepts (a well-formed object, valid UTF-8, numbers that
// fit a float64, no surrogate escapes, nesting within maxJSONDepth); for any other body it reports !ok, and
// encoding/json decides, so every body is accepted, refused and decoded as before.
//
// Objects are built at their final size from the members decoded; the outermost gets capacity for room more
// members (the fields a fill adds), so that it does not grow either.
func decodeObject(data []byte, room int) (map[string]any, bool) {
	d := decoders.Get().(*jsonDecoder)
	defer d.release()
	d.data, d.pos, d.room = data, 0, room
	d.skipSpace()
	if d.pos == len(data) || data[d.pos] != '{' {
		return nil, false
	}
	v, ok := d.value(0)
	if !ok {
		return nil, false
	}
	d.skipSpace()
	if d.pos != len(data) {
		return nil, false
	}
	return v.(map[string]any), true
}

// decoders keep their member and element stacks between requests.
var decoders = sync.Pool{New: func() any { return new(jsonDecoder) }}

func (d *jsonDecoder) release() {
	clear(d.members) // a decode that failed left its pending members and elements; one that ended, none
	clear(d.elems)
	d.data, d.members, d.elems = nil, d.members[:0], d.elems[:0]
	if cap(d.members)+cap(d.elems) <= 1<<12 {
		decoders.Put(d)
	}
}

// fieldNames holds each name of a bundled schema's fields once.
var fieldNames = func() map[string]string {
	names := map[string]string{}
	for _, name := range schema.FieldNames() {
		names[name] = name
	}
	return names
}()

type jsonDecoder struct {
	data    []byte
	pos     int
	room    int      // extra capacity for the outermost object
	members []member // members of the objects being decoded, the innermost's last
	elems   []any    // elements of the arrays being decoded, the innermost's last
}

type member struct {
	key   string
	value any
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes the value at d.pos, which follows any white space.
func (d *jsonDecoder) value(depth int) (any, bool) {
	if d.pos == len(d.data) || depth > maxJSONDepth {
		return nil, false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		if s, ok := d.string(false); ok {
			return s, true
		}
		return nil, false
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return nil, false
}

func (d *jsonDecoder) literal(word string) bool {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		return false
	}
	d.pos += len(word)
	return true
}

func (d *jsonDecoder) object(depth int) (any, bool) {
	d.pos++ // {
	first := len(d.members)
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return d.objectOf(first, depth), true
	}
	for {
		if d.pos == len(d.data) || d.data[d.pos] != '"' {
			return nil, false
		}
		key, ok := d.string(true)
		if !ok {
			return nil, false
		}
		d.skipSpace()
		if d.pos == len(d.data) || d.data[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		d.skipSpace()
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		d.members = append(d.members, member{key: key, value: v})
		if more, ok := d.next('}'); !ok {
			return nil, false
		} else if !more {
			return d.objectOf(first, depth), true
		}
	}
}

// next reads what follows a member or an element: a comma (more, and the space after it), or the container's
// closing byte, end (not more); ok is false for anything else.
func (d *jsonDecoder) next(end byte) (more, ok bool) {
	d.skipSpace()
	if d.pos == len(d.data) {
		return false, false
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		d.skipSpace()
		return true, true
	case end:
		d.pos++
		return false, true
	}
	return false, false
}

// objectOf makes the object of the members decoded since first, and drops them from the stack. A repeated key
// keeps its last value, as in encoding/json.
func (d *jsonDecoder) objectOf(first, depth int) map[string]any {
	members := d.members[first:]
	size := len(members)
	if depth == 0 {
		size += d.room
	}
	m := make(map[string]any, size)
	for _, mb := range members {
		m[mb.key] = mb.value
	}
	clear(members)
	d.members = d.members[:first]
	return m
}

func (d *jsonDecoder) array(depth int) (any, bool) {
	d.pos++ // [
	first := len(d.elems)
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return []any{}, true
	}
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		d.elems = append(d.elems, v)
		if more, ok := d.next(']'); !ok {
			return nil, false
		} else if !more {
			list := slices.Clone(d.elems[first:])
			clear(d.elems[first:])
			d.elems = d.elems[:first]
			return list, true
		}
	}
}

// string decodes a string; escapes other than JSON's own, surrogate escapes, control characters and invalid
// UTF-8 (which encoding/json replaces) are left to encoding/json. A key that names a schema field is the
// schema's own string, not a copy: a stored entity's keys share one copy of each name.
func (d *jsonDecoder) string(key bool) (string, bool) {
	d.pos++ // "
	start := d.pos
	ascii := true
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; {
		case c == '"':
			raw := d.data[start:d.pos]
			d.pos++
			if !ascii && !utf8.Valid(raw) {
				return "", false
			}
			if key {
				if name, ok := fieldNames[string(raw)]; ok {
					return name, true
				}
			}
			return string(raw), true
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.pos++
	}
	return "", false
}

// escapedString continues string from its first backslash, at d.pos.
func (d *jsonDecoder) escapedString(start int) (string, bool) {
	out := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			if !utf8.Valid(out) {
				return "", false
			}
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			d.pos++
			continue
		}
		if d.pos+1 == len(d.data) {
			return "", false
		}
		d.pos += 2
		switch e := d.data[d.pos-1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if d.pos+4 > len(d.data) {
				return "", false
			}
			r, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
			if err != nil || 0xD800 <= r && r < 0xE000 {
				return "", false
			}
			out = utf8.AppendRune(out, rune(r))
			d.pos += 4
		default:
			return "", false
		}
	}
	return "", false
}

// number decodes a number of JSON's grammar to the float64 encoding/json gives.
func (d *jsonDecoder) number() (any, bool) {
	start := d.pos
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case d.digits() == 0:
		return nil, false
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if d.digits() == 0 {
			return nil, false
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if d.digits() == 0 {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(d.data[start:d.pos]), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

func (d *jsonDecoder) digits() int {
	n := 0
	for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
		d.pos++
		n++
	}
	return n
}

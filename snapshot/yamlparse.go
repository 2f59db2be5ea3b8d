package snapshot

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The fast path of parseFile: reading a 100,000-entity snapshot is dominated by yaml.v3's scanner and parser, and
// almost every byte of a snapshot was written by kongsnap itself, in a small subset of YAML: block mappings and
// sequences indented by two, one-line plain, double- and single-quoted scalars, literal block scalars and the
// empty flow collections {} and []. parseFast reads that subset and builds the node tree yaml.v3's Unmarshal
// builds from the same bytes (kind, style, tag, value, line and column of every node), and refuses the whole file
// as soon as it meets anything else: comments, anchors, tags, flow collections with content, several documents,
// folded or multi-line scalars, blank lines, tabs outside quotes and block scalars, carriage returns, a byte order
// mark, indentation it does not expect, and every form yaml.v3 would reject. The caller then hands the file to
// yaml.v3, so errors and hand-edited files read exactly as before. TestParseFastMatchesYAMLv3 and FuzzParse hold
// the two parsers to the same trees.

// notMine is the panic parseFast's scanner raises when the input leaves the subset; parseFast recovers it.
type notMine struct{}

// maxFastDepth bounds nesting: deeper files (no snapshot has them) go to yaml.v3, which has its own limit.
const maxFastDepth = 100

type fastParser struct {
	src    string
	pos    int // start of the current line
	end    int // index of the current line's '\n'
	line   int // 1-based number of the current line
	indent int // leading spaces of the current line
	eof    bool
	depth  int
	stack  []*yaml.Node    // children of the collections being parsed
	nodes  []yaml.Node     // preallocated nodes, handed out in order
	lists  []*yaml.Node    // preallocated backing for Content slices
	buf    strings.Builder // scratch for values that differ from their source text

	// sink, when set, receives the entries of the block sequences directly under the root mapping (a file's
	// sections) one at a time instead of their sequence holding them, so that a large file is never one tree.
	sink    func(key *yaml.Node, index int, entry *yaml.Node) error
	forget  bool       // the sink keeps no node: each entry's tree is unlinked once handed over (see unlink)
	rootKey *yaml.Node // the root mapping's key being read
}

// sinkStop is the panic that ends parsing when the sink fails; parseFastSections recovers it.
type sinkStop struct{ err error }

// parseFast returns the document node yaml.v3 would unmarshal data into, or false when data is not in the subset
// kongsnap writes.
func parseFast(data []byte) (doc *yaml.Node, ok bool) {
	p := &fastParser{src: string(data), line: 1}
	defer func() {
		if r := recover(); r != nil {
			if _, mine := r.(notMine); !mine {
				panic(r)
			}
			doc, ok = nil, false
		}
	}()
	return p.document(), true
}

// document reads the whole input as one document holding a block mapping.
func (p *fastParser) document() *yaml.Node {
	p.setLine(0)
	if p.eof || p.indent != 0 {
		p.fail() // empty, or a document starting further right
	}
	root := p.mapping(0)
	if !p.eof {
		p.fail()
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1, Content: []*yaml.Node{root}}
}

// parseFastSections reads src as parseFast reads its data, handing each entry of the file's sections (the block sequences
// under its root mapping) to sink as soon as it is read, and returns the document without them: those sequences
// are left empty. Parsing stops at the first error sink returns, which it returns; ok is false, as for parseFast,
// when data is not in the subset kongsnap writes, possibly after sink has been called for some entries. With
// forget set, sink promises to keep no node of an entry once it returns, and the entry's tree is unlinked.
func parseFastSections(src string, forget bool, sink func(key *yaml.Node, index int, entry *yaml.Node) error) (
	doc *yaml.Node, ok bool, err error) {
	p := &fastParser{src: src, line: 1, sink: sink, forget: forget}
	defer func() {
		if r := recover(); r != nil {
			switch r := r.(type) {
			case notMine:
				doc, ok, err = nil, false, nil
			case sinkStop:
				doc, ok, err = nil, true, r.err
			default:
				panic(r)
			}
		}
	}()
	return p.document(), true, nil
}

func (p *fastParser) fail() { panic(notMine{}) }

// unlink empties the Content of every node of a tree the sink is done with. Nodes and Content slices are carved
// from shared blocks, and a block stays alive while anything points into it: the blocks in use would hold the
// nodes of the entries before, whose Content points into older blocks, and so on back to the first entry,
// keeping a whole file's tree alive through an entry-at-a-time read.
func unlink(n *yaml.Node) {
	for _, c := range n.Content {
		unlink(c)
	}
	n.Content = nil
}

// setLine makes the line starting at pos the current one: a structural line, which has content after its
// indentation, no trailing space and no comment.
func (p *fastParser) setLine(pos int) {
	p.pos = pos
	if pos == len(p.src) {
		p.eof = true
		return
	}
	end := strings.IndexByte(p.src[pos:], '\n')
	if end < 0 {
		p.fail() // no final line break
	}
	p.end = pos + end
	i := pos
	for i < p.end && p.src[i] == ' ' {
		i++
	}
	p.indent = i - pos
	if i == p.end || p.src[p.end-1] == ' ' || p.src[i] == '#' {
		p.fail()
	}
	if p.indent == 0 && (strings.HasPrefix(p.src[pos:], "---") || strings.HasPrefix(p.src[pos:], "...")) {
		p.fail() // a document marker, or close enough to one
	}
}

func (p *fastParser) nextLine() {
	p.line++
	p.setLine(p.end + 1)
}

func (p *fastParser) node(kind yaml.Kind, style yaml.Style, tag, value string, line, column int) *yaml.Node {
	if len(p.nodes) == 0 {
		p.nodes = make([]yaml.Node, min(4096, 16+len(p.src)/32))
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	n.Kind, n.Style, n.Tag, n.Value, n.Line, n.Column = kind, style, tag, value, line, column
	return n
}

// collect returns the nodes pushed since base as one Content slice, and pops them.
func (p *fastParser) collect(base int) []*yaml.Node {
	k := len(p.stack) - base
	if k == 0 {
		return nil
	}
	if len(p.lists) < k {
		p.lists = make([]*yaml.Node, max(k, min(8192, 16+len(p.src)/32)))
	}
	c := p.lists[:k:k]
	p.lists = p.lists[k:]
	copy(c, p.stack[base:])
	clear(p.stack[base:])
	p.stack = p.stack[:base]
	return c
}

func (p *fastParser) enter() {
	p.depth++
	if p.depth > maxFastDepth {
		p.fail()
	}
}

// isDash reports whether a block sequence entry ("- ") starts at i on the current line.
func (p *fastParser) isDash(i int) bool {
	return p.src[i] == '-' && (i+1 == p.end || p.src[i+1] == ' ')
}

// column is the 1-based column yaml.v3 reports for offset i of the current line: it counts characters.
func (p *fastParser) column(i int) int {
	col := 1
	for j := p.pos; j < i; j++ {
		if c := p.src[j]; c < utf8.RuneSelf || c >= 0xC0 {
			col++
		}
	}
	return col
}

// mapping reads a block mapping whose keys are at column indent, the first one on the current line.
func (p *fastParser) mapping(indent int) *yaml.Node {
	p.enter()
	n := p.node(yaml.MappingNode, 0, "!!map", "", p.line, indent+1)
	base := len(p.stack)
	for {
		at := p.pos + indent
		if p.isDash(at) {
			p.fail()
		}
		key, after := p.key(at, indent+1)
		if p.depth == 1 {
			p.rootKey = key
		}
		p.stack = append(p.stack, key)
		p.stack = append(p.stack, p.mappingValue(after, indent))
		if p.eof || p.indent < indent {
			break
		}
		if p.indent > indent {
			p.fail()
		}
	}
	n.Content = p.collect(base)
	p.depth--
	return n
}

// key reads the key at offset at of the current line, and returns it and the offset after its ':'.
func (p *fastParser) key(at, column int) (*yaml.Node, int) {
	var n *yaml.Node
	var end int
	switch p.src[at] {
	case '"':
		var value string
		value, end = p.doubleQuoted(at)
		n = p.node(yaml.ScalarNode, yaml.DoubleQuotedStyle, "!!str", value, p.line, column)
	case '\'':
		var value string
		value, end = p.singleQuoted(at)
		n = p.node(yaml.ScalarNode, yaml.SingleQuotedStyle, "!!str", value, p.line, column)
	default:
		var isKey bool
		end, isKey = p.plain(at)
		if !isKey {
			p.fail()
		}
		value := p.src[at:end]
		n = p.node(yaml.ScalarNode, 0, plainTag(value), value, p.line, column)
	}
	// yaml.v3 looks no further than 1024 characters for the ':' of a key.
	if end-at > 1000 || end == p.end || p.src[end] != ':' || end+1 < p.end && p.src[end+1] != ' ' {
		p.fail()
	}
	return n, end + 1
}

// mappingValue reads the value after a key's ':' at offset after of the current line, in a mapping whose keys
// are at column indent.
func (p *fastParser) mappingValue(after, indent int) *yaml.Node {
	if after < p.end {
		return p.inline(after+1, indent)
	}
	p.nextLine()
	switch {
	case p.eof:
		p.fail()
	case p.indent == indent && p.isDash(p.pos+indent):
		return p.sequence(indent) // yaml.v3 reads a sequence at its key's indentation too
	case p.indent == indent+2:
		if p.isDash(p.pos + indent + 2) {
			return p.sequence(indent + 2)
		}
		return p.mapping(indent + 2)
	}
	p.fail()
	return nil
}

// sequence reads a block sequence whose dashes are at column indent, the first one on the current line.
func (p *fastParser) sequence(indent int) *yaml.Node {
	p.enter()
	n := p.node(yaml.SequenceNode, 0, "!!seq", "", p.line, indent+1)
	base := len(p.stack)
	streamed := p.sink != nil && p.depth == 2
	for index := 0; ; index++ {
		at := p.pos + indent + 2
		if at >= p.end {
			p.fail() // "-" alone on its line
		}
		if entry := p.entry(at, indent); streamed {
			if err := p.sink(p.rootKey, index, entry); err != nil {
				panic(sinkStop{err})
			}
			if p.forget {
				unlink(entry)
			}
		} else {
			p.stack = append(p.stack, entry)
		}
		if p.eof || p.indent < indent {
			break
		}
		if p.indent > indent {
			p.fail()
		}
		if !p.isDash(p.pos + indent) {
			break // the next key of the mapping holding a sequence at its own indentation
		}
	}
	n.Content = p.collect(base)
	p.depth--
	return n
}

// entry reads the entry of a block sequence that starts at offset at, after "- ".
func (p *fastParser) entry(at, indent int) *yaml.Node {
	isKey := false
	switch c := p.src[at]; c {
	case '"', '\'':
		var end int
		if c == '"' {
			_, end = p.doubleQuoted(at)
		} else {
			_, end = p.singleQuoted(at)
		}
		isKey = end < p.end && p.src[end] == ':'
	case '|', '{', '[':
	default:
		_, isKey = p.plain(at)
	}
	if isKey {
		return p.mapping(indent + 2)
	}
	return p.inline(at, indent)
}

// inline reads a value that starts at offset at of the current line and is not a mapping; indent is the column
// of the keys or dashes of the collection holding it.
func (p *fastParser) inline(at, indent int) *yaml.Node {
	line, column := p.line, p.column(at)
	var n *yaml.Node
	switch p.src[at] {
	case '"':
		value, end := p.doubleQuoted(at)
		if end != p.end {
			p.fail()
		}
		n = p.node(yaml.ScalarNode, yaml.DoubleQuotedStyle, "!!str", value, line, column)
	case '\'':
		value, end := p.singleQuoted(at)
		if end != p.end {
			p.fail()
		}
		n = p.node(yaml.ScalarNode, yaml.SingleQuotedStyle, "!!str", value, line, column)
	case '{', '[':
		switch p.src[at:p.end] {
		case "{}":
			n = p.node(yaml.MappingNode, yaml.FlowStyle, "!!map", "", line, column)
		case "[]":
			n = p.node(yaml.SequenceNode, yaml.FlowStyle, "!!seq", "", line, column)
		default:
			p.fail()
		}
	case '|':
		n = p.literal(at, indent)
		n.Line, n.Column = line, column
		if !p.eof && p.indent > indent {
			p.fail()
		}
		return n
	default:
		end, isKey := p.plain(at)
		if isKey || end != p.end {
			p.fail()
		}
		value := p.src[at:end]
		n = p.node(yaml.ScalarNode, 0, plainTag(value), value, line, column)
	}
	p.nextLine()
	// A more indented line would continue a plain scalar, or be an error.
	if !p.eof && p.indent > indent {
		p.fail()
	}
	return n
}

// Byte classes for scanning scalars.
const (
	byteOK    = iota
	byteSpace // ' '
	byteColon // ':'
	byteQuote // '"', '\'', '\\'
	byteHigh  // the first byte of a multi-byte character
	byteBad   // a control character, DEL, a stray continuation byte, '\r', '\t'
	byteBreak // '\n'
	byteHash  // '#'
)

var byteClass = func() (t [256]byte) {
	for c := range 256 {
		switch {
		case c == '\n':
			t[c] = byteBreak
		case c < 0x20 || c == 0x7F || c >= 0x80 && c < 0xC0 || c >= 0xF8:
			t[c] = byteBad
		case c >= 0xC0:
			t[c] = byteHigh
		case c == ' ':
			t[c] = byteSpace
		case c == ':':
			t[c] = byteColon
		case c == '"' || c == '\'' || c == '\\':
			t[c] = byteQuote
		case c == '#':
			t[c] = byteHash
		}
	}
	return t
}()

// plainStart marks the characters a plain scalar cannot start with ('-', '?' and ':' can when a non-space
// follows; the caller checks that).
var plainStart = func() (t [256]bool) {
	for _, c := range ",[]{}#&*!|>'\"%@` \t" {
		t[c] = true
	}
	return t
}()

// plain scans a plain scalar starting at offset at of the current line. It ends at the end of the line, or at a
// ':' followed by a space or the end of the line, which makes it a key (isKey). Anything a one-line plain scalar
// of yaml.v3's cannot hold, or that would make its value differ from its text, is refused.
func (p *fastParser) plain(at int) (end int, isKey bool) {
	s := p.src
	if c := s[at]; plainStart[c] || (c == '-' || c == '?' || c == ':') && (at+1 == p.end || s[at+1] == ' ') {
		p.fail() // an indicator: a sequence entry, a complex key, an empty key, an anchor, a tag…
	}
	for i := at; i < p.end; {
		c := s[i]
		switch byteClass[c] {
		case byteOK, byteQuote, byteHash:
			i++
		case byteSpace:
			if s[i+1] == '#' {
				p.fail() // a comment (setLine refuses trailing spaces, so a character follows)
			}
			i++
		case byteColon:
			if i+1 == p.end || s[i+1] == ' ' {
				if s[i-1] == ' ' {
					p.fail() // "key :": the key is trimmed
				}
				return i, true
			}
			i++
		case byteHigh:
			i += p.char(i)
		default:
			p.fail()
		}
	}
	return p.end, false
}

// char checks the multi-byte character at offset i is one yaml.v3 reads as an ordinary character, and returns
// its length. NEL, LS and PS are line breaks to yaml.v3 and a BOM is skipped at the start of a line.
func (p *fastParser) char(i int) int {
	r, size := utf8.DecodeRuneInString(p.src[i:])
	switch {
	case r == utf8.RuneError && size <= 1, r == 0x85, r == 0x2028, r == 0x2029, r == 0xFEFF,
		r < 0xA0, r > 0xD7FF && r < 0xE000, r > 0xFFFD && r < 0x10000:
		p.fail()
	}
	return size
}

// doubleQuoted reads a one-line double-quoted scalar starting at offset at, and returns its value and the offset
// after its closing quote.
func (p *fastParser) doubleQuoted(at int) (string, int) {
	s := p.src
	i := at + 1
	// The common case: no escapes, the value is the text.
	for ; i < p.end; i++ {
		switch byteClass[s[i]] {
		case byteQuote:
			if s[i] == '"' {
				return s[at+1 : i], i + 1
			}
			if s[i] == '\\' {
				return p.doubleEscaped(at, i)
			}
		case byteHigh:
			i += p.char(i) - 1
		case byteBad:
			if s[i] != '\t' {
				p.fail()
			}
		}
	}
	p.fail() // a multi-line scalar, or no closing quote
	return "", 0
}

// doubleEscaped continues doubleQuoted at the first backslash, at offset i.
func (p *fastParser) doubleEscaped(at, i int) (string, int) {
	s := p.src
	b := &p.buf
	b.Reset()
	b.WriteString(s[at+1 : i])
	for i < p.end {
		c := s[i]
		switch byteClass[c] {
		case byteQuote:
			switch c {
			case '"':
				return b.String(), i + 1
			case '\'':
				b.WriteByte(c)
				i++
				continue
			}
			if i+1 >= p.end {
				p.fail() // an escaped line break
			}
			e := s[i+1]
			i += 2
			switch e {
			case '0':
				b.WriteByte(0)
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 't', '\t':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'v':
				b.WriteByte('\v')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case 'e':
				b.WriteByte(0x1B)
			case ' ', '"', '\'', '\\':
				b.WriteByte(e)
			case 'N':
				b.WriteRune(0x85)
			case '_':
				b.WriteRune(0xA0)
			case 'L':
				b.WriteRune(0x2028)
			case 'P':
				b.WriteRune(0x2029)
			case 'x', 'u', 'U':
				n := 2
				if e == 'u' {
					n = 4
				} else if e == 'U' {
					n = 8
				}
				if i+n > p.end {
					p.fail()
				}
				v, err := strconv.ParseUint(s[i:i+n], 16, 32)
				if err != nil || v >= 0xD800 && v <= 0xDFFF || v > 0x10FFFF || strings.ContainsAny(s[i:i+n], "+-_") {
					p.fail()
				}
				b.WriteRune(rune(v))
				i += n
			default:
				p.fail()
			}
		case byteHigh:
			n := p.char(i)
			b.WriteString(s[i : i+n])
			i += n
		case byteBad:
			if c != '\t' {
				p.fail()
			}
			fallthrough
		default:
			b.WriteByte(c)
			i++
		}
	}
	p.fail()
	return "", 0
}

// singleQuoted reads a one-line single-quoted scalar starting at offset at, and returns its value and the offset
// after its closing quote.
func (p *fastParser) singleQuoted(at int) (string, int) {
	s := p.src
	escaped := false
	for i := at + 1; i < p.end; i++ {
		switch byteClass[s[i]] {
		case byteQuote:
			if s[i] == '\'' {
				if i+1 < p.end && s[i+1] == '\'' {
					escaped = true
					i++
					continue
				}
				value := s[at+1 : i]
				if escaped {
					value = strings.ReplaceAll(value, "''", "'")
				}
				return value, i + 1
			}
		case byteHigh:
			i += p.char(i) - 1
		case byteBad:
			if s[i] != '\t' {
				p.fail()
			}
		}
	}
	p.fail()
	return "", 0
}

// literal reads a literal block scalar whose header ('|', a chomping indicator, an indentation indicator) starts
// at offset at of the current line, following yaml.v3's scanner (yaml_parser_scan_block_scalar): indent is the
// column of the keys or dashes of the collection holding it. It leaves the line after the scalar current.
func (p *fastParser) literal(at, indent int) *yaml.Node {
	s := p.src
	chomp, increment := 0, 0
	i := at + 1
	for k := 0; k < 2 && i < p.end; k++ {
		switch c := s[i]; {
		case (c == '+' || c == '-') && chomp == 0:
			chomp = 1
			if c == '-' {
				chomp = -1
			}
		case c >= '1' && c <= '9' && increment == 0:
			increment = int(c - '0')
		default:
			p.fail()
		}
		i++
	}
	if i != p.end {
		p.fail()
	}
	blockIndent := 0
	if increment > 0 {
		blockIndent = indent + increment
	}
	pos, line := p.end+1, p.line+1
	var text, trailing []byte
	leading := false // a line break read after the last content line, not yet added
	// breaks eats indentation and empty lines, as yaml_parser_scan_block_scalar_breaks does; it returns the
	// column it stopped at.
	breaks := func() int {
		maxIndent := 0
		for {
			col := 0
			for (blockIndent == 0 || col < blockIndent) && pos < len(s) && s[pos] == ' ' {
				pos++
				col++
			}
			maxIndent = max(maxIndent, col)
			if pos < len(s) && s[pos] == '\t' && (blockIndent == 0 || col < blockIndent) {
				p.fail()
			}
			if pos == len(s) || s[pos] != '\n' {
				if blockIndent == 0 {
					blockIndent = max(maxIndent, indent+1, 1)
				}
				return col
			}
			trailing = append(trailing, '\n')
			pos++
			line++
		}
	}
	col := breaks()
	for col == blockIndent && pos < len(s) {
		if leading {
			text = append(text, '\n')
		}
		text = append(text, trailing...)
		trailing = trailing[:0]
		end := strings.IndexByte(s[pos:], '\n')
		if end < 0 {
			p.fail()
		}
		end += pos
		for j := pos; j < end; {
			switch byteClass[s[j]] {
			case byteHigh:
				j += p.char(j)
			case byteBad:
				if s[j] != '\t' {
					p.fail()
				}
				j++
			default:
				j++
			}
		}
		text = append(text, s[pos:end]...)
		leading = true
		pos, line = end+1, line+1
		col = breaks()
	}
	if chomp != -1 && leading {
		text = append(text, '\n')
	}
	if chomp == 1 {
		text = append(text, trailing...)
	}
	// The line where the scalar stopped: its indentation was partly eaten by breaks.
	p.line = line
	if pos == len(s) {
		p.pos, p.eof = pos, true
	} else {
		p.setLine(pos - col)
	}
	return p.node(yaml.ScalarNode, yaml.LiteralStyle, "!!str", string(text), 0, 0)
}

// plainTag resolves a plain scalar as yaml.v3 does (resolve.go, for an untagged scalar): null, booleans and the
// special floats by name; then, by first character, floats, timestamps, and integers in every base yaml.v3
// accepts; everything else is a string.
func plainTag(s string) string {
	if s == "" {
		return "!!null"
	}
	switch c := s[0]; {
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		switch s {
		case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
			return "!!float"
		}
		return numberTag(s)
	case c == '.':
		switch s {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return "!!float"
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		switch s {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		case "~", "null", "Null", "NULL":
			return "!!null"
		}
	case c == '<':
		if s == "<<" {
			return "!!merge"
		}
	}
	return "!!str"
}

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// numberTag resolves a plain scalar starting with a sign or a digit.
func numberTag(s string) string {
	if !maybeNumber(s) {
		return "!!str"
	}
	if isTimestamp(s) {
		return "!!timestamp"
	}
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return "!!int"
	}
	if yamlStyleFloat.MatchString(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return "!!float"
		}
	}
	for _, prefix := range []struct {
		prefix string
		base   int
	}{{"0b", 2}, {"0o", 8}} {
		if rest, ok := strings.CutPrefix(plain, prefix.prefix); ok {
			if _, err := strconv.ParseInt(rest, prefix.base, 64); err == nil {
				return "!!int"
			}
			if _, err := strconv.ParseUint(rest, prefix.base, 64); err == nil {
				return "!!int"
			}
		} else if rest, ok := strings.CutPrefix(plain, "-"+prefix.prefix); ok {
			if _, err := strconv.ParseInt("-"+rest, prefix.base, 64); err == nil {
				return "!!int"
			}
		}
	}
	return "!!str"
}

// maybeNumber is false for a string starting with a sign or digit that no rule of numberTag can take for a
// number or timestamp (an id such as 0f1e2d3c-…): it saves the allocations of strconv's errors.
func maybeNumber(s string) bool {
	if len(s) > 4 && s[4] == '-' || strings.IndexByte(s, '_') >= 0 {
		return true // perhaps a timestamp; underscores are dropped before parsing
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '.',
			c == 'x', c == 'X', c == 'o', c == 'O':
		case c == '+' || c == '-':
			// A sign inside a number follows an exponent's e, or the 0b or 0o prefix of yaml.v3's own bases.
			if p := s[i-1]; p != 'e' && p != 'E' && !(i == 2 && s[0] == '0' && (p == 'b' || p == 'o')) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// timestampFormats are the layouts yaml.v3 reads a plain scalar as a timestamp in.
var timestampFormats = []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999", "2006-1-2"}

func isTimestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	for _, layout := range timestampFormats {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

package snapshot

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// entityFields are the fields of one entity in a file, kept in writing order: identity fields first (headFields),
// nested entities last (tailFields) and everything else in alphabetical order between them (fieldBefore); plain
// maps (a plugin's config) are written sorted. Kept in order as they are made, an entity's fields are written
// without being sorted again, and without a map per entity: writing 100,000 entities made and ordered a map for
// each.
type entityFields struct{ list []entityField }

// entityField is one field of an entity: its name and its JSON-shaped value.
type entityField struct {
	key   string
	value any
}

// fieldBefore reports whether an entity's field a is written before its field b.
func fieldBefore(a, b string) bool { return compareFields(a, b) < 0 }

// compareFields orders an entity's fields by name as they are written, for slices.SortFunc.
func compareFields(a, b string) int {
	ra, _ := fieldRank(a)
	rb, _ := fieldRank(b)
	return cmp.Or(cmp.Compare(ra, rb), strings.Compare(a, b))
}

// fieldsFromMap returns a field map's fields in writing order.
func fieldsFromMap(m map[string]any) *entityFields {
	f := &entityFields{list: make([]entityField, 0, len(m)+2)}
	for k, v := range m {
		f.list = append(f.list, entityField{k, v})
	}
	slices.SortFunc(f.list, func(a, b entityField) int { return compareFields(a.key, b.key) })
	return f
}

// get returns the value of the field named key, and whether there is one.
func (f *entityFields) get(key string) (any, bool) {
	if i := f.index(key); i >= 0 {
		return f.list[i].value, true
	}
	return nil, false
}

// index is the position of the field named key in the list, -1 when there is none.
func (f *entityFields) index(key string) int {
	for i, fd := range f.list {
		if fd.key == key {
			return i
		}
	}
	return -1
}

// set gives the field named key the value, adding it in its place when there is none. The place is looked for
// from the end: what the writer adds is mostly nested entities, which come last.
func (f *entityFields) set(key string, value any) {
	at := len(f.list)
	for ; at > 0; at-- {
		before := f.list[at-1].key
		if before == key {
			f.list[at-1].value = value
			return
		}
		if fieldBefore(before, key) {
			break
		}
	}
	f.list = slices.Insert(f.list, at, entityField{key, value})
}

// del removes the field named key, if there is one.
func (f *entityFields) del(key string) {
	if i := f.index(key); i >= 0 {
		f.list = slices.Delete(f.list, i, i+1)
	}
}

// asMap returns the fields as a map (nested entities stay entityFields).
func (f *entityFields) asMap() map[string]any {
	m := make(map[string]any, len(f.list))
	for _, fd := range f.list {
		m[fd.key] = fd.value
	}
	return m
}

// MarshalJSON writes the fields as their map would be: sortString orders entries by it.
func (f *entityFields) MarshalJSON() ([]byte, error) { return json.Marshal(f.asMap()) }

// headFields come first in an entity, in this order: what a reviewer looks for to know which entity it is.
var headFields = []string{"id", "name", "instance_name", "username", "custom_id", "prefix", "kid", "target", "group",
	"client_id", "service", "route", "consumer", "set"}

// tailFields come last: the nested entities.
var tailFields = []string{"snis", "targets", "routes", "plugins", "acls", "basicauth_credentials",
	"hmacauth_credentials", "jwt_secrets", "keyauth_credentials", "oauth2_credentials"}

func fieldRank(key string) (int, string) {
	if rank, ok := fieldRanks[key]; ok {
		return rank, ""
	}
	return len(headFields), key
}

// fieldRanks are the ranks of headFields and tailFields, looked up once per key.
var fieldRanks = func() map[string]int {
	ranks := map[string]int{}
	for i, k := range headFields {
		ranks[k] = i
	}
	for i, k := range tailFields {
		ranks[k] = len(headFields) + 1 + i
	}
	return ranks
}()

// namedList is a top-level list of a file: its key and its entries.
type namedList struct {
	key string
	sec *section
}

// section is a top-level list of a file, its entries written one by one as they are built, so that a whole
// gateway's field maps are never held at once (nor a node tree: yaml.v3's emitter keeps every event of a document
// in memory until it ends, which costs gigabytes at 100,000 entities). An entry is written by emitItem straight
// from its value when it can be (the fast path), else turned into nodes and written by yaml.v3 alone, indented
// under its key; both give the bytes the whole document encoded at once by yaml.v3 would.
type section struct {
	chunks  [][]byte // the entries' YAML, in the order they were added, in blocks that are never copied to grow
	scratch bytes.Buffer
	entries []sectionEntry
	keys    []string // the free part of the block the entries' keys are cut from
	keyRoom int      // the size of the last block
}

// maxKeyBlock is how many keys the largest block of a section's entry keys holds; blocks grow to it from a few,
// so that a small section does not keep a large one.
const maxKeyBlock = 4096

// chunkSize is the size of a section's blocks: a large section grows by blocks instead of by doubling one buffer,
// which would copy it at each step and hold the old copy until the next collection.
const chunkSize = 1 << 20

// sectionEntry is one entry of a section: where its YAML lies in the section's blocks, and what it is ordered by.
type sectionEntry struct {
	keys       []string
	whole      string // its whole content as sortString writes it, for an entry without an id: only those can tie
	chunk      int
	start, end int
}

// Len is the number of entries.
func (s *section) Len() int {
	if s == nil {
		return 0
	}
	return len(s.entries)
}

// add writes an entry, ordered by the given fields (as sorted orders field maps).
func (s *section) add(f *entityFields, by []string) error {
	if len(s.keys) < len(by) {
		s.keyRoom = min(maxKeyBlock, max(16, 2*s.keyRoom))
		s.keys = make([]string, max(s.keyRoom, len(by)))
	}
	keys := s.keys[:len(by):len(by)]
	s.keys = s.keys[len(by):]
	e := sectionEntry{keys: sortKeysInto(keys, f, by)}
	id, _ := f.get("id")
	if id, _ := id.(string); id == "" {
		e.whole = sortString(f)
	}
	s.scratch.Reset()
	if err := encodeEntry(&s.scratch, f); err != nil {
		return err
	}
	data := s.scratch.Bytes()
	if n := len(s.chunks); n == 0 || len(s.chunks[n-1])+len(data) > cap(s.chunks[n-1]) {
		s.chunks = append(s.chunks, make([]byte, 0, max(chunkSize, len(data))))
	}
	e.chunk = len(s.chunks) - 1
	e.start = len(s.chunks[e.chunk])
	s.chunks[e.chunk] = append(s.chunks[e.chunk], data...)
	e.end = len(s.chunks[e.chunk])
	s.entries = append(s.entries, e)
	return nil
}

// sorted orders the entries as sorted orders field maps: by their fields, then by their whole content. Entries
// with ids differ in their keys (the id is the last), unless two share an id, and those are ordered by their YAML.
func (s *section) sorted() *section {
	sort.SliceStable(s.entries, func(i, j int) bool {
		a, b := &s.entries[i], &s.entries[j]
		if c := slices.Compare(a.keys, b.keys); c != 0 {
			return c < 0
		}
		if a.whole != b.whole {
			return a.whole < b.whole
		}
		return bytes.Compare(s.yaml(*a), s.yaml(*b)) < 0
	})
	return s
}

// join appends the entries of parts, in order, to s, their YAML's blocks taken over as they are.
func (s *section) join(parts []*section) *section {
	for _, part := range parts {
		offset := len(s.chunks)
		s.chunks = append(s.chunks, part.chunks...)
		for _, e := range part.entries {
			e.chunk += offset
			s.entries = append(s.entries, e)
		}
	}
	return s
}

func (s *section) yaml(e sectionEntry) []byte { return s.chunks[e.chunk][e.start:e.end] }

// size is the length of the section's YAML.
func (s *section) size() int {
	n := 0
	for _, c := range s.chunks {
		n += len(c)
	}
	return n
}

// encodeEntry writes item as an entry of a block sequence indented by two.
func encodeEntry(buf *bytes.Buffer, item any) error {
	if emitItem(buf, item, 2) {
		return nil
	}
	data, err := encodeNode(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{valueNode(item)}})
	if err != nil {
		return err
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
	return nil
}

// encodeFile writes a file as YAML with two-space indentation: the header mapping, then each list under its key.
func encodeFile(header *yaml.Node, lists []namedList) ([]byte, error) {
	f, err := newFileParts(header, lists)
	if err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, f.size()))
	f.writeTo(buf)
	return buf.Bytes(), nil
}

// fileParts is a file's YAML before it is put together: its header, then each list under its key.
type fileParts struct {
	head  []byte
	lists []namedList
}

func newFileParts(header *yaml.Node, lists []namedList) (*fileParts, error) {
	f := &fileParts{lists: lists}
	if len(header.Content) > 0 {
		var err error
		if f.head, err = encodeNode(header); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// size is the length of the file.
func (f *fileParts) size() int {
	size := len(f.head)
	for _, list := range f.lists {
		size += len(list.key) + 2 + list.sec.size()
	}
	return size
}

// writeTo writes the file to w, piece by piece, and returns w's first error.
func (f *fileParts) writeTo(w io.Writer) error {
	if _, err := w.Write(f.head); err != nil {
		return err
	}
	for _, list := range f.lists {
		if _, err := io.WriteString(w, list.key+":\n"); err != nil {
			return err
		}
		for _, e := range list.sec.entries {
			if _, err := w.Write(list.sec.yaml(e)); err != nil {
				return err
			}
		}
	}
	return nil
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

// sortedKeys returns a mapping's keys sorted, as it is written.
func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// maxStackKeys is the most keys the emitter orders in a buffer on the stack (most mappings have fewer).
const maxStackKeys = 32

// valueNode turns a JSON-shaped value (maps, slices, strings, json.Number or float64, bools, nil) into a YAML node.
func valueNode(v any) *yaml.Node {
	switch t := v.(type) {
	case *entityFields:
		m := mappingNode()
		for _, fd := range t.list {
			addField(m, fd.key, valueNode(fd.value))
		}
		return m
	case map[string]any:
		m := mappingNode()
		for _, k := range sortedKeys(t) {
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
		case strings.Contains(t, "\n") && literalReadsBack(t):
			n.Style = yaml.LiteralStyle
		case strings.Contains(t, "\n"):
			// yaml.v3 writes some strings as literal blocks it reads back otherwise, or not at all: a first line
			// starting with a tab, a lone line break.
			n.Style = yaml.DoubleQuotedStyle
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
	case float64: // in a config the writer did not copy (writtenConfig)
		if n, err := jsonFloat(t, 64); err == nil {
			return valueNode(n)
		}
	case bool:
		value := "false"
		if t {
			value = "true"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: value}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// literalReadsBack reports whether yaml.v3 reads s back from the literal block it writes for it.
func literalReadsBack(s string) bool {
	data, err := encodeNode(&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.LiteralStyle, Value: s}}})
	if err != nil {
		return false
	}
	var back []string
	return yaml.Unmarshal(data, &back) == nil && len(back) == 1 && back[0] == s
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

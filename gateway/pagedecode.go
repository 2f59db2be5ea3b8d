package gateway

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Decoding list pages without encoding/json's general machinery.
//
// A Read decodes every page of a gateway, tens of megabytes for a large one, and encoding/json spent most of a
// dump's decoding time checking each value's syntax in one pass and then decoding it through reflection in
// another. decodePage does both in one pass, with a decoder compiled once per go-kong type, for the values Kong's
// pages hold: pointers, strings, booleans, numbers, slices, maps with string keys, structs and free-form
// interface{} values (plugin configs). It is meant to give exactly what encoding/json's Decode gives, and is sure
// of that only on the road it knows, so it gives up on anything else: a type with its own UnmarshalJSON, an
// embedded struct, a key that matches a field only ignoring case, a field given twice, "data": null, a \u escape,
// a string that is not valid UTF-8, any syntax error or value of the wrong type. Then the page is decoded again by
// encoding/json, from the start, so a page's result and its errors (naming the field and its type) are
// encoding/json's own. TestDecodePageMatchesJSON holds the two to the same values.

// errNotDecoded says decodePage left a page to encoding/json.
var errNotDecoded = errors.New("left to encoding/json")

// decodePageBody decodes a list page's body into p, which newPage made, as json.NewDecoder(body).Decode(&p)
// does, error included.
func decodePageBody(body []byte, p *page) error {
	fresh := page{Data: reflect.New(reflect.TypeOf(p.Data).Elem()).Interface()}
	if err := decodePage(body, &fresh); err == nil {
		*p = fresh
		return nil
	}
	return json.NewDecoder(bytes.NewReader(body)).Decode(p)
}

// decodePage decodes a page's object: "data" into the slice p.Data points to, "offset" into p.Offset, any other
// key skipped.
func decodePage(body []byte, p *page) error {
	data := reflect.ValueOf(p.Data).Elem()
	decodeData, err := decoderFor(data.Type())
	if err != nil {
		return err
	}
	decodeOffset, err := decoderFor(reflect.TypeFor[*string]())
	if err != nil {
		return err
	}
	d := &pageDecoder{data: body}
	if !d.consume('{') {
		return errNotDecoded
	}
	var seen [2]bool
	err = d.members(func(key []byte) error {
		switch string(key) {
		case "data":
			if seen[0] || d.peek() == 'n' {
				return errNotDecoded
			}
			seen[0] = true
			return decodeData.decode(d, data.Addr().UnsafePointer())
		case "offset":
			if seen[1] {
				return errNotDecoded
			}
			seen[1] = true
			return decodeOffset.decode(d, unsafe.Pointer(&p.Offset))
		}
		if foldsTo(key, "data") || foldsTo(key, "offset") {
			return errNotDecoded
		}
		return d.skip()
	})
	if err != nil {
		return err
	}
	d.space()
	if d.pos != len(d.data) {
		return errNotDecoded
	}
	return nil
}

// pageDecoder reads one JSON text.
type pageDecoder struct {
	data  []byte
	pos   int
	alloc pageAlloc
	// pairs and items are stacks shared by the objects and arrays anyValue is decoding, nested ones above those
	// holding them: each map or slice is made once its size is known (a plugin's config has a few dozen keys, and
	// its map grew to them one rehash at a time).
	pairs []member
	items []any
}

// member is one member of an object anyValue is decoding.
type member struct {
	key   string
	value any
}

// pageAlloc makes the values of one page from a few large allocations instead of one each: a page of a thousand
// entities holds tens of thousands of strings, of *string, *int and *bool targets (go-kong's fields) and of short
// slices, and allocating and then collecting each one took a third of a dump's time. A page's strings are cut
// from blocks of text, each value pointed to comes from a block of values of its type (a slab), and each slice's
// elements are a run of a block of elements. A block stays in memory as long as any of its values does; a page's
// values live as long as its snapshot, together.
type pageAlloc struct {
	text  strings.Builder // the current block of text; what it returned is never changed
	slabs []slab          // per slabID
}

// textBlock is the largest block of text. A string longer than a quarter of it gets an allocation of its own.
const textBlock = 32 << 10

// string returns b, a part of the page at or before rest, as a string cut from the current block of text. A
// block is no longer than the page's rest, which holds every string still to come: a small page (the targets of
// one upstream) keeps no more than its size.
func (a *pageAlloc) string(b []byte, rest int) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > textBlock/4 {
		return string(b)
	}
	if a.text.Cap()-a.text.Len() < len(b) {
		a.text = strings.Builder{}
		a.text.Grow(max(len(b), min(textBlock, rest)))
	}
	start := a.text.Len()
	a.text.Write(b)
	return a.text.String()[start:]
}

// str returns the string contents s just read, as string does.
func (d *pageDecoder) str(s []byte) string { return d.alloc.string(s, len(d.data)-d.pos+len(s)) }

// slab is a block of values of one type, handed out one by one (new) or as runs (setRun), and a scratch slice a
// slice of them is decoded into first (see scratchFor).
type slab struct {
	block reflect.Value  // a slice of the type
	base  unsafe.Pointer // its first element
	size  uintptr        // the size of an element
	next  int

	scratch reflect.Value // a settable slice of the type
	lent    bool
}

// slabBytes bounds a block of values; blocks grow from a few values to it, so that a page of few entities does
// not keep a large one.
const slabBytes = 16 << 10

// next makes room for n more values in the slab of type t, id, and returns the slab and the index of the first.
func (a *pageAlloc) next(id int, t reflect.Type, n int) (*slab, int) {
	s := a.slab(id)
	if !s.block.IsValid() || s.next+n > s.block.Len() {
		size := 8
		if s.block.IsValid() {
			size = s.block.Len() * 2
		}
		if elem := int(t.Size()); elem > 0 {
			size = min(size, max(1, slabBytes/elem))
		}
		size = max(size, n)
		s.block = reflect.MakeSlice(reflect.SliceOf(t), size, size)
		s.base, s.size, s.next = s.block.UnsafePointer(), t.Size(), 0
	}
	i := s.next
	s.next += n
	return s, i
}

func (a *pageAlloc) slab(id int) *slab {
	for id >= len(a.slabs) {
		a.slabs = append(a.slabs, slab{})
	}
	return &a.slabs[id]
}

// new returns a pointer to a zero value of type t, id, from its slab.
func (a *pageAlloc) new(id int, t reflect.Type) unsafe.Pointer {
	s, i := a.next(id, t, 1)
	return unsafe.Add(s.base, uintptr(i)*s.size)
}

// setRun sets the slice at p, of type t whose elements are slab id's, to a run of the slab holding items'
// elements, of length and capacity items.Len(): appending to it never writes into the slab. Pointers are copied
// one by one (reflect.Copy would need p's slice as a Value).
func (a *pageAlloc) setRun(p unsafe.Pointer, id int, t reflect.Type, items reflect.Value) {
	n := items.Len()
	s, i := a.next(id, t.Elem(), n)
	run := unsafe.Add(s.base, uintptr(i)*s.size)
	// reflect's Slice3 would allocate the new slice's header: it is written at p instead, in the layout every Go
	// slice has (reflect.SliceHeader's). The stores are typed, so the collector sees the pointers.
	*(*sliceHeader)(p) = sliceHeader{data: run, len: n, cap: n}
	if t.Elem().Kind() != reflect.Pointer {
		reflect.Copy(reflect.NewAt(t, p).Elem(), items)
		return
	}
	from := items.UnsafePointer()
	for j := range uintptr(n) {
		*(*unsafe.Pointer)(unsafe.Add(run, j*s.size)) = *(*unsafe.Pointer)(unsafe.Add(from, j*s.size))
	}
}

// emptyArray is what an empty slice decoded from [] points to (as reflect.MakeSlice's point to the runtime's
// zero-size base): not nil, and never read or written through, its capacity being 0.
var emptyArray [0]uintptr

type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// scratchFor lends the scratch slice of the slab of type t's elements (t a slice type), id: an invalid Value when
// it is lent already, to a slice holding this one. Give it back with done.
func (a *pageAlloc) scratchFor(id int, t reflect.Type) reflect.Value {
	s := a.slab(id)
	if s.lent {
		return reflect.Value{}
	}
	if !s.scratch.IsValid() {
		s.scratch = reflect.New(t).Elem()
	}
	s.lent = true
	return s.scratch
}

// done takes back the scratch slice of slab id.
func (a *pageAlloc) done(id int) { a.slabs[id].lent = false }

var (
	slabMu  sync.Mutex
	slabIDs = map[reflect.Type]int{}
)

// slabID numbers a type's slab in every pageAlloc.
func slabID(t reflect.Type) int {
	slabMu.Lock()
	defer slabMu.Unlock()
	id, ok := slabIDs[t]
	if !ok {
		id = len(slabIDs)
		slabIDs[t] = id
	}
	return id
}

func (d *pageDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next byte that is not space, or 0 at the end.
func (d *pageDecoder) peek() byte {
	d.space()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// consume reads c, after any space, and reports whether it was there.
func (d *pageDecoder) consume(c byte) bool {
	if d.peek() == c {
		d.pos++
		return true
	}
	return false
}

// literal reads the literal word (true, false, null).
func (d *pageDecoder) literal(word string) error {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		return errNotDecoded
	}
	d.pos += len(word)
	return nil
}

// members reads an object's members after its '{', calling member with each key once the decoder stands
// before its value.
func (d *pageDecoder) members(member func(key []byte) error) error {
	if d.consume('}') {
		return nil
	}
	for {
		if d.peek() != '"' {
			return errNotDecoded
		}
		key, err := d.stringBytes()
		if err != nil {
			return err
		}
		if !d.consume(':') {
			return errNotDecoded
		}
		d.space()
		if err := member(key); err != nil {
			return err
		}
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			return nil
		}
		return errNotDecoded
	}
}

// elements reads an array's elements after its '[', calling element once the decoder stands before each.
func (d *pageDecoder) elements(element func() error) error {
	if d.consume(']') {
		return nil
	}
	for {
		d.space()
		if err := element(); err != nil {
			return err
		}
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return nil
		}
		return errNotDecoded
	}
}

// stringBytes reads a string at '"' and returns its contents: a slice of the input when it has no escape, else
// a new slice. A \u escape and bytes that are not valid UTF-8, which encoding/json replaces, are not decoded here.
func (d *pageDecoder) stringBytes() ([]byte, error) {
	start := d.pos + 1
	i := start
	for i < len(d.data) && plainByte[d.data[i]] {
		i++
	}
	if i < len(d.data) && d.data[i] == '"' { // no escape, control or non-ASCII byte: most strings
		d.pos = i + 1
		return d.data[start:i], nil
	}
	escaped := false
	for ; ; i++ {
		if i >= len(d.data) {
			return nil, errNotDecoded
		}
		c := d.data[i]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return nil, errNotDecoded
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, errNotDecoded
			}
			i += size - 1
			continue
		}
		if c == '\\' {
			escaped = true
			i++ // the escaped byte, checked by unescape
		}
	}
	d.pos = i + 1
	if !escaped {
		return d.data[start:i], nil
	}
	return unescape(d.data[start:i])
}

// plainByte is true for the bytes a string's contents may hold as they are, with no more checking: ASCII but
// controls, quotes and backslashes.
var plainByte = func() (plain [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\'
	}
	return plain
}()

// unescape decodes a string's contents holding the escapes JSON has, but \u.
func unescape(s []byte) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, errNotDecoded
		}
		switch s[i] {
		case '"', '\\', '/':
			out = append(out, s[i])
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
		default:
			return nil, errNotDecoded
		}
	}
	return out, nil
}

// number reads a number in JSON's grammar and returns its text.
func (d *pageDecoder) number() ([]byte, error) {
	s, i := d.data, d.pos
	digits := func() bool {
		from := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return nil, errNotDecoded
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return nil, errNotDecoded
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return nil, errNotDecoded
		}
	}
	text := s[d.pos:i]
	d.pos = i
	return text, nil
}

// skip reads any value, checking its syntax, and keeps nothing of it.
func (d *pageDecoder) skip() error {
	switch d.peek() {
	case '{':
		d.pos++
		return d.members(func([]byte) error { return d.skip() })
	case '[':
		d.pos++
		return d.elements(d.skip)
	case '"':
		_, err := d.stringBytes()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	_, err := d.number()
	return err
}

// anyValue reads a value as encoding/json does into an empty interface: map[string]any, []any, float64, string,
// bool or nil.
func (d *pageDecoder) anyValue() (any, error) {
	switch d.peek() {
	case '{':
		d.pos++
		base := len(d.pairs)
		err := d.members(func(key []byte) error {
			v, err := d.anyValue()
			d.pairs = append(d.pairs, member{d.str(key), v})
			return err
		})
		m := make(map[string]any, len(d.pairs)-base)
		for _, kv := range d.pairs[base:] {
			m[kv.key] = kv.value // in order: a key given twice keeps its last value, as encoding/json does
		}
		clear(d.pairs[base:])
		d.pairs = d.pairs[:base]
		return m, err
	case '[':
		d.pos++
		base := len(d.items)
		err := d.elements(func() error {
			v, err := d.anyValue()
			d.items = append(d.items, v)
			return err
		})
		list := make([]any, len(d.items)-base)
		copy(list, d.items[base:])
		clear(d.items[base:])
		d.items = d.items[:base]
		return list, err
	case '"':
		s, err := d.stringBytes()
		return d.str(s), err
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	}
	text, err := d.number()
	if err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return nil, errNotDecoded
	}
	return f, nil
}

// null reads a null when one is next, and reports whether it was.
func (d *pageDecoder) null() (bool, error) {
	if d.peek() != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

// compiled decodes a value of one type into the memory holding one, at a pointer; fn is set once the type is
// compiled (a type that holds itself refers to its own compiled while it is being made).
//
// The decoders write through unsafe pointers rather than reflect.Values: checking, at every field of every entity,
// that a Value may be set, is exported and has the kind asked for was a third of the decoding. Every store is a
// typed one (a *string, a *unsafe.Pointer, a slice header), so the collector sees each pointer written, and each
// pointer is to memory of the type its decoder was compiled for: a field at its offset in its struct, an element
// in its slice, a value of a slab of its type.
type compiled struct {
	fn decodeFn
}

// decodeFn decodes the next value into the value of its type at p.
type decodeFn func(d *pageDecoder, p unsafe.Pointer) error

func (c *compiled) decode(d *pageDecoder, p unsafe.Pointer) error {
	if c.fn == nil {
		return errNotDecoded // a type that failed to compile while one holding it was compiled
	}
	return c.fn(d, p)
}

// viaReflect is fn, which decodes into a reflect.Value, as a decoder of type t (for the kinds that gain nothing
// from pointers: maps with typed values, floats).
func viaReflect(t reflect.Type, fn func(d *pageDecoder, v reflect.Value) error) decodeFn {
	return func(d *pageDecoder, p unsafe.Pointer) error { return fn(d, reflect.NewAt(t, p).Elem()) }
}

var (
	compileMu sync.Mutex
	compiledT = map[reflect.Type]*compiled{}
	failedT   = map[reflect.Type]error{}

	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType          = reflect.TypeFor[json.Number]()
)

// decoderFor returns the decoder of type t, or errNotDecoded for a type decodePage leaves to encoding/json.
func decoderFor(t reflect.Type) (*compiled, error) {
	compileMu.Lock()
	defer compileMu.Unlock()
	return compile(t)
}

// compile makes t's decoder. compileMu is held.
func compile(t reflect.Type) (*compiled, error) {
	if c, ok := compiledT[t]; ok {
		return c, nil
	}
	if err, ok := failedT[t]; ok {
		return nil, err
	}
	c := &compiled{}
	compiledT[t] = c
	fn, err := compileKind(t)
	if err != nil {
		delete(compiledT, t)
		failedT[t] = err
		return nil, err
	}
	c.fn = fn
	return c, nil
}

func compileKind(t reflect.Type) (decodeFn, error) {
	pt := reflect.PointerTo(t)
	if t == numberType || t.Implements(unmarshalerType) || pt.Implements(unmarshalerType) ||
		t.Implements(textUnmarshalerType) || pt.Implements(textUnmarshalerType) {
		return nil, errNotDecoded
	}
	switch t.Kind() {
	case reflect.Pointer:
		return compilePointer(t)
	case reflect.String:
		return decodeString, nil
	case reflect.Bool:
		return decodeBool, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return compileInteger(t, parseInt), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return compileInteger(t, parseUint), nil
	case reflect.Float32, reflect.Float64:
		return viaReflect(t, decodeFloat), nil
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return nil, errNotDecoded
		}
		return decodeInterface, nil
	case reflect.Slice:
		return compileSlice(t)
	case reflect.Map:
		return compileMap(t)
	case reflect.Struct:
		return compileStruct(t)
	}
	return nil, errNotDecoded
}

func compilePointer(t reflect.Type) (decodeFn, error) {
	elem, err := compile(t.Elem())
	if err != nil {
		return nil, err
	}
	id := slabID(t.Elem())
	return func(d *pageDecoder, p unsafe.Pointer) error {
		ptr := (*unsafe.Pointer)(p)
		if null, err := d.null(); null || err != nil {
			*ptr = nil
			return err
		}
		if *ptr == nil {
			*ptr = d.alloc.new(id, t.Elem())
		}
		return elem.decode(d, *ptr)
	}, nil
}

// The scalars: a null leaves the value as it is, as encoding/json does.

func decodeString(d *pageDecoder, p unsafe.Pointer) error {
	if null, err := d.null(); null || err != nil {
		return err
	}
	if d.peek() != '"' {
		return errNotDecoded
	}
	s, err := d.stringBytes()
	if err != nil {
		return err
	}
	*(*string)(p) = d.str(s)
	return nil
}

func decodeBool(d *pageDecoder, p unsafe.Pointer) error {
	switch d.peek() {
	case 'n':
		return d.literal("null")
	case 't':
		*(*bool)(p) = true
		return d.literal("true")
	case 'f':
		*(*bool)(p) = false
		return d.literal("false")
	}
	return errNotDecoded
}

// numberText reads a number, or a null (nil text).
func (d *pageDecoder) numberText() ([]byte, error) {
	if null, err := d.null(); null || err != nil {
		return nil, err
	}
	return d.number()
}

// compileInteger decodes an integer of t's size (signed when N is int64, unsigned when uint64), read by parse and
// refused when t cannot hold it, as reflect's OverflowInt and OverflowUint do.
func compileInteger[N int64 | uint64](t reflect.Type, parse func(string) (N, error)) decodeFn {
	bits, kind := uint(t.Bits()), t.Kind()
	return func(d *pageDecoder, p unsafe.Pointer) error {
		text, err := d.numberText()
		if text == nil || err != nil {
			return err
		}
		n, err := parse(string(text))
		if err != nil || n != n<<(64-bits)>>(64-bits) {
			return errNotDecoded
		}
		switch kind {
		case reflect.Int:
			*(*int)(p) = int(n)
		case reflect.Int8:
			*(*int8)(p) = int8(n)
		case reflect.Int16:
			*(*int16)(p) = int16(n)
		case reflect.Int32:
			*(*int32)(p) = int32(n)
		case reflect.Int64:
			*(*int64)(p) = int64(n)
		case reflect.Uint:
			*(*uint)(p) = uint(n)
		case reflect.Uint8:
			*(*uint8)(p) = uint8(n)
		case reflect.Uint16:
			*(*uint16)(p) = uint16(n)
		case reflect.Uint32:
			*(*uint32)(p) = uint32(n)
		default:
			*(*uint64)(p) = uint64(n)
		}
		return nil
	}
}

func parseInt(s string) (int64, error)   { return strconv.ParseInt(s, 10, 64) }
func parseUint(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }

func decodeFloat(d *pageDecoder, v reflect.Value) error {
	text, err := d.numberText()
	if text == nil || err != nil {
		return err
	}
	f, err := strconv.ParseFloat(string(text), v.Type().Bits())
	if err != nil || v.OverflowFloat(f) {
		return errNotDecoded
	}
	v.SetFloat(f)
	return nil
}

// decodeInterface decodes into an empty interface (any, or a named type of no methods, which is laid out as any).
func decodeInterface(d *pageDecoder, p unsafe.Pointer) error {
	v := (*any)(p)
	if *v != nil {
		return errNotDecoded // encoding/json would decode into what it holds
	}
	value, err := d.anyValue()
	if err != nil {
		return err
	}
	if value != nil {
		*v = value
	}
	return nil
}

func compileSlice(t reflect.Type) (decodeFn, error) {
	if t.Elem().Kind() == reflect.Uint8 {
		return nil, errNotDecoded // base64
	}
	elem, err := compile(t.Elem())
	if err != nil {
		return nil, err
	}
	id, size, zero := slabID(t.Elem()), t.Elem().Size(), zeroer(t.Elem())
	return func(d *pageDecoder, p unsafe.Pointer) error {
		header := (*sliceHeader)(p)
		if null, err := d.null(); null || err != nil {
			*header = sliceHeader{}
			return err
		}
		if !d.consume('[') {
			return errNotDecoded
		}
		// A new slice's elements are decoded into the slab's scratch slice, then copied into a run of the slab of
		// exactly their number: a slice grown one element at a time would be allocated again and again. A slice
		// inside one of its own type (its scratch lent), or one that is there already, grows as it goes.
		var into reflect.Value
		scratch := false
		if header.data == nil {
			if sc := d.alloc.scratchFor(id, t); sc.IsValid() {
				into, scratch = sc, true
				defer d.alloc.done(id)
			}
		}
		if !scratch {
			into = reflect.NewAt(t, p).Elem()
		}
		n := 0
		into.SetLen(0)
		err := d.elements(func() error {
			if n >= into.Cap() {
				into.SetLen(n)
				into.Grow(1)
			}
			// Up to its capacity, the element is written in place; the length is set once they are all read.
			item := unsafe.Add(into.UnsafePointer(), uintptr(n)*size)
			zero(item)
			n++
			return elem.decode(d, item)
		})
		if err != nil {
			return err
		}
		into.SetLen(n)
		switch {
		case n == 0 && header.data == nil:
			*header = sliceHeader{data: unsafe.Pointer(&emptyArray)}
		case scratch:
			d.alloc.setRun(p, id, t, into)
		}
		return nil
	}, nil
}

func compileMap(t reflect.Type) (decodeFn, error) {
	if t.Key().Kind() != reflect.String || t.Key().Implements(textUnmarshalerType) ||
		reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
		return nil, errNotDecoded
	}
	if t.Elem().Kind() == reflect.Interface && t.Elem().NumMethod() == 0 && t.ConvertibleTo(anyMapType) {
		return decodeAnyMap, nil
	}
	elem, err := compile(t.Elem())
	if err != nil {
		return nil, err
	}
	return viaReflect(t, func(d *pageDecoder, v reflect.Value) error {
		if null, err := d.null(); null || err != nil {
			v.SetZero()
			return err
		}
		if !d.consume('{') {
			return errNotDecoded
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		return d.members(func(key []byte) error {
			item := reflect.New(t.Elem())
			if err := elem.decode(d, item.UnsafePointer()); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(string(key)).Convert(t.Key()), item.Elem())
			return nil
		})
	}), nil
}

var anyMapType = reflect.TypeFor[map[string]any]()

// decodeAnyMap decodes a map of free-form values (a plugin's config) as a whole, as anyValue does, into a
// map[string]any or a type of the same layout (compileMap checks that it converts to one).
func decodeAnyMap(d *pageDecoder, p unsafe.Pointer) error {
	v := (*map[string]any)(p)
	if null, err := d.null(); null || err != nil {
		*v = nil
		return err
	}
	if d.peek() != '{' || *v != nil {
		return errNotDecoded // encoding/json would add to the map v holds
	}
	m, err := d.anyValue()
	if err != nil {
		return err
	}
	*v = m.(map[string]any)
	return nil
}

// structField is one field of a struct as encoding/json fills it: a field of the struct, or of a struct embedded
// in it (index is the path of field indexes), with its decoder, or nil for a type decodePage leaves to
// encoding/json (a page holding the field is).
type structField struct {
	index []int
	name  string
	dec   *compiled
	// offset is where the field is in the struct, when no embedded pointer is on the way (inline true).
	offset uintptr
	inline bool
}

// maxStructFields bounds the fields of a struct decoded here: which were given is kept in one uint64.
const maxStructFields = 64

func compileStruct(t reflect.Type) (decodeFn, error) {
	fields, err := structFields(t, nil, map[string]bool{})
	if err != nil {
		return nil, err
	}
	if len(fields) > maxStructFields {
		return nil, errNotDecoded
	}
	for i := range fields {
		fields[i].offset, fields[i].inline = fieldOffset(t, fields[i].index)
	}
	byName := make(map[string]int, len(fields))
	for i, f := range fields {
		byName[f.name] = i
	}
	return func(d *pageDecoder, p unsafe.Pointer) error {
		if null, err := d.null(); null || err != nil {
			return err
		}
		if !d.consume('{') {
			return errNotDecoded
		}
		var given uint64
		return d.members(func(key []byte) error {
			i, ok := byName[string(key)]
			if !ok {
				for _, f := range fields {
					if foldsTo(key, f.name) {
						return errNotDecoded // encoding/json takes it for the field
					}
				}
				return d.skip()
			}
			if given&(1<<i) != 0 {
				return errNotDecoded // encoding/json decodes into what the first one made
			}
			given |= 1 << i
			f := fields[i]
			if f.dec == nil {
				return errNotDecoded
			}
			if f.inline {
				return f.dec.decode(d, unsafe.Add(p, f.offset))
			}
			return f.dec.decode(d, fieldByIndex(reflect.NewAt(t, p).Elem(), f.index).Addr().UnsafePointer())
		})
	}, nil
}

// fieldOffset returns the offset in struct type t of the field at the path index, and false when an embedded
// pointer is on the way (the field is then reached through fieldByIndex, which makes the struct it points to).
func fieldOffset(t reflect.Type, index []int) (uintptr, bool) {
	var offset uintptr
	for n, i := range index {
		if n > 0 && t.Kind() == reflect.Pointer {
			return 0, false
		}
		f := t.Field(i)
		offset += f.Offset
		t = f.Type
	}
	return offset, true
}

// zeroer returns what sets the value of type t at a pointer to the zero value, by a typed store.
func zeroer(t reflect.Type) func(p unsafe.Pointer) {
	switch t.Kind() {
	case reflect.Pointer:
		return func(p unsafe.Pointer) { *(*unsafe.Pointer)(p) = nil }
	case reflect.String:
		return func(p unsafe.Pointer) { *(*string)(p) = "" }
	}
	return func(p unsafe.Pointer) { reflect.NewAt(t, p).Elem().SetZero() }
}

// fieldByIndex is the field at the path index of v, making the embedded structs on the way that are nil
// pointers, as encoding/json does.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v
}

// structFields lists the fields encoding/json fills of a struct type, those of untagged embedded structs among
// them, below the path at; names holds the names met so far, lower-cased. It returns errNotDecoded when
// encoding/json would do something this decoder does not: the ",string" option, a name it would not take from a
// tag, two fields whose names are equal ignoring case (of which encoding/json picks by depth and tag), an embedded
// field that is not an exported struct or a pointer to one.
func structFields(t reflect.Type, at []int, names map[string]bool) ([]structField, error) {
	var fields []structField
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(slices.Clone(at), i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			embedded := f.Type
			if embedded.Kind() == reflect.Pointer {
				embedded = embedded.Elem()
			}
			if !f.IsExported() || embedded.Kind() != reflect.Struct {
				return nil, errNotDecoded
			}
			inner, err := structFields(embedded, index, names)
			if err != nil {
				return nil, err
			}
			fields = append(fields, inner...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") || !plainName(name) {
			return nil, errNotDecoded
		}
		if name == "" {
			name = f.Name
		}
		if names[strings.ToLower(name)] {
			return nil, errNotDecoded
		}
		names[strings.ToLower(name)] = true
		dec, _ := compile(f.Type) // nil for a type left to encoding/json
		fields = append(fields, structField{index: index, name: name, dec: dec})
	}
	return fields, nil
}

// plainName reports whether a tag's name is letters, digits and underscores only (any name Kong's fields have),
// which encoding/json takes as it is.
func plainName(name string) bool {
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// foldsTo reports whether key could be taken for name by encoding/json's case-insensitive match: equal ignoring
// ASCII case, or holding any byte beyond ASCII (which Unicode folding could map onto a letter of name).
func foldsTo(key []byte, name string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return strings.EqualFold(string(key), name)
}

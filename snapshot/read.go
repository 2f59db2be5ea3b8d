package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/kong/go-kong/kong"
	"gopkg.in/yaml.v3"
)

// ReadOptions says how files become a snapshot.
type ReadOptions struct {
	Keyring *Keyring // decrypts encrypted secrets; may be nil when the files hold none
	// Encrypted says every secret must be encrypted (the manifest says the files were written with secrets
	// encrypted): a plaintext value in a secret field is refused with ErrPlaintextSecret, naming entity and field.
	Encrypted bool
}

// formatVersions are the _format_version values decK defines: 1.1 for Kong 1.x and 2.x, 3.0 for Kong 3.x.
var formatVersions = []string{"1.1", "3.0"}

// IsStateFile reports whether decK reads the file at path as a state file: .yaml, .yml or .json, any case.
func IsStateFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Read parses decK files into one snapshot: kongsnap's own directories and decK's dumps alike, nested or top-level
// forms, references by name or by id, one file or several merged (an entity in one file may reference one defined
// in another). Files whose names decK ignores (the manifest) are ignored. Encrypted secrets are decrypted with
// opts.Keyring; redacted ones are kept as Redacted (see RedactedFields). Every error names the file, line, entity
// and field.
func Read(files Files, opts ReadOptions) (*Snapshot, error) {
	var names []string
	for name := range files {
		if IsStateFile(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, errors.New("reading snapshot: no .yaml, .yml or .json file")
	}
	sort.Strings(names)
	infoKnown := true
	for _, name := range names {
		if bytes.Contains(files[name], []byte("_info")) {
			infoKnown = false // decided once that file's _info is read
		}
	}
	if infoKnown {
		if s, err := readParallel(files, names, opts); err == nil {
			return s, nil
		}
	}
	return readSequential(files, names, opts, infoKnown)
}

// readSequential reads the files one entity after another: entities are decoded as soon as read when infoKnown
// (no file has an _info), after every file is read otherwise.
func readSequential(files Files, names []string, opts ReadOptions, infoKnown bool) (*Snapshot, error) {
	r := &reader{opts: opts, ix: NewIndex(nil), origin: map[any]*rawEntity{}, infoKnown: infoKnown}
	for _, name := range names {
		if err := r.parseFile(name, files[name]); err != nil {
			return nil, fmt.Errorf("reading snapshot: %w", err)
		}
	}
	s, err := r.build()
	if err != nil {
		return nil, fmt.Errorf("reading snapshot: %w", err)
	}
	return s, nil
}

type reader struct {
	opts          ReadOptions
	entities      []*rawEntity
	infoKnown     bool // no file still to be read can bring an _info: entities are decoded as soon as read
	formatVersion string
	formatFile    string
	info          *fileInfo
	ix            *Index
	origin        map[any]*rawEntity
	line          *decodeLine // when set, entities are decoded there, beside the parser (see readParallel)
	ixMu          *sync.Mutex // when set, guards ix and origin, shared with the readers of other files (readParallel)
}

// fileInfo is a file's _info: decK applies it to the entities of every file it reads together.
type fileInfo struct {
	file       string
	selectTags []string
	defaults   map[Kind]map[string]any
}

// rawEntity is one entity as a file wrote it, before references are resolved.
type rawEntity struct {
	kind   Kind
	file   string
	label  string         // path in the file and name: `services[0].routes[2] "orders"`
	node   *yaml.Node     // until decoded: a decoded entity keeps only the lines its errors can name
	line   int            // of the entity
	caLine int            // of its ca_certificates key, which resolve checks
	fields map[string]any // until decoded
	refs   []rawRef
	parent *rawEntity // the entity it is nested under
	entity any
}

// rawRef is a reference by name or id to another entity.
type rawRef struct {
	field string
	kind  Kind
	key   string
	line  int
}

func (e *rawEntity) fail(field string, err error) error {
	line := e.line
	switch {
	case e.node != nil && field != "":
		line = keyLine(e.node, field)
	case e.node != nil:
		line = e.node.Line
	case field == "ca_certificates":
		line = e.caLine
	}
	if field != "" {
		var located *Error
		if errors.As(err, &located) && located.Field == "" {
			located.Field = field
		} else if located == nil {
			err = fieldError(field, err)
		}
	}
	return locate(err, e.file, line, e.label)
}

// failInField locates an error that names a field (possibly nested, "healthchecks.active.timeout") at the line of
// its top-level key.
func (e *rawEntity) failInField(err error) error {
	var located *Error
	if errors.As(err, &located) && located.Field != "" && e.node != nil {
		top, _, _ := strings.Cut(located.Field, ".")
		located.Line = keyLine(e.node, top)
	}
	return e.fail("", err)
}

// sectionKinds are the top-level lists of a decK file kongsnap reads, with the kind of their entries.
var sectionKinds = func() map[string]Kind {
	m := map[string]Kind{}
	for _, info := range kindTable {
		if info.TopLevel {
			m[string(info.Kind)] = info.Kind
		}
	}
	return m
}()

// children are the lists nested in an entity of a kind, with the kind of their entries.
var children = func() map[Kind]map[string]Kind {
	m := map[Kind]map[string]Kind{}
	for _, info := range kindTable {
		for _, parent := range info.NestedIn {
			if m[parent] == nil {
				m[parent] = map[string]Kind{}
			}
			m[parent][string(info.Kind)] = info.Kind
		}
	}
	return m
}()

// references are the fields a file may set to the name or id of another entity, by kind of the entity holding
// them: every single reference to a kind a snapshot holds (a list such as ca_certificates holds ids as written).
var references = func() map[Kind]map[string]Kind {
	m := map[Kind]map[string]Kind{}
	for _, info := range kindTable {
		for _, f := range info.refs(info.New()) {
			if !f.List && f.Kind.Info() != nil {
				if m[info.Kind] == nil {
					m[info.Kind] = map[string]Kind{}
				}
				m[info.Kind][f.Field] = f.Kind
			}
		}
	}
	return m
}()

// nestingField is the reference field that nesting an entity of kind under a parent of the parent kind sets.
func nestingField(kind, parent Kind) string {
	for field, k := range references[kind] {
		if k == parent {
			return field
		}
	}
	return ""
}

// unsupported are go-kong fields that decK files do not carry or kongsnap does not back up.
var unsupported = map[Kind][]string{
	KindPlugin: {"consumer_group"},
}

// parseFile reads one file's entities into the reader. A file kongsnap wrote is read an entry at a time (see
// parseFastSections): first without its sections, to check it is in the subset parseFast reads and to take its
// _format_version and _info, then entry by entry, so that a large file is never held as one node tree. Any other
// file is read whole by yaml.v3.
func (r *reader) parseFile(name string, data []byte) error {
	src := inPlace(data)
	head, ok, _ := parseFastSections(src, true, func(*yaml.Node, int, *yaml.Node) error { return nil })
	if ok && !hasMergeKey(head.Content[0]) {
		return r.parseSections(name, src, head)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &Error{File: name, Err: fmt.Errorf("%v: %w", strings.TrimPrefix(err.Error(), "yaml: "), ErrSyntax)}
	}
	return r.parseDocument(name, &doc, nil)
}

// parseSections reads a file parseFastSections reads: the root mapping head (its sections left empty), then the
// sections' entries as the second pass hands them over.
func (r *reader) parseSections(name, src string, head *yaml.Node) error {
	kinds := map[string]Kind{}
	if err := r.parseDocument(name, head, kinds); err != nil {
		return err
	}
	// Entities decoded as they are read keep no node; the others keep theirs until decoded.
	_, _, err := parseFastSections(src, r.infoKnown, func(key *yaml.Node, index int, entry *yaml.Node) error {
		kind, ok := kinds[key.Value]
		if !ok {
			return nil // a section that is no list (null, []): parseDocument has read it
		}
		return r.parseEntity(name, key.Value+"["+strconv.Itoa(index)+"]", kind, deref(entry), nil)
	})
	return err
}

// inPlace is data as a string, not copied (a million-entity snapshot is hundreds of megabytes). Its callers keep no
// piece of it beyond their call, strings being copied into entities (fieldsInto, the JSON road), references and
// labels built anew, and entries copied out (DifferingEntries); and data is not changed meanwhile.
func inPlace(data []byte) string { return unsafe.String(unsafe.SliceData(data), len(data)) }

// hasMergeKey reports whether a mapping has a "<<" key, whose merged sections parseSections would not stream.
func hasMergeKey(n *yaml.Node) bool {
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			return true
		}
	}
	return false
}

// parseDocument reads a file's root mapping. With streamed set, the block sequences of its sections are not read
// here (their entries come later) but their kinds are recorded in it.
func (r *reader) parseDocument(name string, doc *yaml.Node, streamed map[string]Kind) error {
	if len(doc.Content) == 0 {
		return nil
	}
	root := deref(doc.Content[0])
	pairs, err := mappingPairs(root)
	if err != nil {
		return locate(err, name, root.Line, "")
	}
	for _, p := range pairs {
		key := p.key.Value
		fail := func(err error) error { return locate(err, name, p.key.Line, "") }
		switch key {
		case "_format_version":
			if err := r.formatVersionOf(name, p.value); err != nil {
				return fail(err)
			}
		case "_info":
			if err := r.infoOf(name, p.value); err != nil {
				return fail(err)
			}
		case "_transform":
			if v, err := scalarValue(deref(p.value)); err != nil || v != true {
				return fail(fieldError(key, errorf(ErrInvalidValue, "only true is supported")))
			}
		default:
			kind, ok := sectionKinds[key]
			if !ok {
				return fail(errorf(ErrUnknownField, "unknown top-level section %q (kongsnap reads %s)", key,
					strings.Join(slices.Sorted(maps.Keys(sectionKinds)), ", ")))
			}
			if streamed != nil && p.value.Kind == yaml.SequenceNode && p.value.Style&yaml.FlowStyle == 0 {
				streamed[key] = kind
				continue
			}
			if err := r.parseList(name, key, kind, p.value, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *reader) formatVersionOf(file string, n *yaml.Node) error {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || !slices.Contains(formatVersions, n.Value) {
		return fieldError("_format_version", errorf(ErrFormatVersion, "%s is not one of %s", nodeKind(n),
			strings.Join(formatVersions, ", ")))
	}
	if r.formatVersion != "" && r.formatVersion != n.Value {
		return fieldError("_format_version", errorf(ErrFormatVersion, "%q differs from %q in %s", n.Value,
			r.formatVersion, r.formatFile))
	}
	r.formatVersion, r.formatFile = n.Value, file
	return nil
}

func (r *reader) infoOf(file string, n *yaml.Node) error {
	pairs, err := mappingPairs(n)
	if err != nil {
		return err
	}
	info := &fileInfo{file: file, defaults: map[Kind]map[string]any{}}
	for _, p := range pairs {
		switch p.key.Value {
		case "select_tags":
			v, err := toValue(p.value)
			if err != nil {
				return err
			}
			list, _ := v.([]any)
			for _, tag := range list {
				s, ok := tag.(string)
				if !ok {
					return &Error{Line: p.key.Line, Field: "_info.select_tags", Err: errorf(ErrInvalidValue, "want a list of strings")}
				}
				info.selectTags = append(info.selectTags, s)
			}
		case "defaults":
			if err := defaultsOf(info, p.value); err != nil {
				return err
			}
		default:
			return &Error{Line: p.key.Line, Field: "_info." + p.key.Value,
				Err: errorf(ErrUnknownField, "kongsnap reads only _info.select_tags and _info.defaults")}
		}
	}
	if r.info == nil {
		r.info = info
		return r.infoSettled()
	}
	if !slices.Equal(r.info.selectTags, info.selectTags) || !reflect.DeepEqual(r.info.defaults, info.defaults) {
		return fieldError("_info", errorf(ErrInvalidValue, "differs from _info in %s: files read together must agree",
			r.info.file))
	}
	return nil
}

func defaultsOf(info *fileInfo, n *yaml.Node) error {
	pairs, err := mappingPairs(n)
	if err != nil {
		return err
	}
	kinds := map[string]Kind{"service": KindService, "route": KindRoute, "upstream": KindUpstream, "target": KindTarget}
	for _, p := range pairs {
		kind, ok := kinds[p.key.Value]
		if !ok {
			return &Error{Line: p.key.Line, Field: "_info.defaults." + p.key.Value,
				Err: errorf(ErrUnknownField, "defaults exist for service, route, upstream and target")}
		}
		v, err := toValue(p.value)
		if err != nil {
			return err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return &Error{Line: p.key.Line, Field: "_info.defaults." + p.key.Value, Err: errorf(ErrInvalidValue, "want a mapping")}
		}
		if err := decodeEntity(kind, m, new(any)); err != nil {
			return locate(err, "", p.key.Line, "_info.defaults."+p.key.Value)
		}
		info.defaults[kind] = m
	}
	return nil
}

func (r *reader) parseList(file, path string, kind Kind, n *yaml.Node, parent *rawEntity) error {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return locate(errorf(ErrInvalidValue, "%s: want a list, got %s", path, nodeKind(n)), file, n.Line, "")
	}
	for i, item := range n.Content {
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		if err := r.parseEntity(file, itemPath, kind, deref(item), parent); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) parseEntity(file, itemPath string, kind Kind, n *yaml.Node, parent *rawEntity) error {
	e := &rawEntity{kind: kind, file: file, label: itemPath, node: n, parent: parent}
	if kind == KindSNI && n.Kind == yaml.ScalarNode {
		// An SNI listed by name alone, as the Admin API lists a certificate's snis.
		e.fields = map[string]any{"name": n.Value}
		r.entities = append(r.entities, e)
		return r.decodeNow(e)
	}
	e.label = itemPath + labelName(n)
	pairs, err := mappingPairs(n)
	if err != nil {
		return locate(err, file, n.Line, e.label)
	}
	e.fields = make(map[string]any, len(pairs))
	allowed := fieldNames(kind)
	type nested struct {
		key  string
		kind Kind
		node *yaml.Node
	}
	var nestedLists []nested
	for _, p := range pairs {
		key := p.key.Value
		if parent != nil && nestingField(kind, parent.kind) == key {
			return e.fail(key, errorf(ErrUnknownField, "not allowed in a %s nested under a %s: the nesting says it",
				kind.Singular(), parent.kind.Singular()))
		}
		if childKind, ok := children[kind][key]; ok {
			nestedLists = append(nestedLists, nested{key, childKind, p.value})
			continue
		}
		if target, ok := references[kind][key]; ok {
			ref, err := referenceOf(target, p.value)
			if err != nil {
				return e.fail(key, err)
			}
			ref.field, ref.line = key, p.key.Line
			ref.key = strings.Clone(ref.key) // not a piece of the whole file, which a reference would keep
			e.refs = append(e.refs, ref)
			continue
		}
		if !allowed[key] || slices.Contains(unsupported[kind], key) {
			return e.fail(key, errorf(ErrUnknownField, "a %s has no field %q", kind.Singular(), key))
		}
		if key == "created_at" || key == "updated_at" {
			continue
		}
		v, err := toValue(p.value)
		if err != nil {
			return e.fail(key, err)
		}
		e.fields[key] = v
	}
	r.entities = append(r.entities, e)
	if err := r.decodeNow(e); err != nil {
		return err
	}
	for _, list := range nestedLists {
		if err := r.parseList(file, itemPath+"."+list.key, list.kind, list.node, e); err != nil {
			return err
		}
	}
	return nil
}

// labelName returns ` "name"` for an entity node that has a name-like field, for error messages. It never shows a
// secret field.
func labelName(n *yaml.Node) string {
	for _, key := range []string{"name", "username", "custom_id", "prefix", "target", "group", "kid"} {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key && deref(n.Content[i+1]).Kind == yaml.ScalarNode {
				return " " + strconv.Quote(deref(n.Content[i+1]).Value)
			}
		}
	}
	return ""
}

// referenceOf reads a reference: a name or id, or a mapping holding one ({id: …} or {name: …}; decK's dumps write
// a key's whole key set there). The id wins when both are given.
func referenceOf(target Kind, n *yaml.Node) (rawRef, error) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
		return rawRef{kind: target, key: n.Value}, nil
	}
	v, err := toValue(n)
	if err != nil {
		return rawRef{}, err
	}
	if m, ok := v.(map[string]any); ok {
		for _, key := range []string{"id", "name", "username"} {
			if s, ok := m[key].(string); ok && s != "" {
				return rawRef{kind: target, key: s}, nil
			}
		}
	}
	return rawRef{}, errorf(ErrInvalidValue, "want the name or id of a %s, or {id: …} or {name: …}", target.Singular())
}

var fieldNameCache = map[Kind]map[string]bool{}

func init() {
	for _, kind := range Kinds {
		names := map[string]bool{}
		t := reflect.TypeOf(newEntity(kind)).Elem()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				names[name] = true
			}
		}
		fieldNameCache[kind] = names
	}
}

// fieldNames returns the JSON field names of a kind's go-kong type.
func fieldNames(kind Kind) map[string]bool { return fieldNameCache[kind] }

func newEntity(kind Kind) any { return kind.Info().New() }

// decodeEntity decodes fields into a new go-kong value of kind, stored in *out; nested unknown fields are errors.
func decodeEntity(kind Kind, fields map[string]any, out *any) error {
	if e := newEntity(kind); fieldsInto(e, fields) == nil {
		*out = e
		return nil
	}
	data, err := json.Marshal(fields)
	if err != nil {
		return errorf(ErrInvalidValue, "%v", err)
	}
	e := newEntity(kind)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(e); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fieldError(typeErr.Field, errorf(ErrInvalidValue, "want %s, got a %s", typeErr.Type, typeErr.Value))
		}
		message := strings.TrimPrefix(err.Error(), "json: ")
		if strings.HasPrefix(message, "unknown field") {
			return errorf(ErrUnknownField, "%s", message)
		}
		return errorf(ErrInvalidValue, "%s", message)
	}
	*out = e
	return nil
}

func (r *reader) build() (*Snapshot, error) {
	if r.formatVersion == "" && len(r.entities) > 0 {
		return nil, &Error{File: r.entities[0].file, Field: "_format_version",
			Err: errorf(ErrFormatVersion, "no file declares one (want %s)", strings.Join(formatVersions, " or "))}
	}
	if err := r.infoSettled(); err != nil {
		return nil, err
	}
	for _, e := range r.entities {
		if err := r.resolve(e); err != nil {
			return nil, err
		}
	}
	s := &Snapshot{}
	for _, e := range r.entities {
		if _, err := s.Add(e.entity); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// decodeNow decodes an entity just read, once no _info can still come (infoSettled decodes the others).
func (r *reader) decodeNow(e *rawEntity) error {
	switch {
	case !r.infoKnown:
		return nil
	case r.line != nil:
		return r.line.add(e)
	}
	return r.decode(e)
}

// decode turns a raw entity into its go-kong value (decodeValue) and indexes it; the entity keeps only the lines
// its errors can name.
func (r *reader) decode(e *rawEntity) error {
	if err := r.decodeValue(e); err != nil {
		return err
	}
	if err := r.index(e); err != nil {
		return err
	}
	e.line, e.caLine = e.node.Line, keyLine(e.node, "ca_certificates")
	e.node, e.fields = nil, nil
	return nil
}

// decodeValue turns a raw entity's fields into its go-kong value, after decK's sugar (a service's url),
// _info.defaults and _info.select_tags are applied, and its secrets decrypted. It touches nothing but e, so
// entities can be decoded side by side.
func (r *reader) decodeValue(e *rawEntity) error {
	if e.kind == KindService {
		if err := expandURL(e.fields); err != nil {
			return e.fail("url", err)
		}
	}
	if r.info != nil {
		for key, value := range r.info.defaults[e.kind] {
			if _, ok := e.fields[key]; !ok {
				e.fields[key] = value
			}
		}
		if len(r.info.selectTags) > 0 {
			tags, _ := e.fields["tags"].([]any)
			for _, tag := range r.info.selectTags {
				if !slices.Contains(tags, any(tag)) {
					tags = append(tags, tag)
				}
			}
			e.fields["tags"] = tags
		}
	}
	if err := decodeEntity(e.kind, e.fields, &e.entity); err != nil {
		return e.failInField(err)
	}
	changed, err := revealSecrets(e.kind, e.entity, e.fields, r.opts)
	if err != nil {
		return e.failInField(err)
	}
	if changed {
		if err := decodeEntity(e.kind, e.fields, &e.entity); err != nil {
			return e.fail("", err)
		}
	}
	if e.kind == KindCertificate && ID(e.entity) == "" {
		return e.fail("", errorf(ErrInvalidValue, "a certificate needs an id: SNIs, services and upstreams reference it by id"))
	}
	return nil
}

// index adds a decoded entity to the reader's index, refusing a second entity with the same id or name.
func (r *reader) index(e *rawEntity) error {
	if r.ixMu != nil {
		r.ixMu.Lock()
		defer r.ixMu.Unlock()
	}
	if clash := r.ix.Add(e.entity); clash != nil {
		first := r.origin[clash]
		return e.fail("", errorf(ErrDuplicateEntity, "same id or name as %s in %s", first.label, first.file))
	}
	r.origin[e.entity] = e
	return nil
}

// infoSettled decodes the entities read while an _info could still come: from now on, none can, and entities are
// decoded as soon as they are read.
func (r *reader) infoSettled() error {
	r.infoKnown = true
	for _, e := range r.entities {
		if e.entity == nil {
			if err := r.decode(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// expandURL replaces decK's url sugar on a service by protocol, host, port and path; fields written explicitly win.
func expandURL(fields map[string]any) error {
	raw, ok := fields["url"]
	if !ok {
		return nil
	}
	delete(fields, "url")
	s, _ := raw.(string)
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return errorf(ErrInvalidValue, "%q is not an absolute URL", s)
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	if p := u.Port(); p != "" {
		port = p
	}
	from := map[string]any{"protocol": u.Scheme, "host": u.Hostname(), "port": json.Number(port)}
	if u.EscapedPath() != "" {
		from["path"] = u.EscapedPath()
	}
	for key, value := range from {
		if _, ok := fields[key]; !ok {
			fields[key] = value
		}
	}
	return nil
}

// uuidKey is the form of an id: a reference by one may point outside the files.
var uuidKey = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// resolve sets an entity's foreign keys: from the entity it is nested under, and from the references it names.
func (r *reader) resolve(e *rawEntity) error {
	if e.parent != nil {
		if field := nestingField(e.kind, e.parent.kind); field != "" {
			setRef(e.entity, field, RefTo(e.parent.entity))
		}
	}
	for _, ref := range e.refs {
		target := r.ix.Find(ref.kind, ref.key)
		if target == nil && uuidKey.MatchString(ref.key) {
			// A partial snapshot (some sections, or select tags) points at entities outside it by id, as decK's
			// select-tag dumps do; restore checks the target gateway has them.
			setRef(e.entity, ref.field, Ref{Kind: ref.kind, ID: ref.key})
			continue
		}
		if target == nil {
			return locate(fieldError(ref.field, errorf(ErrDanglingReference, "references %s %q, which no file defines",
				ref.kind.Singular(), ref.key)), e.file, ref.line, e.label)
		}
		to := RefTo(target)
		if to.Zero() {
			return locate(fieldError(ref.field, errorf(ErrInvalidValue, "%s %q has neither id nor name",
				ref.kind.Singular(), ref.key)), e.file, ref.line, e.label)
		}
		setRef(e.entity, ref.field, to)
	}
	if svc, ok := e.entity.(*kong.Service); ok {
		for _, id := range svc.CACertificates {
			if id == nil || r.ix.Find(KindCACertificate, *id) == nil && !uuidKey.MatchString(*id) {
				return e.fail("ca_certificates", errorf(ErrDanglingReference,
					"references CA certificate %q, which no file defines", str(id)))
			}
		}
	}
	return nil
}

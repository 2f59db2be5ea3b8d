package snapshot

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/kong/go-kong/kong"
	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"
)

// Files is a snapshot directory in memory: slash-separated path relative to the directory → content.
type Files map[string][]byte

// FormatVersion is the decK _format_version written in every file (the one for Kong 3.x).
const FormatVersion = "3.0"

// WriteOptions says how a snapshot becomes files.
type WriteOptions struct {
	Connection  string   // recorded in the manifest
	KongVersion string   // recorded in the manifest
	SelectTags  []string // written as _info.select_tags in every file, and recorded in the manifest
	Secrets     SecretMode
	Keyring     *Keyring // required by SecretsEncrypt when the snapshot holds secrets
}

// layout names the files of a snapshot directory and the top-level sections each one holds, in writing order.
var layout = []struct {
	file     string
	sections []string
}{
	{"services.yaml", []string{"services", "routes"}},
	{"consumers.yaml", []string{"consumers"}},
	{"plugins.yaml", []string{"plugins"}},
	{"upstreams.yaml", []string{"upstreams"}},
	{"certificates.yaml", []string{"certificates"}},
	{"ca_certificates.yaml", []string{"ca_certificates"}},
	{"vaults.yaml", []string{"vaults"}},
	{"keys.yaml", []string{"key_sets", "keys"}},
}

// Write renders a snapshot as a directory of decK files, one per section, plus the manifest (ManifestName). The
// output depends only on the snapshot's content, never on the order its entities arrived in, and holds no
// timestamp. Secrets are written as opts.Secrets says; the default, encrypt, needs opts.Keyring.
func Write(s *Snapshot, opts WriteOptions) (Files, error) {
	files := Files{}
	var mu sync.Mutex
	err := writeFiles(s, opts, func(name string, size int, write func(io.Writer) error) (string, error) {
		buf := bytes.NewBuffer(make([]byte, 0, size))
		if err := write(buf); err != nil {
			return "", err
		}
		mu.Lock()
		files[name] = buf.Bytes()
		mu.Unlock()
		return checksum(buf.Bytes()), nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

// WriteTo writes the files Write makes, each to what create makes for its name (a file in a directory, for
// `kongsnap dump`), the manifest last: each is streamed through a buffer and checksummed as it goes, never held
// whole (a large gateway's services file is tens of megabytes), the files side by side. create's writer is closed
// once its file is written; the first error stops the rest and is returned, naming the file.
func WriteTo(s *Snapshot, opts WriteOptions, create func(name string) (io.WriteCloser, error)) error {
	return writeFiles(s, opts, func(name string, size int, write func(io.Writer) error) (string, error) {
		f, err := create(name)
		if err != nil {
			return "", err
		}
		sum := sha256.New()
		w := bufio.NewWriterSize(io.MultiWriter(f, sum), min(size+1, streamBuffer))
		err = write(w)
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("writing %s: %w", name, err)
		}
		return hex.EncodeToString(sum.Sum(nil)), nil
	})
}

// streamBuffer is the largest buffer WriteTo streams a file through.
const streamBuffer = 1 << 20

// A fileSink takes a file of size bytes that write writes, and returns its checksum (the manifest's, for a
// snapshot file). It is called for the snapshot's files at once, from a goroutine each, and then for the manifest.
type fileSink func(name string, size int, write func(io.Writer) error) (sum string, err error)

// writeFiles puts the snapshot's files together and hands each to sink, then the manifest.
func writeFiles(s *Snapshot, opts WriteOptions, sink fileSink) error {
	// Counted first: once its sections are built the snapshot is no longer needed here, and a caller done with it
	// lets the collector have it while the files are put together.
	counts, empty := s.Count(), s.Len() == 0
	sections, err := buildSections(s, opts)
	if err != nil {
		return err
	}
	// Each file is put together and checksummed beside the others.
	type written struct {
		sum string
		err error
	}
	out := make([]written, len(layout))
	var wg sync.WaitGroup
	for i, f := range layout {
		var lists []namedList
		for _, name := range f.sections {
			if sec := sections[name]; sec.Len() > 0 {
				lists = append(lists, namedList{name, sec})
			}
		}
		// An empty gateway's snapshot is still one readable file, holding only _format_version.
		if len(lists) == 0 && (i != 0 || !empty) {
			continue
		}
		for _, name := range f.sections {
			delete(sections, name) // the file's goroutine holds it, and lets it go once its YAML is in the file
		}
		wg.Go(func() {
			parts, err := newFileParts(fileHeader(opts), lists)
			if err != nil {
				out[i].err = fmt.Errorf("encoding %s: %w", f.file, err)
				return
			}
			sum, err := sink(f.file, parts.size(), parts.writeTo)
			out[i] = written{sum: sum, err: err}
		})
	}
	wg.Wait()
	manifest := Manifest{
		Connection:  opts.Connection,
		KongVersion: opts.KongVersion,
		SelectTags:  opts.SelectTags,
		Secrets:     secretMode(opts.Secrets),
		Counts:      counts,
		Files:       map[string]string{},
	}
	for i, f := range layout {
		if out[i].err != nil {
			return out[i].err
		}
		if out[i].sum != "" {
			manifest.Files[f.file] = out[i].sum
		}
	}
	data := manifest.Marshal()
	_, err = sink(ManifestName, len(data), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	return err
}

// WriteMerged renders a snapshot as one decK file holding every section, for `kongsnap dump -o -`.
func WriteMerged(s *Snapshot, opts WriteOptions) ([]byte, error) {
	sections, err := buildSections(s, opts)
	if err != nil {
		return nil, err
	}
	var lists []namedList
	for _, f := range layout {
		for _, name := range f.sections {
			if sec := sections[name]; sec.Len() > 0 {
				lists = append(lists, namedList{name, sec})
			}
		}
	}
	data, err := encodeFile(fileHeader(opts), lists)
	if err != nil {
		return nil, fmt.Errorf("encoding merged file: %w", err)
	}
	return data, nil
}

func secretMode(m SecretMode) SecretMode {
	if m == "" {
		return SecretsEncrypt
	}
	return m
}

func fileHeader(opts WriteOptions) *yaml.Node {
	doc := mappingNode()
	addField(doc, "_format_version", valueNode(FormatVersion))
	if len(opts.SelectTags) > 0 {
		tags := make([]any, len(opts.SelectTags))
		for i, t := range opts.SelectTags {
			tags[i] = t
		}
		addField(doc, "_info", valueNode(map[string]any{"select_tags": tags}))
	}
	return doc
}

// sectionBuilder turns a snapshot's flat entities into decK's nested sections.
type sectionBuilder struct {
	s     *Snapshot
	opts  WriteOptions
	ix    *Index
	scope func() (*pluginScope, error) // the plugins' scope, found once by the first section to ask
	paths sync.Map                     // secretsOf → []string, their SecretPaths
}

// buildSections returns, per top-level section name, its sorted entries, already written. Every foreign key must
// point at an entity of the snapshot: a file naming a parent it does not hold could not be read back.
func buildSections(s *Snapshot, opts WriteOptions) (map[string]*section, error) {
	if opts.Secrets != "" {
		if _, err := ParseSecretMode(string(opts.Secrets)); err != nil {
			return nil, err
		}
	}
	b := &sectionBuilder{s: s, opts: opts, ix: parentIndex(s)}
	b.scope = sync.OnceValues(b.scopePlugins)
	// The sections are independent (the builder is only read from here on), so they are built side by side;
	// of several failures, the first in writing order is reported, as a build one after the other would.
	builds := []struct {
		names []string
		build func() ([]*section, error)
	}{
		{[]string{"services", "routes"}, func() ([]*section, error) {
			services, routes, err := b.services()
			return []*section{services, routes}, err
		}},
		{[]string{"consumers"}, one(b.consumers)},
		{[]string{"plugins"}, one(b.topPlugins)},
		{[]string{"upstreams"}, one(b.upstreams)},
		{[]string{"certificates"}, one(b.certificates)},
		{[]string{"ca_certificates"}, one(func() (*section, error) { return flat(b, KindCACertificate) })},
		{[]string{"vaults"}, one(func() (*section, error) { return flat(b, KindVault) })},
		{[]string{"key_sets"}, one(func() (*section, error) { return flat(b, KindKeySet) })},
		{[]string{"keys"}, one(b.keys)},
	}
	built := make([][]*section, len(builds))
	errs := make([]error, len(builds))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	// The largest starts first, and the upstreams, which need no plugin scope, beside it while it scopes them.
	for _, i := range []int{0, 3, 1, 2, 4, 5, 6, 7, 8} {
		g.Go(func() error {
			built[i], errs[i] = builds[i].build()
			return nil
		})
	}
	_ = g.Wait()
	out := map[string]*section{}
	for i, bd := range builds {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for n, name := range bd.names {
			out[name] = built[i][n]
		}
	}
	return out, nil
}

// parentIndex indexes the entities of s that references can point at (the kinds RefFields name), a kind per
// goroutine: the writer resolves parents only, and a gateway's plugins, credentials and targets, most of its
// entities, are nobody's parents. Indexing the whole snapshot was a tenth of writing 100,000 entities, all of it
// before the sections could start.
func parentIndex(s *Snapshot) *Index {
	referenced := map[Kind]bool{}
	for _, kind := range Kinds {
		for _, f := range RefFields(kind.Info().New()) {
			referenced[f.Kind] = true
		}
	}
	parts := make([]*Index, len(Kinds))
	var wg sync.WaitGroup
	for i, kind := range Kinds {
		if referenced[kind] && s.CountOf(kind) > 0 {
			wg.Go(func() { parts[i] = NewIndex(s.Only(map[Kind]bool{kind: true})) })
		}
	}
	wg.Wait()
	ix := NewIndex(nil)
	for i, kind := range Kinds {
		if parts[i] != nil {
			ix.byID[kind], ix.byName[kind] = parts[i].byID[kind], parts[i].byName[kind]
		}
	}
	return ix
}

// one adapts a builder of one section to the list buildSections runs.
func one(build func() (*section, error)) func() ([]*section, error) {
	return func() ([]*section, error) {
		sec, err := build()
		return []*section{sec}, err
	}
}

// fields returns an entity's file fields: every field but timestamps and those named in omit (what its nesting
// says), secrets hidden as the options say.
func (b *sectionBuilder) fields(e any, omit ...string) (*entityFields, error) {
	f, err := entityFieldsOf(e, omit...)
	if err != nil {
		return nil, err
	}
	kind := KindOf(e)
	if err := hideSecrets(kind, e, f, b.secretPaths(kind, f), b.opts.Secrets, b.opts.Keyring); err != nil {
		return nil, err
	}
	return f, nil
}

// secretPaths returns SecretPaths for an entity of kind with fields f, found once per kind (and plugin name) in
// a write: the same few for every entity.
func (b *sectionBuilder) secretPaths(kind Kind, f *entityFields) []string {
	key := secretsOf{kind: kind}
	if kind == KindPlugin {
		name, _ := f.get("name")
		key.plugin, _ = name.(string)
	}
	if paths, ok := b.paths.Load(key); ok {
		return paths.([]string)
	}
	paths := SecretPaths(key.kind, key.plugin)
	b.paths.Store(key, paths)
	return paths
}

// secretsOf names the entities that share secret paths.
type secretsOf struct {
	kind   Kind
	plugin string
}

// outside is a reference to an entity a partial snapshot (some sections, or select tags) does not hold: it is
// written by id, as decK writes a select-tag dump's children whose parents lack the tags, and restore checks that
// the target gateway has the entity before it writes anything (sync's planner refuses a dangling one).
type outside struct {
	kind Kind
	id   string
}

// parent returns the entity e's reference field points at, nil when the field is unset, or an outside for a
// parent the snapshot does not hold but knows the id of. A parent known only by name that the snapshot does not
// hold is an error: a file naming it could not be read back.
func (b *sectionBuilder) parent(e any, field string) (any, error) {
	info := infoOfEntity(e)
	if info == nil {
		return nil, nil
	}
	f, ok := info.refField(e, field)
	if !ok {
		return nil, nil
	}
	for _, r := range f.Refs {
		p := b.ix.Resolve(r)
		if p == nil && r.ID != "" && !f.List {
			return outside{kind: f.Kind, id: r.ID}, nil
		}
		if p == nil && r.ID == "" {
			return nil, danglingWrite(e, f.Field, f.Kind)
		}
		if p == nil {
			continue // a list of ids (ca_certificates) keeps its outside ids as they are
		}
		if !f.List {
			return p, nil
		}
	}
	return nil, nil
}

func isOutside(parent any) bool {
	_, ok := parent.(outside)
	return ok
}

func danglingWrite(child any, field string, parent Kind) error {
	return fmt.Errorf("writing %s: field %s points at a %s the snapshot does not hold: %w",
		Describe(child), field, parent.Singular(), ErrDanglingReference)
}

func flat(b *sectionBuilder, kind Kind) (*section, error) {
	sec := &section{}
	for _, e := range b.s.Entities(kind) {
		f, err := b.fields(e)
		if err != nil {
			return nil, err
		}
		if err := sec.add(f, kind.Info().SortBy); err != nil {
			return nil, err
		}
	}
	return sec.sorted(), nil
}

// pluginScope sorts plugins: those with exactly one parent nest under it, the others (global, several parents)
// stay at top level.
type pluginScope struct {
	byService  map[any][]*kong.Plugin
	byRoute    map[any][]*kong.Plugin
	byConsumer map[any][]*kong.Plugin
	top        []*kong.Plugin
}

func (b *sectionBuilder) scopePlugins() (*pluginScope, error) {
	// Each map sized up front for as many parents as there can be: growing a map one rehash at a time is most of
	// what filling it costs.
	n := len(b.s.Plugins)
	scope := &pluginScope{byService: make(map[any][]*kong.Plugin, min(n, len(b.s.Services))),
		byRoute: make(map[any][]*kong.Plugin, min(n, len(b.s.Routes))), byConsumer: make(map[any][]*kong.Plugin,
			min(n, len(b.s.Consumers)))}
	// Finding the parents is most of the work, and each plugin's are its own: found side by side, kept in order.
	type parents struct{ service, route, consumer any }
	of := make([]parents, len(b.s.Plugins))
	err := inRanges(len(b.s.Plugins), func(_, lo, hi int) error {
		for i, p := range b.s.Plugins[lo:hi] {
			var err error
			o := &of[lo+i]
			if o.service, o.route, o.consumer, err = b.pluginParents(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, p := range b.s.Plugins {
		service, route, consumer := of[i].service, of[i].route, of[i].consumer
		switch {
		case isOutside(service) || isOutside(route) || isOutside(consumer):
			scope.top = append(scope.top, p)
		case service != nil && route == nil && consumer == nil:
			scope.byService[service] = append(scope.byService[service], p)
		case route != nil && service == nil && consumer == nil:
			scope.byRoute[route] = append(scope.byRoute[route], p)
		case consumer != nil && service == nil && route == nil:
			scope.byConsumer[consumer] = append(scope.byConsumer[consumer], p)
		default:
			scope.top = append(scope.top, p)
		}
	}
	return scope, nil
}

func (b *sectionBuilder) pluginParents(p *kong.Plugin) (service, route, consumer any, err error) {
	if service, err = b.parent(p, "service"); err != nil {
		return nil, nil, nil, err
	}
	if route, err = b.parent(p, "route"); err != nil {
		return nil, nil, nil, err
	}
	if consumer, err = b.parent(p, "consumer"); err != nil {
		return nil, nil, nil, err
	}
	return service, route, consumer, nil
}

// nestedPlugins renders the plugins of one parent, without the foreign key the nesting already says.
func (b *sectionBuilder) nestedPlugins(plugins []*kong.Plugin) ([]any, error) {
	var items []*entityFields
	for _, p := range plugins {
		f, err := b.fields(p, "service", "route", "consumer")
		if err != nil {
			return nil, err
		}
		items = append(items, f)
	}
	return sorted(items, "name", "instance_name", "id"), nil
}

func (b *sectionBuilder) services() (services, looseRoutes *section, err error) {
	scope, err := b.scope()
	if err != nil {
		return nil, nil, err
	}
	routesOf := make(map[any][]*kong.Route, min(len(b.s.Routes), len(b.s.Services)))
	var loose []*kong.Route
	for _, r := range b.s.Routes {
		parent, err := b.parent(r, "service")
		if err != nil {
			return nil, nil, err
		}
		if parent == nil || isOutside(parent) {
			loose = append(loose, r)
			continue
		}
		routesOf[parent] = append(routesOf[parent], r)
	}
	// renderRoute writes a route whose service is parent, nil or an outside one for a loose route.
	renderRoute := func(r *kong.Route, parent any) (*entityFields, error) {
		f, err := b.fields(r, "service")
		if err != nil {
			return nil, err
		}
		if o, ok := parent.(outside); ok {
			f.set("service", o.id)
		}
		if err := b.nest(f, "plugins", scope.byRoute[r], b.nestedPlugins); err != nil {
			return nil, err
		}
		return f, nil
	}
	services, err = inParts(b.s.Services, func(svc *kong.Service, services *section) error {
		f, err := b.fields(svc)
		if err != nil {
			return err
		}
		if cert, err := b.parent(svc, "client_certificate"); err != nil {
			return err
		} else if o, ok := cert.(outside); ok {
			f.set("client_certificate", o.id)
		} else if cert != nil {
			f.set("client_certificate", ID(cert))
		}
		for _, id := range svc.CACertificates {
			if id == nil {
				return danglingWrite(svc, "ca_certificates", KindCACertificate)
			}
		}
		var routes []*entityFields
		for _, r := range routesOf[svc] {
			rf, err := renderRoute(r, svc)
			if err != nil {
				return err
			}
			routes = append(routes, rf)
		}
		if len(routes) > 0 {
			f.set("routes", sorted(routes, KindRoute.Info().SortBy...))
		}
		if err := b.nest(f, "plugins", scope.byService[svc], b.nestedPlugins); err != nil {
			return err
		}
		return services.add(f, KindService.Info().SortBy)
	})
	if err != nil {
		return nil, nil, err
	}
	looseRoutes = &section{}
	for _, r := range loose {
		parent, _ := b.parent(r, "service")
		f, err := renderRoute(r, parent)
		if err != nil {
			return nil, nil, err
		}
		if err := looseRoutes.add(f, KindRoute.Info().SortBy); err != nil {
			return nil, nil, err
		}
	}
	return services.sorted(), looseRoutes.sorted(), nil
}

// nest renders children with render and stores them under key, leaving the key out when there are none.
func (b *sectionBuilder) nest(f *entityFields, key string, children []*kong.Plugin,
	render func([]*kong.Plugin) ([]any, error),
) error {
	if len(children) == 0 {
		return nil
	}
	items, err := render(children)
	if err != nil {
		return err
	}
	f.set(key, items)
	return nil
}

func (b *sectionBuilder) topPlugins() (*section, error) {
	scope, err := b.scope()
	if err != nil {
		return nil, err
	}
	sec := &section{}
	for _, p := range scope.top {
		f, err := b.fields(p, "service", "route", "consumer") // written below as references
		if err != nil {
			return nil, err
		}
		service, route, consumer, err := b.pluginParents(p)
		if err != nil {
			return nil, err
		}
		for field, parent := range map[string]any{"service": service, "route": route, "consumer": consumer} {
			if parent == nil {
				continue
			}
			ref := ReferenceName(parent)
			if o, ok := parent.(outside); ok {
				ref = o.id
			}
			if ref == "" {
				return nil, fmt.Errorf("writing %s: its %s has neither name nor id to reference it by",
					Describe(p), field)
			}
			f.set(field, ref)
		}
		if err := sec.add(f, topPluginOrder); err != nil {
			return nil, err
		}
	}
	return sec.sorted(), nil
}

// topPluginOrder orders the plugins written at top level: by name, then by what they apply to.
var topPluginOrder = []string{"name", "service", "route", "consumer", "instance_name", "id"}

func (b *sectionBuilder) consumers() (*section, error) {
	scope, err := b.scope()
	if err != nil {
		return nil, err
	}
	creds := map[Kind]map[any][]any{}
	for _, kind := range Kinds {
		if !kind.Credential() {
			continue
		}
		of, err := byParent(b, b.s.Entities(kind), "consumer", KindConsumer)
		if err != nil {
			return nil, err
		}
		creds[kind] = of
	}
	sec, err := inParts(b.s.Consumers, func(c *kong.Consumer, sec *section) error {
		f, err := b.fields(c)
		if err != nil {
			return err
		}
		for _, kind := range Kinds {
			if err := nestChildren(b, f, string(kind), creds[kind][c], "consumer", kind); err != nil {
				return err
			}
		}
		if err := b.nest(f, "plugins", scope.byConsumer[c], b.nestedPlugins); err != nil {
			return err
		}
		return sec.add(f, KindConsumer.Info().SortBy)
	})
	if err != nil {
		return nil, err
	}
	return sec.sorted(), nil
}

// partSize is the fewest entities inRanges gives one goroutine: a small section is written where it is.
const partSize = 2000

// ranges is how many ranges inRanges cuts n entities into: one per processor, and one when n is under two parts.
func ranges(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n/partSize)) }

// inRanges calls work on the consecutive ranges [lo, hi) that cut [0, n), numbered from 0 (of ranges(n)), side by
// side, and returns the error of the first range that failed, as a loop over them would.
func inRanges(n int, work func(part, lo, hi int) error) error {
	parts := ranges(n)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() { errs[i] = work(i, i*n/parts, (i+1)*n/parts) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// inParts writes an entry for each of entities with add, in consecutive parts side by side (inRanges), and returns
// the section of every entry in the order of entities (before sorting), or the error of the first entity that
// failed, as a loop over them would.
func inParts[E any](entities []E, add func(E, *section) error) (*section, error) {
	parts := make([]*section, ranges(len(entities)))
	err := inRanges(len(entities), func(part, lo, hi int) error {
		parts[part] = &section{}
		for _, e := range entities[lo:hi] {
			if err := add(e, parts[part]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return (&section{}).join(parts), nil
}

func (b *sectionBuilder) upstreams() (*section, error) {
	targetsOf, err := byParent(b, b.s.Targets, "upstream", KindUpstream)
	if err != nil {
		return nil, err
	}
	sec := &section{}
	for _, u := range b.s.Upstreams {
		f, err := b.fields(u)
		if err != nil {
			return nil, err
		}
		if _, err := b.parent(u, "client_certificate"); err != nil {
			return nil, err
		}
		if err := nestChildren(b, f, "targets", targetsOf[u], "upstream", KindTarget); err != nil {
			return nil, err
		}
		if err := sec.add(f, KindUpstream.Info().SortBy); err != nil {
			return nil, err
		}
	}
	return sec.sorted(), nil
}

func (b *sectionBuilder) certificates() (*section, error) {
	snisOf, err := byParent(b, b.s.SNIs, "certificate", KindCertificate)
	if err != nil {
		return nil, err
	}
	sec := &section{}
	for _, c := range b.s.Certificates {
		f, err := b.fields(c, "snis")
		if err != nil {
			return nil, err
		}
		if err := nestChildren(b, f, "snis", snisOf[c], "certificate", KindSNI); err != nil {
			return nil, err
		}
		if err := sec.add(f, KindCertificate.Info().SortBy); err != nil {
			return nil, err
		}
	}
	return sec.sorted(), nil
}

// byParent groups children by the entity their field references, which the snapshot must hold: decK nests
// these under their parent only.
func byParent[T any](b *sectionBuilder, children []T, field string, parentKind Kind) (map[any][]T, error) {
	of := make(map[any][]T, min(len(children), b.s.CountOf(parentKind)))
	for _, child := range children {
		parent, err := b.parent(child, field)
		if err != nil {
			return nil, err
		}
		if parent == nil || isOutside(parent) {
			return nil, danglingWrite(child, field, parentKind)
		}
		of[parent] = append(of[parent], child)
	}
	return of, nil
}

// nestChildren stores a parent's children under key, sorted, each without the field the nesting says; the key is
// left out when there are none.
func nestChildren[T any](b *sectionBuilder, f *entityFields, key string, children []T, field string, kind Kind) error {
	var rendered []*entityFields
	for _, child := range children {
		cf, err := b.fields(child, field)
		if err != nil {
			return err
		}
		rendered = append(rendered, cf)
	}
	if len(rendered) > 0 {
		f.set(key, sorted(rendered, kind.Info().SortBy...))
	}
	return nil
}

func (b *sectionBuilder) keys() (*section, error) {
	sec := &section{}
	for _, k := range b.s.Keys {
		f, err := b.fields(k)
		if err != nil {
			return nil, err
		}
		parent, err := b.parent(k, "set")
		if err != nil {
			return nil, err
		}
		if o, ok := parent.(outside); ok {
			f.set("set", map[string]any{"id": o.id})
		} else if parent != nil {
			if names := RefNames(parent); len(names) > 0 {
				f.set("set", map[string]any{"name": names[0].Name})
			} else {
				f.set("set", map[string]any{"id": ID(parent)})
			}
		}
		if err := sec.add(f, KindKey.Info().SortBy); err != nil {
			return nil, err
		}
	}
	return sec.sorted(), nil
}

// sorted orders entries by the given fields, then by their whole content, so that the order never depends on the
// order entities arrived in.
func sorted(items []*entityFields, by ...string) []any {
	if len(items) < 2 { // most lists nested in an entity: a route's plugins, a consumer's one key
		out := make([]any, len(items))
		for i, item := range items {
			out[i] = item
		}
		return out
	}
	type keyed struct {
		keys []string
		all  *string // whole content, computed only to break a tie
		item *entityFields
	}
	list := make([]keyed, len(items))
	keys := make([]string, len(items)*len(by)) // every entry's keys, in one allocation
	for i, item := range items {
		list[i] = keyed{keys: sortKeysInto(keys[i*len(by):(i+1)*len(by):(i+1)*len(by)], item, by), item: item}
	}
	whole := func(k *keyed) string {
		if k.all == nil {
			all := sortString(k.item)
			k.all = &all
		}
		return *k.all
	}
	sort.SliceStable(list, func(i, j int) bool {
		if c := slices.Compare(list[i].keys, list[j].keys); c != 0 {
			return c < 0
		}
		return whole(&list[i]) < whole(&list[j])
	})
	out := make([]any, len(list))
	for i, k := range list {
		out[i] = k.item
	}
	return out
}

// sortKeysInto puts in keys, of len(by), the values of the fields an entry is ordered by, as sortString writes
// them, and returns it.
func sortKeysInto(keys []string, f *entityFields, by []string) []string {
	for i, field := range by {
		v, _ := f.get(field)
		keys[i] = sortString(v)
	}
	return keys
}

func sortString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	}
	data, _ := json.Marshal(v)
	return string(data)
}

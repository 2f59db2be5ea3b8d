package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
	"golang.org/x/sync/errgroup"
)

// defaultedKinds are the entity kinds whose defaults are filled from GET /schemas/{kind}. decK fills these and no
// others (plugins aside): a decK file must spell out the defaults of consumers, credentials, certificates, keys
// and vaults, so kongsnap reports their omission as decK does.
var defaultedKinds = []snapshot.Kind{snapshot.KindService, snapshot.KindRoute, snapshot.KindUpstream, snapshot.KindTarget}

// Defaults returns Kong's defaults as this gateway's schemas serve them, to compare a file that leaves defaults out
// with a gateway that reports them (diff.Options.Defaults). It reads GET /schemas/{services,routes,upstreams,targets}
// and GET /schemas/plugins/{name} for every plugin name in the given snapshots, in parallel; a schema the gateway
// does not serve (404) gives its kind or plugin no defaults. Schemas are read once per Client.
//
// As decK does, the other entity kinds get no defaults, and a plugin gets only those of its config, its protocols
// and enabled (true). Within a schema, defaults are filled as Kong fills them on insert: a field with no value
// gets its non-null default; a record that Kong requires gets its subfields' defaults even when it has no default
// of its own, and a record with a value gets the defaults of the subfields it lacks; records inside arrays and
// maps are filled element by element; a value present is never replaced. A deprecated alias Kong still accepts and
// echoes (rate-limiting's config.redis_port for config.redis.port) is first folded into the field replacing it, as
// Kong folds it on write, so that neither the echo nor a file's use of the old name reads as a difference.
func (c *Client) Defaults(ctx context.Context, s ...*snapshot.Snapshot) (diff.Defaults, error) {
	names := pluginNames(s)
	paths := map[string]bool{}
	for _, kind := range defaultedKinds {
		paths["/schemas/"+string(kind)] = true
	}
	for _, name := range names {
		paths[pluginSchemaPath(name)] = true
	}
	schemas, err := c.schemas(ctx, paths)
	if err != nil {
		return nil, err
	}
	d := schemaDefaults{kinds: map[snapshot.Kind]*record{}, plugins: map[string]*pluginDefaults{}}
	for _, kind := range defaultedKinds {
		if r := schemas["/schemas/"+string(kind)]; r != nil {
			d.kinds[kind] = r
		}
	}
	for _, name := range names {
		if r := schemas[pluginSchemaPath(name)]; r != nil {
			d.plugins[name] = newPluginDefaults(r)
		}
	}
	return d, nil
}

func pluginSchemaPath(name string) string { return "/schemas/plugins/" + url.PathEscape(name) }

// pluginNames returns the names of the plugins in the snapshots, sorted, each once.
func pluginNames(snapshots []*snapshot.Snapshot) []string {
	seen := map[string]bool{}
	for _, s := range snapshots {
		if s == nil {
			continue
		}
		for _, p := range s.Plugins {
			if p != nil && p.Name != nil && *p.Name != "" {
				seen[*p.Name] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// schemaCache holds the schemas a Client has read, by path; a nil record is a schema the gateway does not serve.
type schemaCache struct {
	mu      sync.Mutex
	schemas map[string]*record
}

func (c *Client) schemaCache() *schemaCache { return &c.schemaCached }

// schemas returns the schemas at paths, reading those not cached yet in parallel.
func (c *Client) schemas(ctx context.Context, paths map[string]bool) (map[string]*record, error) {
	cache := c.schemaCache()
	out := make(map[string]*record, len(paths))
	var missing []string
	cache.mu.Lock()
	for path := range paths {
		if r, ok := cache.schemas[path]; ok {
			out[path] = r
		} else {
			missing = append(missing, path)
		}
	}
	cache.mu.Unlock()

	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(c.conn.Concurrency)
	for _, path := range missing {
		g.Go(func() error {
			r, err := c.readSchema(ctx, path)
			if err != nil {
				return err
			}
			mu.Lock()
			out[path] = r
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	cache.mu.Lock()
	for _, path := range missing {
		cache.schemas[path] = out[path]
	}
	cache.mu.Unlock()
	return out, nil
}

// readSchema reads one served schema; nil when the gateway answers 404 (an entity or plugin it does not have, so
// neither defaults nor secret fields).
func (c *Client) readSchema(ctx context.Context, path string) (*record, error) {
	req, err := c.kong.NewRequest(http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("connection %q: reading schema %s: %w", c.conn.Name, path, err)
	}
	var served servedRecord
	_, err = c.kong.Do(ctx, req, &served)
	switch {
	case isStatus(err, http.StatusNotFound):
		c.log.Debug("gateway serves no schema, so no defaults or secret fields", "path", path)
		return nil, nil
	case err != nil:
		return nil, c.secrets.scrubError(fmt.Errorf("connection %q: reading schema %s for Kong's defaults "+
			"and secret fields: %w", c.conn.Name, path, kongError(err)))
	}
	return served.record(), nil
}

// servedField is a field as GET /schemas serves it (Kong's schema_to_jsonable), reduced to what filling defaults
// needs. A record's fields are a list of one-key objects, {"<name>": {...}}, in schema order.
type servedField struct {
	Type       string                       `json:"type"`
	Default    any                          `json:"default"`
	Required   bool                         `json:"required"`
	Encrypted  bool                         `json:"encrypted"`
	Fields     []map[string]servedField     `json:"fields"`
	Shorthands []map[string]servedShorthand `json:"shorthand_fields"`
	Elements   *servedField                 `json:"elements"`
	Values     *servedField                 `json:"values"`
}

// servedShorthand is a shorthand field; a deprecated one names the fields that replace it.
type servedShorthand struct {
	Deprecation *struct {
		ReplacedWith []struct {
			Path []string `json:"path"`
		} `json:"replaced_with"`
	} `json:"deprecation"`
}

// servedRecord is the body of GET /schemas/{entity} and /schemas/plugins/{name}.
type servedRecord struct {
	Fields     []map[string]servedField     `json:"fields"`
	Shorthands []map[string]servedShorthand `json:"shorthand_fields"`
}

func (s servedRecord) record() *record { return newRecord(s.Fields, s.Shorthands) }

// field is one schema field: its name and its default, or, for a record, its subfields.
type field struct {
	name     string
	typ      string
	def      any // nil: no default, or a null one
	required bool
	// encrypted is Kong's mark of a secret field (what Kong Enterprise's keyring encrypts at rest).
	encrypted bool
	record    *record // the subfields of a record
	elements  *field  // the element of an array or set, when it is a record
	values    *field  // the value of a map, when it is a record
}

// record is the fields of an entity, a plugin or a record field.
type record struct {
	fields []field
	// deprecated maps each deprecated alias of the record (a shorthand field such as rate-limiting's redis_port)
	// to the paths of the fields replacing it (redis.port).
	deprecated map[string][][]string
}

func newRecord(fields []map[string]servedField, shorthands []map[string]servedShorthand) *record {
	r := &record{}
	for _, one := range fields {
		for name, sf := range one {
			r.fields = append(r.fields, newField(name, sf))
		}
	}
	for _, one := range shorthands {
		for name, sh := range one {
			if sh.Deprecation == nil {
				continue
			}
			for _, rw := range sh.Deprecation.ReplacedWith {
				if len(rw.Path) > 0 {
					if r.deprecated == nil {
						r.deprecated = map[string][][]string{}
					}
					r.deprecated[name] = append(r.deprecated[name], rw.Path)
				}
			}
		}
	}
	return r
}

func newField(name string, sf servedField) field {
	f := field{name: name, typ: sf.Type, def: sf.Default, required: sf.Required, encrypted: sf.Encrypted}
	switch sf.Type {
	case "record":
		f.record = newRecord(sf.Fields, sf.Shorthands)
	case "array", "set":
		if sf.Elements != nil && sf.Elements.Type == "record" {
			e := newField("", *sf.Elements)
			f.elements = &e
		}
	case "map":
		if sf.Values != nil && sf.Values.Type == "record" {
			v := newField("", *sf.Values)
			f.values = &v
		}
	}
	return f
}

// fill adds to m the defaults of the fields it lacks, recursing into the records it has. First, as Kong does on
// every write, a deprecated alias is folded into the fields replacing it: Kong 3.x echoes such aliases in its
// responses (redis_port beside redis.port), and a file may still spell a field by its old name.
func (r *record) fill(m map[string]any) {
	for name, paths := range r.deprecated {
		v, ok := m[name]
		if !ok {
			continue
		}
		delete(m, name)
		for _, path := range paths {
			setAbsent(m, path, v)
		}
	}
	for i := range r.fields {
		f := &r.fields[i]
		if v, ok := f.filled(m[f.name]); ok {
			m[f.name] = v
		}
	}
}

// filled returns v with f's defaults, and whether there is anything to set.
func (f *field) filled(v any) (any, bool) {
	if sub, ok := v.(map[string]any); ok && f.record != nil {
		// Even an empty object is a value: Kong fills its subfields, not the record's own default.
		f.record.fill(sub)
		return sub, true
	}
	if !diff.IsEmpty(v) {
		switch list, isList := v.([]any); {
		case isList && f.elements != nil:
			for i, e := range list {
				list[i], _ = f.elements.filled(e)
			}
		case f.values != nil:
			if values, ok := v.(map[string]any); ok {
				for k, e := range values {
					values[k], _ = f.values.filled(e)
				}
			}
		}
		return v, true
	}
	if f.record == nil {
		return diff.Clone(f.def), !diff.IsEmpty(f.def)
	}
	// A record with no value takes its own default, if any; one that Kong requires (every record not declared
	// required = false) also gets the defaults of its subfields.
	sub, _ := diff.Clone(f.def).(map[string]any)
	if sub == nil {
		sub = map[string]any{}
	}
	if f.required {
		f.record.fill(sub)
	}
	return sub, len(sub) > 0
}

// setAbsent sets the field at path in m to v, creating the objects on the way, unless it has a value already.
func setAbsent(m map[string]any, path []string, v any) {
	for _, key := range path[:len(path)-1] {
		next, ok := m[key].(map[string]any)
		if !ok {
			if !diff.IsEmpty(m[key]) {
				return
			}
			next = map[string]any{}
			m[key] = next
		}
		m = next
	}
	if last := path[len(path)-1]; diff.IsEmpty(m[last]) && !diff.IsEmpty(v) {
		m[last] = diff.Clone(v)
	}
}

// pluginDefaults is what a plugin's schema gives: its config's defaults and its default protocols.
type pluginDefaults struct {
	config    *field
	protocols any
}

func newPluginDefaults(r *record) *pluginDefaults {
	p := &pluginDefaults{}
	for i := range r.fields {
		switch f := &r.fields[i]; f.name {
		case "config":
			// decK fills a plugin's config whether or not the schema marks it required, as Kong does.
			config := *f
			config.required = true
			p.config = &config
		case "protocols":
			p.protocols = f.def
		}
	}
	return p
}

// schemaDefaults fills defaults from the schemas a gateway serves.
type schemaDefaults struct {
	kinds   map[snapshot.Kind]*record
	plugins map[string]*pluginDefaults
}

var _ diff.Defaults = schemaDefaults{}

// Fill adds kind's defaults to e where it has no value, and returns it. The schemas are only read, so one
// schemaDefaults can serve concurrent comparisons.
func (d schemaDefaults) Fill(kind snapshot.Kind, e map[string]any) map[string]any {
	if e == nil {
		e = map[string]any{}
	}
	if kind != snapshot.KindPlugin {
		if r := d.kinds[kind]; r != nil {
			r.fill(e)
		}
		return e
	}
	name, _ := e["name"].(string)
	p := d.plugins[name]
	if p == nil {
		return e
	}
	if p.config != nil {
		if v, ok := p.config.filled(e["config"]); ok {
			e["config"] = v
		}
	}
	if diff.IsEmpty(e["protocols"]) && !diff.IsEmpty(p.protocols) {
		e["protocols"] = diff.Clone(p.protocols)
	}
	if e["enabled"] == nil {
		e["enabled"] = true
	}
	return e
}

package kongsim

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

// lookupLocked finds an entity by UUID or, for a kind with an endpoint key, by that key. A non-UUID key for a
// kind without one is Kong's "invalid primary key".
func (s *Server) lookupLocked(k *kind, key string) (row, *apiError) {
	t := s.tables[k.name]
	var r row
	switch ek := k.endpointKey(); {
	case schema.IsUUID(key):
		r = t.rows[strings.ToLower(key)]
	case k.name == "certificates":
		if sni := s.tables["snis"].byUnique("name", key); sni != nil {
			r = t.rows[foreignID(sni["certificate"])]
		}
	case ek != "":
		r = t.byUnique(ek, key)
	default:
		return nil, invalidPrimaryKey()
	}
	if r != nil && s.expired(t, r) {
		return nil, nil
	}
	return r, nil
}

func (s *Server) expired(t *table, r row) bool {
	exp, ok := t.expires[r["id"].(string)]
	return ok && !s.clock().Before(exp)
}

// schemaFor returns the schema an entity is validated against: a plugin's own schema when its name is known.
func schemaFor(k *kind, obj map[string]any) (*schema.Schema, *apiError) {
	if k.name != "plugins" {
		return k.entitySchema(), nil
	}
	name, ok := obj["name"].(string)
	if !ok {
		return k.entitySchema(), nil
	}
	sch, ok := schema.Plugin(name)
	if !ok {
		return nil, schemaViolation(map[string]any{
			"name": "plugin '" + name + "' not enabled; add it to the 'plugins' configuration property",
		})
	}
	return sch, nil
}

// write is one entity write on its way through Kong's DAO pipeline.
type write struct {
	k     *kind
	obj   map[string]any // the entity to store
	input map[string]any // the fields the client sent
	old   row            // the row replaced; nil on insert
	op    string         // "insert", "upsert" or "update"

	ttl     any      // key-auth ttl option
	snis    []string // certificate snis pseudo-field
	hasSNIs bool
}

// newWrite starts an insert or upsert of body, which the write then owns: it becomes the stored entity, filled in
// place. input keeps the client's fields that transform reads once the write has changed them.
func newWrite(k *kind, body map[string]any, op string) *write {
	input := map[string]any{}
	for _, name := range clientFields[k.name] {
		if v, given := body[name]; given {
			input[name] = v
		}
	}
	return &write{k: k, obj: body, input: input, op: op}
}

// clientFields are, by kind, the fields of a client's body that transform reads as the client sent them.
var clientFields = map[string][]string{
	"basicauth_credentials": {"password"},
	"oauth2_credentials":    {"hash_secret", "client_secret"},
}

func (s *Server) insertLocked(k *kind, body map[string]any) (row, *apiError) {
	return s.commit(newWrite(k, body, "insert"))
}

// upsertLocked is PUT /{coll}/{key}: the key in the URL wins, the entity is fully replaced.
func (s *Server) upsertLocked(k *kind, key string, body map[string]any) (row, *apiError) {
	w := newWrite(k, body, "upsert")
	t := s.tables[k.name]
	if schema.IsUUID(key) {
		w.obj["id"] = strings.ToLower(key)
		w.old = t.rows[strings.ToLower(key)]
	} else {
		ek := k.endpointKey()
		if ek == "" {
			return nil, invalidPrimaryKey()
		}
		w.obj[ek] = key
		if w.old = t.byUnique(ek, key); w.old != nil {
			w.obj["id"] = w.old["id"]
		}
	}
	return s.commit(w)
}

// updateLocked is PATCH: the body is merged into the stored entity, records recursively.
func (s *Server) updateLocked(k *kind, existing row, body map[string]any) (row, *apiError) {
	w := &write{k: k, input: body, old: existing, op: "update"}
	sch, err := schemaFor(k, mergeTop(existing, body))
	if err != nil {
		return nil, err
	}
	if k.name == "plugins" {
		// Kong expands the patch's shorthands before merging (DAO check_update), so a deprecated
		// config.redis_host replaces the stored config.redis.host instead of disagreeing with it. The other
		// kinds' shorthands are not deprecated: expanding them after the merge, in Fill, ends the same.
		body = sch.ExpandShorthands(body)
	}
	w.obj = mergeRecord(sch.Fields, existing, body)
	w.obj["id"] = existing["id"]
	return s.commit(w)
}

func mergeTop(old, patch map[string]any) map[string]any {
	m := make(map[string]any, len(old))
	for k, v := range old {
		m[k] = v
	}
	for k, v := range patch {
		m[k] = v
	}
	return m
}

// mergeRecord merges patch into old; fields of type record merge recursively, anything else is replaced.
func mergeRecord(fields []schema.Field, old, patch map[string]any) map[string]any {
	out := deepCopy(old)
	for key, v := range patch {
		pm, isMap := v.(map[string]any)
		om, wasMap := out[key].(map[string]any)
		if f := fieldNamed(fields, key); f != nil && f.Type == "record" && isMap && wasMap {
			out[key] = mergeRecord(f.Fields, om, pm)
			continue
		}
		out[key] = deepCopyValue(v)
	}
	return out
}

func fieldNamed(fields []schema.Field, name string) *schema.Field {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i]
		}
	}
	return nil
}

// commit runs Kong's write pipeline: shorthands and auto fields, defaults, foreign key resolution, schema
// validation, transformations, then the database's own checks (primary key, unique, foreign keys).
func (s *Server) commit(w *write) (row, *apiError) {
	if err := s.beforeWrite(w); err != nil {
		return nil, err
	}
	if err := s.checkSchema(w, true); err != nil {
		return nil, err
	}
	if err := s.transform(w); err != nil {
		return nil, err
	}
	if err := s.checkConstraints(w); err != nil {
		return nil, err
	}
	t := s.tables[w.k.name]
	id := w.obj["id"].(string)
	if w.old != nil && w.old["id"] != id {
		t.remove(w.old["id"].(string))
	}
	t.put(w.obj)
	if err := s.afterWrite(w); err != nil {
		return nil, err
	}
	return w.obj, nil
}

// checkSchema is the part of a write that Kong's schema runs (process_auto_fields, then validate): auto fields,
// shorthands, defaults and every field and entity check. A write also resolves foreign keys given by a unique
// field first (the Admin API does, kong/api/endpoints.lua); POST /schemas/{entity}/validate does not, so a
// foreign key there must be given by id, as in Kong. It reads no table but through resolveForeign.
func (s *Server) checkSchema(w *write, resolve bool) *apiError {
	s.autoFields(w)
	sch, err := schemaFor(w.k, w.obj)
	if err != nil {
		return err
	}
	if w.k.name == "plugins" && w.op != "update" {
		// A plugin's own auto fields (oauth2's config.provision_key) are generated on insert and upsert.
		w.obj = sch.AutoInPlace(w.obj, s.clock(), true)
	}
	if errs := sch.ShorthandErrors(w.obj); errs != nil {
		return schemaViolation(errs)
	}
	w.obj = sch.FillInPlace(w.obj) // w.obj is the write's own copy of the body
	if resolve {
		if err := s.resolveForeign(w); err != nil {
			return err
		}
	}
	fields := sch.Validate(w.obj)
	if msg := oauth2PatchCheck(w); msg != "" {
		if fields == nil {
			fields = map[string]any{}
		}
		list, _ := fields["@entity"].([]any)
		fields["@entity"] = append(list, msg)
	}
	if len(fields) > 0 {
		return schemaViolation(fields)
	}
	return nil
}

func (s *Server) now() float64 { return float64(s.clock().Unix()) }

func (s *Server) autoFields(w *write) {
	fresh := w.op != "update"
	sch := w.k.entitySchema()
	if fresh && fieldNamed(sch.Fields, "id") != nil {
		if id, ok := w.obj["id"].(string); ok && schema.IsUUID(id) {
			w.obj["id"] = strings.ToLower(id)
		} else if w.obj["id"] == nil {
			w.obj["id"] = s.ids()
		}
		for _, name := range w.k.autoSecret {
			if _, given := w.obj[name]; !given {
				w.obj[name] = strings.ReplaceAll(s.ids(), "-", "")
			}
		}
	}
	stamp := s.now()
	if w.k.name == "targets" {
		stamp = math.Round(float64(s.clock().UnixMilli())) / 1000
	}
	if fieldNamed(sch.Fields, "created_at") != nil && fresh && w.obj["created_at"] == nil {
		w.obj["created_at"] = stamp
	}
	if fieldNamed(sch.Fields, "updated_at") != nil {
		w.obj["updated_at"] = stamp
	}
}

// resolveForeign replaces foreign keys given by a unique field ({"service":{"name":"x"}}) with {"id": …};
// an unresolvable one is Kong's code 13.
func (s *Server) resolveForeign(w *write) *apiError {
	var failed []unresolved
	for _, f := range w.k.foreignFields() {
		ref, ok := w.obj[f.Name].(map[string]any)
		if !ok {
			continue
		}
		if id, ok := ref["id"].(string); ok && schema.IsUUID(id) {
			w.obj[f.Name] = map[string]any{"id": strings.ToLower(id)}
			continue
		}
		parent := s.tables[f.Reference]
		var misses []unresolved
		resolved := false
		for _, pf := range parent.kind.entitySchema().Fields {
			if _, indexed := parent.unique[pf.Name]; !indexed || pf.Name == "id" {
				continue
			}
			v, ok := ref[pf.Name]
			if !ok || v == nil {
				continue
			}
			if hit := parent.byUnique(pf.Name, v); hit != nil {
				w.obj[f.Name] = map[string]any{"id": hit["id"]}
				resolved = true
				break
			}
			misses = append(misses, unresolved{field: f.Name, key: pf.Name, value: luaValue(v), parent: f.Reference})
		}
		if !resolved && len(misses) == 0 {
			if _, hasID := ref["id"]; hasID {
				return schemaViolation(map[string]any{f.Name: map[string]any{"id": "expected a valid UUID"}})
			}
		}
		if !resolved {
			failed = append(failed, misses...)
		}
	}
	if len(failed) > 0 {
		return foreignKeysUnresolved(failed)
	}
	return nil
}

// luaValue keeps strings as they are and renders anything else for an error message.
func luaValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return luaPretty(v)
}

// transform applies Kong's on-write transformations.
func (s *Server) transform(w *write) *apiError {
	switch w.k.name {
	case "basicauth_credentials":
		// Kong hashes whenever the input carries a password, even one that is already a stored hash.
		if pw, ok := w.input["password"].(string); ok {
			consumer := foreignID(w.obj["consumer"])
			sum := sha1.Sum([]byte(pw + consumer))
			w.obj["password"] = hex.EncodeToString(sum[:])
		}
	case "oauth2_credentials":
		// kong/plugins/oauth2/daos.lua: a write that gives hash_secret and leaves it true stores the secret hashed.
		secret, _ := w.obj["client_secret"].(string)
		if nonEmpty(w.input["hash_secret"]) && w.obj["hash_secret"] == true && secret != "" {
			hashed, err := hashOAuth2Secret(secret)
			if err != nil {
				return plainError(http.StatusInternalServerError, "An unexpected error occurred")
			}
			w.obj["client_secret"] = hashed
		}
	case "ca_certificates":
		if cert, ok := w.obj["cert"].(string); ok {
			digest, err := certDigest(cert)
			if err != nil {
				return schemaViolation(map[string]any{"cert": "invalid certificate: " + err.Error()})
			}
			w.obj["cert_digest"] = digest
		}
	}
	return nil
}

// checkConstraints is what PostgreSQL enforces: primary key, unique fields, the composite cache key, and
// that every foreign key points at an existing row.
func (s *Server) checkConstraints(w *write) *apiError {
	t := s.tables[w.k.name]
	id := w.obj["id"].(string)
	if w.op == "insert" && t.rows[id] != nil {
		return primaryKeyViolation(id)
	}
	fields := w.k.entitySchema().Fields
	for _, f := range fields {
		idx, ok := t.unique[f.Name]
		if !ok {
			continue
		}
		if v, ok := valueKey(w.obj[f.Name]); ok {
			if other := idx[v]; other != "" && other != id {
				return uniqueViolation(map[string]any{f.Name: w.obj[f.Name]})
			}
		}
	}
	if key := t.compositeKey(w.obj); key != "" {
		if other := t.composite[key]; other != "" && other != id {
			unique := map[string]any{}
			for _, name := range w.k.cacheKey {
				unique[name] = w.obj[name]
			}
			return uniqueViolation(unique)
		}
	}
	for _, f := range w.k.foreignFields() {
		parent := foreignID(w.obj[f.Name])
		if parent == "" {
			continue
		}
		if s.tables[f.Reference].rows[parent] == nil {
			return invalidReference(f.Name, parent, f.Reference)
		}
	}
	return nil
}

// deleteLocked deletes an entity after checking restricting references, cascading to its dependents.
func (s *Server) deleteLocked(k *kind, r row) *apiError {
	if k.name == "certificates" {
		// Kong deletes a certificate's SNIs first, in their own statements (kong/db/dao/certificates.lua), so
		// they are gone even when a service or upstream still using the certificate then refuses its delete.
		snis := s.tables["snis"]
		for _, id := range snis.children("certificate", r["id"].(string)) {
			snis.remove(id)
		}
	}
	if err := s.checkDelete(k, r); err != nil {
		return err
	}
	s.cascade(k, r["id"].(string))
	return nil
}

func (s *Server) checkDelete(k *kind, r row) *apiError {
	id := r["id"].(string)
	if k.name == "ca_certificates" {
		services := s.tables["services"]
		for _, sid := range services.ids {
			if cas, ok := services.rows[sid]["ca_certificates"].([]any); ok && slices.Contains(cas, any(id)) {
				return dbError(codeReferencedByOthers,
					"ca certificate "+id+" is still referenced by services (id = "+sid+")", nil)
			}
		}
	}
	for _, child := range kindList {
		for _, f := range child.foreignFields() {
			if f.Reference != k.name {
				continue
			}
			kids := s.tables[child.name].children(f.Name, id)
			if len(kids) == 0 {
				continue
			}
			if f.OnDelete != "cascade" {
				return referencedBy(k.name, child.name)
			}
			for _, kid := range kids {
				if err := s.checkDelete(child, s.tables[child.name].rows[kid]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Server) cascade(k *kind, id string) {
	for _, child := range kindList {
		for _, f := range child.foreignFields() {
			if f.Reference != k.name {
				continue
			}
			for _, kid := range s.tables[child.name].children(f.Name, id) {
				s.cascade(child, kid)
			}
		}
	}
	s.tables[k.name].remove(id)
}

// present is the response body for a stored row: deprecated shorthand fields are echoed (rate-limiting's
// config.redis_*), certificates gain their snis, key-auths their ttl.
func (s *Server) present(k *kind, r row) map[string]any {
	if sch, err := schemaFor(k, r); err == nil {
		r = sch.Select(r)
	}
	switch k.name {
	case "certificates":
		out := mergeTop(r, nil)
		out["snis"] = s.sniNames(r["id"].(string))
		return out
	case "keyauth_credentials":
		out := mergeTop(r, nil)
		out["ttl"] = nil
		if exp, ok := s.tables[k.name].expires[r["id"].(string)]; ok {
			out["ttl"] = math.Floor(exp.Sub(s.clock()).Seconds())
		}
		return out
	}
	return r
}

func (s *Server) sniNames(certID string) []any {
	snis := s.tables["snis"]
	names := []string{}
	for _, id := range snis.children("certificate", certID) {
		names = append(names, snis.rows[id]["name"].(string))
	}
	sort.Strings(names)
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return deepCopy(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopyValue(e)
		}
		return out
	default:
		return v
	}
}

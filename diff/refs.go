package diff

import (
	"fmt"
	"strings"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// ref is one foreign key as an entity holds it: the parent's id, or only its name when a decK file had no ids.
type ref struct {
	kind snapshot.Kind
	id   string
	name string
}

func (r ref) zero() bool { return r.id == "" && r.name == "" }

// refField is one reference field of an entity; refs holds one ref (or none when unset) except for a list of
// references such as a service's ca_certificates.
type refField struct {
	path string
	refs []ref
}

// consumerGroups is an Enterprise kind no snapshot holds: its references are compared as written.
const consumerGroups snapshot.Kind = "consumer_groups"

// pluginScope names the reference fields that make up a plugin's scope.
var pluginScope = []string{"service", "route", "consumer", "consumer_group"}

// refsOf returns the reference fields of an entity in a fixed order per kind, unset ones included, so that the
// fields of two entities of one kind line up.
func refsOf(e any) []refField {
	switch v := e.(type) {
	case *kong.Service:
		cas := make([]ref, 0, len(v.CACertificates))
		for _, id := range v.CACertificates {
			if id != nil {
				cas = append(cas, ref{kind: snapshot.KindCACertificate, id: *id})
			}
		}
		return []refField{one("client_certificate", certRef(v.ClientCertificate)), {path: "ca_certificates", refs: cas}}
	case *kong.Route:
		return []refField{one("service", serviceRef(v.Service))}
	case *kong.Upstream:
		return []refField{one("client_certificate", certRef(v.ClientCertificate))}
	case *kong.Target:
		var r ref
		if v.Upstream != nil {
			r = ref{kind: snapshot.KindUpstream, id: str(v.Upstream.ID), name: str(v.Upstream.Name)}
		}
		return []refField{one("upstream", r)}
	case *kong.SNI:
		return []refField{one("certificate", certRef(v.Certificate))}
	case *kong.Key:
		var r ref
		if v.Set != nil {
			r = ref{kind: snapshot.KindKeySet, id: str(v.Set.ID), name: str(v.Set.Name)}
		}
		return []refField{one("set", r)}
	case *kong.KeyAuth:
		return []refField{one("consumer", consumerRef(v.Consumer))}
	case *kong.BasicAuth:
		return []refField{one("consumer", consumerRef(v.Consumer))}
	case *kong.HMACAuth:
		return []refField{one("consumer", consumerRef(v.Consumer))}
	case *kong.JWTAuth:
		return []refField{one("consumer", consumerRef(v.Consumer))}
	case *kong.ACLGroup:
		return []refField{one("consumer", consumerRef(v.Consumer))}
	case *kong.Oauth2Credential:
		return []refField{one("consumer", consumerRef(v.Consumer))}
	case *kong.Plugin:
		var route, group ref
		if v.Route != nil {
			route = ref{kind: snapshot.KindRoute, id: str(v.Route.ID), name: str(v.Route.Name)}
		}
		if v.ConsumerGroup != nil {
			group = ref{kind: consumerGroups, id: str(v.ConsumerGroup.ID), name: str(v.ConsumerGroup.Name)}
		}
		return []refField{
			one("service", serviceRef(v.Service)), one("route", route),
			one("consumer", consumerRef(v.Consumer)), one("consumer_group", group),
		}
	}
	return nil
}

func one(path string, r ref) refField {
	if r.zero() {
		return refField{path: path}
	}
	return refField{path: path, refs: []ref{r}}
}

func serviceRef(s *kong.Service) ref {
	if s == nil {
		return ref{}
	}
	return ref{kind: snapshot.KindService, id: str(s.ID), name: str(s.Name)}
}

func consumerRef(c *kong.Consumer) ref {
	if c == nil {
		return ref{}
	}
	name := str(c.Username)
	if name == "" {
		name = str(c.CustomID)
	}
	return ref{kind: snapshot.KindConsumer, id: str(c.ID), name: name}
}

func certRef(c *kong.Certificate) ref {
	if c == nil {
		return ref{}
	}
	return ref{kind: snapshot.KindCertificate, id: str(c.ID)}
}

// side is one snapshot being compared, indexed so references resolve to their parents, and each entity's match
// token: an entity and its counterpart on the other side share one token, so a child's reference compares equal
// when it points to matched parents even if the parent was renamed or recreated with a new id.
type side struct {
	byID   map[snapshot.Kind]map[string]any
	byName map[snapshot.Kind]map[string]any
	token  map[any]int
}

// nameKinds are the kinds a decK file may reference by name instead of id.
var nameKinds = map[snapshot.Kind]bool{
	snapshot.KindService: true, snapshot.KindRoute: true, snapshot.KindConsumer: true,
	snapshot.KindUpstream: true, snapshot.KindKeySet: true,
}

func newSide(s *snapshot.Snapshot) *side {
	sd := &side{byID: map[snapshot.Kind]map[string]any{}, byName: map[snapshot.Kind]map[string]any{}, token: map[any]int{}}
	for _, kind := range snapshot.Kinds {
		entities := s.Entities(kind)
		ids := make(map[string]any, len(entities))
		for _, e := range entities {
			if id := snapshot.ID(e); id != "" {
				ids[id] = e
			}
		}
		sd.byID[kind] = ids
		if !nameKinds[kind] {
			continue
		}
		names := make(map[string]any, len(entities))
		for _, e := range entities {
			if name := snapshot.Name(e); name != "" {
				names[name] = e
			}
		}
		sd.byName[kind] = names
	}
	return sd
}

// resolve returns the entity a reference points to in this snapshot, or nil when it is not there.
func (s *side) resolve(r ref) any {
	if r.id != "" {
		return s.byID[r.kind][r.id]
	}
	if r.name != "" {
		return s.byName[r.kind][r.name]
	}
	return nil
}

// refKey is a reference's part of a natural key: the parent's match token, or the reference as written when the
// parent is not in the snapshot.
func (s *side) refKey(r ref) string {
	if p := s.resolve(r); p != nil {
		return fmt.Sprintf("#%d", s.token[p])
	}
	if r.id != "" {
		return "id:" + r.id
	}
	return "name:" + r.name
}

// refsEqual reports whether two references, one per side, point to the same parent: to matched parents when both
// resolve, else to the same id, or to the same name (a decK file's route may name a service the file lacks).
func refsEqual(cur, tgt *side, a, b ref) bool {
	pa, pb := cur.resolve(a), tgt.resolve(b)
	if pa != nil && pb != nil {
		return cur.token[pa] == tgt.token[pb]
	}
	if a.id != "" && a.id == b.id {
		return true
	}
	switch {
	case pa != nil && pb == nil && b.id == "":
		return snapshot.Name(pa) == b.name
	case pa == nil && pb != nil && a.id == "":
		return snapshot.Name(pb) == a.name
	}
	return pa == nil && pb == nil && a == b
}

func refListsEqual(cur, tgt *side, a, b []ref) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !refsEqual(cur, tgt, a[i], b[i]) {
			return false
		}
	}
	return true
}

// label renders a reference for a field change: the parent's name, else its id.
func (s *side) label(r ref) string {
	if p := s.resolve(r); p != nil {
		if name := snapshot.Name(p); name != "" {
			return name
		}
		if id := snapshot.ID(p); id != "" {
			return id
		}
	}
	if r.name != "" {
		return r.name
	}
	return r.id
}

// parentIdentity names the entity a reference points to: `route "orders"`.
func (s *side) parentIdentity(r ref) string {
	if p := s.resolve(r); p != nil {
		return baseIdentity(r.kind, p)
	}
	singular := r.kind.Singular()
	if r.kind == consumerGroups {
		singular = "consumer group"
	}
	if r.name != "" {
		return fmt.Sprintf("%s %q", singular, r.name)
	}
	return singular + " " + r.id
}

// scope renders a plugin's scope: `route "orders"`, `service "billing", consumer "alice"`, or "global".
func (s *side) scope(refs []refField) string {
	var parts []string
	for _, f := range refs {
		for _, r := range f.refs {
			parts = append(parts, s.parentIdentity(r))
		}
	}
	if len(parts) == 0 {
		return "global"
	}
	return strings.Join(parts, ", ")
}

// identity names an entity for people, with its parent where the name alone does not say which one it is.
func (s *side) identity(kind snapshot.Kind, e any) string {
	refs := refsOf(e)
	parent := func() string {
		if len(refs) == 0 || len(refs[0].refs) == 0 {
			return ""
		}
		return s.parentIdentity(refs[0].refs[0])
	}
	base := baseIdentity(kind, e)
	switch v := e.(type) {
	case *kong.Plugin:
		if scope := s.scope(refs); scope != "global" {
			return base + " on " + scope
		}
		return base + " (global)"
	case *kong.Route:
		if v.Name == nil {
			if p := parent(); p != "" {
				return base + " on " + p
			}
		}
	case *kong.Target:
		if p := parent(); p != "" {
			return base + " on " + p
		}
	case *kong.Key:
		if p := parent(); p != "" {
			return base + " in " + p
		}
	}
	if kind.Credential() {
		if p := parent(); p != "" {
			return base + " of " + p
		}
	}
	return base
}

// baseIdentity names an entity without its parents: `service "billing"`, `certificate 5f1c…`.
func baseIdentity(kind snapshot.Kind, e any) string {
	singular := kind.Singular()
	switch v := e.(type) {
	case *kong.Plugin:
		if v.InstanceName != nil {
			return fmt.Sprintf("%s %q (instance %q)", singular, str(v.Name), *v.InstanceName)
		}
		return fmt.Sprintf("%s %q", singular, str(v.Name))
	case *kong.Oauth2Credential:
		if v.ClientID != nil {
			return fmt.Sprintf("%s %q", singular, *v.ClientID)
		}
	}
	if name := snapshot.Name(e); name != "" {
		return fmt.Sprintf("%s %q", singular, name)
	}
	if id := snapshot.ID(e); id != "" {
		return singular + " " + id
	}
	switch v := e.(type) {
	case *kong.Certificate:
		return singular + " sha256:" + short(snapshot.CertDigest(str(v.Cert)))
	case *kong.CACertificate:
		return singular + " sha256:" + short(snapshot.CACertDigest(v))
	}
	return singular + " (no name or id)"
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}

// naturalKey is the key an entity matches by when ids do not match: unique per kind in Kong, built from fields
// that survive a delete and recreate. It is "" when the entity has none (an unnamed service, say), and then the
// entity matches by id only.
func (s *side) naturalKey(kind snapshot.Kind, e any) string {
	refs := refsOf(e)
	switch v := e.(type) {
	case *kong.Service:
		return str(v.Name)
	case *kong.Route:
		return str(v.Name)
	case *kong.Upstream:
		return str(v.Name)
	case *kong.KeySet:
		return str(v.Name)
	case *kong.SNI:
		return str(v.Name)
	case *kong.Vault:
		return str(v.Prefix)
	case *kong.Consumer:
		if v.Username != nil {
			return "username:" + *v.Username
		}
		if v.CustomID != nil {
			return "custom_id:" + *v.CustomID
		}
	case *kong.Target:
		if v.Target != nil {
			return s.refKeys(refs) + "|" + *v.Target
		}
	case *kong.Key:
		if v.KID != nil {
			return s.refKeys(refs) + "|kid:" + *v.KID
		}
		if v.Name != nil {
			return "name:" + *v.Name
		}
	case *kong.KeyAuth:
		if k := str(v.Key); k != snapshot.Redacted {
			return k
		}
	case *kong.BasicAuth:
		return str(v.Username)
	case *kong.HMACAuth:
		return str(v.Username)
	case *kong.JWTAuth:
		return str(v.Key)
	case *kong.Oauth2Credential:
		return str(v.ClientID)
	case *kong.ACLGroup:
		if v.Group != nil {
			return s.refKeys(refs) + "|" + *v.Group
		}
	case *kong.CACertificate:
		return snapshot.CACertDigest(v)
	case *kong.Certificate:
		return snapshot.CertDigest(str(v.Cert))
	case *kong.Plugin:
		if v.Name != nil {
			return *v.Name + "|" + str(v.InstanceName) + "|" + s.refKeys(refs)
		}
	}
	return ""
}

func (s *side) refKeys(refs []refField) string {
	var b strings.Builder
	for _, f := range refs {
		b.WriteString(f.path + "=")
		for _, r := range f.refs {
			b.WriteString(s.refKey(r) + ";")
		}
	}
	return b.String()
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// side is one snapshot being compared, indexed so references resolve to their parents, and each entity's match
// token: an entity and its counterpart on the other side share one token, so a child's reference compares equal
// when it points to matched parents even if the parent was renamed or recreated with a new id.
type side struct {
	ix    *snapshot.Index
	token map[any]int
}

func newSide(s *snapshot.Snapshot) *side {
	return &side{ix: snapshot.NewIndex(s), token: make(map[any]int, s.Len())}
}

// resolve returns the entity a reference points to in this snapshot, or nil when it is not there.
func (s *side) resolve(r snapshot.Ref) any { return s.ix.Resolve(r) }

// refKey is a reference's part of a natural key: the parent's match token, or the reference as written when the
// parent is not in the snapshot.
func (s *side) refKey(r snapshot.Ref) string {
	if p := s.resolve(r); p != nil {
		return fmt.Sprintf("#%d", s.token[p])
	}
	if r.ID != "" {
		return "id:" + r.ID
	}
	return "name:" + r.By + "=" + r.Name
}

// refsEqual reports whether two references, one per side, point to the same parent: to matched parents when both
// resolve, else to the same id, or to the same name (a decK file's route may name a service the file lacks).
func refsEqual(cur, tgt *side, a, b snapshot.Ref) bool {
	pa, pb := cur.resolve(a), tgt.resolve(b)
	if pa != nil && pb != nil {
		return cur.token[pa] == tgt.token[pb]
	}
	if a.ID != "" && a.ID == b.ID {
		return true
	}
	switch {
	case pa != nil && pb == nil && b.ID == "":
		return namedBy(pa, b)
	case pa == nil && pb != nil && a.ID == "":
		return namedBy(pb, a)
	}
	return pa == nil && pb == nil && a.Kind == b.Kind && a.ID == b.ID && a.Name == b.Name && a.By == b.By
}

// namedBy reports whether the reference by name r may stand for entity e.
func namedBy(e any, r snapshot.Ref) bool {
	return slices.ContainsFunc(snapshot.RefNames(e), func(n snapshot.Ref) bool { return n.Name == r.Name && n.By == r.By })
}

func refListsEqual(cur, tgt *side, a, b []snapshot.Ref) bool {
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
func (s *side) label(r snapshot.Ref) string {
	if p := s.resolve(r); p != nil {
		if name := snapshot.Name(p); name != "" {
			return name
		}
		if id := snapshot.ID(p); id != "" {
			return id
		}
	}
	if r.Name != "" {
		return r.Name
	}
	return r.ID
}

// parentIdentity names the entity a reference points to: `route "orders"`.
func (s *side) parentIdentity(r snapshot.Ref) string {
	if p := s.resolve(r); p != nil {
		return baseIdentity(r.Kind, p)
	}
	if r.Name != "" {
		return fmt.Sprintf("%s %q", r.Kind.Singular(), r.Name)
	}
	return r.Kind.Singular() + " " + r.ID
}

// scope renders a plugin's scope: `route "orders"`, `service "billing", consumer "alice"`, or "global".
func (s *side) scope(refs []snapshot.RefField) string {
	var parts []string
	for _, f := range refs {
		for _, r := range f.Refs {
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
	refs := snapshot.RefFields(e)
	parent := func() string {
		if len(refs) == 0 || len(refs[0].Refs) == 0 {
			return ""
		}
		return s.parentIdentity(refs[0].Refs[0])
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

// naturalKey is the key an entity matches by when ids do not match (snapshot.MatchKey), its references spelled by
// the match tokens of their parents: "" when it has none, and then the entity matches by id only.
func (s *side) naturalKey(e any) string { return snapshot.MatchKey(e, s.refKey) }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

package snapshot

import (
	"github.com/kong/go-kong/kong"
)

// Ref is one foreign key an entity holds: the parent's kind and its id or, in a snapshot read from a decK file
// written without ids, the name references use (see RefNames).
type Ref struct {
	Field    string // the entity's field holding it: "service", "ca_certificates"
	Kind     Kind
	ID, Name string
	// By is the parent's field Name is, when it is not the one references to the kind carry: "custom_id" for a
	// consumer without a username. A username and a custom_id never stand for each other.
	By  string
	set func(Ref)
}

// Zero reports whether the reference names no parent.
func (r Ref) Zero() bool { return r.ID == "" && r.Name == "" }

// SetID points the foreign key, in the entity it was read from, at the parent with id.
func (r Ref) SetID(id string) { r.set(Ref{ID: id}) }

// RefField is one reference field of an entity: at most one Ref, except for a list of references such as a
// service's ca_certificates.
type RefField struct {
	Field string
	Kind  Kind
	List  bool
	Refs  []Ref
}

// RefFields returns the reference fields of an entity in the table's fixed order per kind, unset ones included
// (with no Refs), so that the fields of two entities of one kind line up.
func RefFields(e any) []RefField {
	info := infoOfEntity(e)
	if info == nil {
		return nil
	}
	return info.refs(e)
}

// Refs returns the foreign keys an entity holds, unset ones left out, in the order of RefFields.
func Refs(e any) []Ref {
	info := infoOfEntity(e)
	if info == nil {
		return nil
	}
	return info.flatRefs(e)
}

// RefTo is the reference an entity's children hold to it: its id, else the first name references use.
func RefTo(parent any) Ref {
	r := Ref{Kind: KindOf(parent), ID: ID(parent)}
	if r.ID == "" {
		if names := RefNames(parent); len(names) > 0 {
			r.Name, r.By = names[0].Name, names[0].By
		}
	}
	return r
}

// RefNames returns the references by name other entities may hold to e (Name and By set), in the order a
// reference prefers them: a consumer's username, else its custom_id; none for kinds referenced by id only.
func RefNames(e any) []Ref {
	info := infoOfEntity(e)
	if info == nil {
		return nil
	}
	return info.refNames(e)
}

// ReferenceName is how a decK file names an entity in a reference: the name Kong keeps unique among its kind
// (a service's name, a consumer's username), else its id.
func ReferenceName(e any) string {
	if names := RefNames(e); len(names) > 0 && names[0].By == "" {
		return names[0].Name
	}
	return ID(e)
}

// setRef points an entity's reference field at to (by id when it has one, else by name); it reports false for a
// field the kind does not have or that is a list.
func setRef(e any, field string, to Ref) bool {
	info := infoOfEntity(e)
	return info != nil && info.point(e, field, to)
}

// refSpec is one reference field of a kind's go-kong type T.
type refSpec[T any] struct {
	field string
	kind  Kind
	list  bool
	get   func(*T) []Ref // the references held, unset ones left out, each able to repoint itself
	point func(*T, Ref)  // sets the field to a reference (nil for a list)
}

// namedRef is a reference held as a pointer to a go-kong struct with an id and a name.
func namedRef[T, P any](field string, kind Kind, p func(*T) **P, read func(*P) (id, name *string),
	build func(id, name *string) *P,
) refSpec[T] {
	point := func(e *T, to Ref) {
		if to.ID != "" {
			*p(e) = build(kong.String(to.ID), nil)
			return
		}
		*p(e) = build(nil, kong.String(to.Name))
	}
	return refSpec[T]{field: field, kind: kind, point: point, get: func(e *T) []Ref {
		fk := *p(e)
		if fk == nil {
			return nil
		}
		id, name := read(fk)
		if str(id) == "" && str(name) == "" {
			return nil
		}
		return []Ref{{Kind: kind, ID: str(id), Name: str(name), set: func(to Ref) { point(e, to) }}}
	}}
}

func serviceRef[T any](p func(*T) **kong.Service) refSpec[T] {
	return namedRef("service", KindService, p, func(s *kong.Service) (id, name *string) { return s.ID, s.Name },
		func(id, name *string) *kong.Service { return &kong.Service{ID: id, Name: name} })
}

func routeRef() refSpec[kong.Plugin] {
	return namedRef("route", KindRoute, func(p *kong.Plugin) **kong.Route { return &p.Route },
		func(r *kong.Route) (id, name *string) { return r.ID, r.Name },
		func(id, name *string) *kong.Route { return &kong.Route{ID: id, Name: name} })
}

func upstreamRef() refSpec[kong.Target] {
	return namedRef("upstream", KindUpstream, func(t *kong.Target) **kong.Upstream { return &t.Upstream },
		func(u *kong.Upstream) (id, name *string) { return u.ID, u.Name },
		func(id, name *string) *kong.Upstream { return &kong.Upstream{ID: id, Name: name} })
}

// consumerGroupRef is a plugin's reference to an Enterprise consumer group, a kind no snapshot holds.
func consumerGroupRef() refSpec[kong.Plugin] {
	group := func(p *kong.Plugin) **kong.ConsumerGroup { return &p.ConsumerGroup }
	return namedRef("consumer_group", KindConsumerGroup, group,
		func(g *kong.ConsumerGroup) (id, name *string) { return g.ID, g.Name },
		func(id, name *string) *kong.ConsumerGroup { return &kong.ConsumerGroup{ID: id, Name: name} })
}

func keySetRef() refSpec[kong.Key] {
	return namedRef("set", KindKeySet, func(k *kong.Key) **kong.KeySet { return &k.Set },
		func(s *kong.KeySet) (id, name *string) { return s.ID, s.Name },
		func(id, name *string) *kong.KeySet { return &kong.KeySet{ID: id, Name: name} })
}

// consumerRef is a reference to a consumer: by id, username, or (for a consumer with neither) custom_id.
func consumerRef[T any](field string, p func(*T) **kong.Consumer) refSpec[T] {
	point := func(e *T, to Ref) {
		switch {
		case to.ID != "":
			*p(e) = &kong.Consumer{ID: kong.String(to.ID)}
		case to.By == customID:
			*p(e) = &kong.Consumer{CustomID: kong.String(to.Name)}
		default:
			*p(e) = &kong.Consumer{Username: kong.String(to.Name)}
		}
	}
	return refSpec[T]{field: field, kind: KindConsumer, point: point, get: func(e *T) []Ref {
		c := *p(e)
		if c == nil {
			return nil
		}
		r := Ref{Kind: KindConsumer, ID: str(c.ID), Name: str(c.Username)}
		if c.Username == nil && c.CustomID != nil {
			r.Name, r.By = *c.CustomID, customID
		}
		if r.Zero() {
			return nil
		}
		r.set = func(to Ref) { point(e, to) }
		return []Ref{r}
	}}
}

// certificateRef is a reference to a certificate, always by id: certificates have no name.
func certificateRef[T any](field string, p func(*T) **kong.Certificate) refSpec[T] {
	return namedRef(field, KindCertificate, p, func(c *kong.Certificate) (id, name *string) { return c.ID, nil },
		func(id, _ *string) *kong.Certificate { return &kong.Certificate{ID: kong.String(str(id))} })
}

// caCertificatesRef is a service's list of CA certificate ids.
func caCertificatesRef() refSpec[kong.Service] {
	return refSpec[kong.Service]{field: "ca_certificates", kind: KindCACertificate, list: true,
		get: func(s *kong.Service) []Ref {
			var out []Ref
			for i, id := range s.CACertificates {
				if id != nil && *id != "" {
					out = append(out, Ref{Kind: KindCACertificate, ID: *id,
						set: func(to Ref) { s.CACertificates[i] = kong.String(to.ID) }})
				}
			}
			return out
		}}
}

package sync

import (
	"reflect"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// ref is one foreign key an entity holds: the parent's kind, its id or (in a decK file written without ids) its
// name, and a way to point the key at another parent id.
type ref struct {
	kind     snapshot.Kind
	id, name string
	set      func(id string)
}

// refsOf returns the foreign keys e holds, unset ones left out. Consumer groups (Enterprise) are not among them:
// no snapshot holds that kind, so a plugin's consumer_group is written as the snapshot has it.
func refsOf(e any) []ref {
	var out []ref
	add := func(kind snapshot.Kind, id, name *string, set func(string)) {
		if deref(id) != "" || deref(name) != "" {
			out = append(out, ref{kind: kind, id: deref(id), name: deref(name), set: set})
		}
	}
	service := func(p **kong.Service) {
		if *p != nil {
			add(snapshot.KindService, (*p).ID, (*p).Name, func(id string) { *p = &kong.Service{ID: kong.String(id)} })
		}
	}
	consumer := func(p **kong.Consumer) {
		if *p != nil {
			add(snapshot.KindConsumer, (*p).ID, consumerName(*p), func(id string) { *p = &kong.Consumer{ID: kong.String(id)} })
		}
	}
	certificate := func(p **kong.Certificate) {
		if *p != nil {
			add(snapshot.KindCertificate, (*p).ID, nil, func(id string) { *p = &kong.Certificate{ID: kong.String(id)} })
		}
	}
	switch v := e.(type) {
	case *kong.Service:
		certificate(&v.ClientCertificate)
		for i := range v.CACertificates {
			add(snapshot.KindCACertificate, v.CACertificates[i], nil, func(id string) { v.CACertificates[i] = kong.String(id) })
		}
	case *kong.Route:
		service(&v.Service)
	case *kong.Plugin:
		service(&v.Service)
		if v.Route != nil {
			add(snapshot.KindRoute, v.Route.ID, v.Route.Name, func(id string) { v.Route = &kong.Route{ID: kong.String(id)} })
		}
		consumer(&v.Consumer)
	case *kong.Upstream:
		certificate(&v.ClientCertificate)
	case *kong.Target:
		if v.Upstream != nil {
			add(snapshot.KindUpstream, v.Upstream.ID, v.Upstream.Name, func(id string) { v.Upstream = &kong.Upstream{ID: kong.String(id)} })
		}
	case *kong.SNI:
		certificate(&v.Certificate)
	case *kong.Key:
		if v.Set != nil {
			add(snapshot.KindKeySet, v.Set.ID, v.Set.Name, func(id string) { v.Set = &kong.KeySet{ID: kong.String(id)} })
		}
	case *kong.KeyAuth:
		consumer(&v.Consumer)
	case *kong.BasicAuth:
		consumer(&v.Consumer)
	case *kong.HMACAuth:
		consumer(&v.Consumer)
	case *kong.JWTAuth:
		consumer(&v.Consumer)
	case *kong.ACLGroup:
		consumer(&v.Consumer)
	case *kong.Oauth2Credential:
		consumer(&v.Consumer)
	}
	return out
}

// consumerName is the name a reference to a consumer carries: its username, else its custom_id marked as such.
func consumerName(c *kong.Consumer) *string {
	switch {
	case c.Username != nil:
		return c.Username
	case c.CustomID != nil:
		return kong.String(customIDPrefix + *c.CustomID)
	}
	return nil
}

const customIDPrefix = "custom_id:"

// nameOf is the name other entities of a snapshot use to reference e, as refsOf reports it; "" when references to
// e's kind carry ids only.
func nameOf(e any) string {
	switch v := e.(type) {
	case *kong.Service:
		return deref(v.Name)
	case *kong.Route:
		return deref(v.Name)
	case *kong.Consumer:
		return deref(consumerName(v))
	case *kong.Upstream:
		return deref(v.Name)
	case *kong.KeySet:
		return deref(v.Name)
	}
	return ""
}

// clone returns a deep copy of a go-kong entity; every kind a snapshot holds has go-kong's generated DeepCopy.
func clone(e any) any {
	return reflect.ValueOf(e).MethodByName("DeepCopy").Call(nil)[0].Interface()
}

// setID sets the id of a go-kong entity; every kind a snapshot holds has an ID *string field.
func setID(e any, id string) {
	reflect.ValueOf(e).Elem().FieldByName("ID").Set(reflect.ValueOf(kong.String(id)))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

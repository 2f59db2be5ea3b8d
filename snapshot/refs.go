package snapshot

import (
	"github.com/kong/go-kong/kong"
)

// index finds a snapshot's entities by id and by the name other entities use to reference them.
type index struct {
	byID   map[Kind]map[string]any
	byName map[Kind]map[string]any
}

func newIndex() *index {
	return &index{byID: map[Kind]map[string]any{}, byName: map[Kind]map[string]any{}}
}

func indexSnapshot(s *Snapshot) *index {
	ix := newIndex()
	for _, kind := range Kinds {
		for _, e := range s.Entities(kind) {
			ix.add(kind, e)
		}
	}
	return ix
}

// add records e and returns an entity of the same kind already holding its id or unique name, if any.
func (ix *index) add(kind Kind, e any) any {
	var clash any
	if id := ID(e); id != "" {
		if ix.byID[kind] == nil {
			ix.byID[kind] = map[string]any{}
		}
		if other, ok := ix.byID[kind][id]; ok {
			clash = other
		}
		ix.byID[kind][id] = e
	}
	if name := uniqueName(e); name != "" {
		if ix.byName[kind] == nil {
			ix.byName[kind] = map[string]any{}
		}
		if other, ok := ix.byName[kind][name]; ok && clash == nil {
			clash = other
		}
		ix.byName[kind][name] = e
	}
	return clash
}

// find returns the entity of kind whose id, or else unique name, is key.
func (ix *index) find(kind Kind, key string) any {
	if e, ok := ix.byID[kind][key]; ok {
		return e
	}
	return ix.byName[kind][key]
}

// parent returns the entity a foreign key points to: by id when it has one, else by name.
func (ix *index) parent(kind Kind, id, name *string) any {
	if id != nil {
		return ix.byID[kind][*id]
	}
	if name != nil {
		return ix.byName[kind][*name]
	}
	return nil
}

// uniqueName is the name Kong keeps unique among the entities of one kind, the one references in files use.
func uniqueName(e any) string {
	switch v := e.(type) {
	case *kong.Service:
		return str(v.Name)
	case *kong.Route:
		return str(v.Name)
	case *kong.Consumer:
		return str(v.Username)
	case *kong.Upstream:
		return str(v.Name)
	case *kong.KeySet:
		return str(v.Name)
	case *kong.SNI:
		return str(v.Name)
	case *kong.Vault:
		return str(v.Prefix)
	case *kong.Plugin:
		return str(v.InstanceName)
	}
	return ""
}

// reference is how a file names an entity: its unique name when it has one, else its id.
func reference(e any) string {
	if name := uniqueName(e); name != "" {
		return name
	}
	return ID(e)
}

// serviceKey and the functions below it return the foreign key pointing at parent: its id, or its name when it
// has no id.
func serviceKey(parent any) *kong.Service {
	p := parent.(*kong.Service)
	if p.ID != nil {
		return &kong.Service{ID: kong.String(*p.ID)}
	}
	return &kong.Service{Name: kong.String(str(p.Name))}
}

func routeKey(parent any) *kong.Route {
	p := parent.(*kong.Route)
	if p.ID != nil {
		return &kong.Route{ID: kong.String(*p.ID)}
	}
	return &kong.Route{Name: kong.String(str(p.Name))}
}

func consumerKey(parent any) *kong.Consumer {
	p := parent.(*kong.Consumer)
	switch {
	case p.ID != nil:
		return &kong.Consumer{ID: kong.String(*p.ID)}
	case p.Username != nil:
		return &kong.Consumer{Username: kong.String(*p.Username)}
	}
	return &kong.Consumer{CustomID: kong.String(str(p.CustomID))}
}

func upstreamKey(parent any) *kong.Upstream {
	p := parent.(*kong.Upstream)
	if p.ID != nil {
		return &kong.Upstream{ID: kong.String(*p.ID)}
	}
	return &kong.Upstream{Name: kong.String(str(p.Name))}
}

func keySetKey(parent any) *kong.KeySet {
	p := parent.(*kong.KeySet)
	if p.ID != nil {
		return &kong.KeySet{ID: kong.String(*p.ID)}
	}
	return &kong.KeySet{Name: kong.String(str(p.Name))}
}

func certificateKey(parent any) *kong.Certificate {
	return &kong.Certificate{ID: kong.String(ID(parent))}
}

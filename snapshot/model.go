// Package snapshot is kongsnap's model of one gateway's configuration and its decK file form: a Snapshot holds every
// entity a Kong Admin API returns (as go-kong types, flat, foreign keys by id), and the files in this package turn
// it into deterministic decK YAML and back.
//
// Everything kind-specific lives in one place, the kinds table (kinds.go): per kind its go-kong type, Admin API
// collection, section, dependency level, reference fields, unique keys, the names messages and references use and
// its secret fields. The rest of kongsnap asks the table (Kind.Info, RefFields, Refs, UniqueKeys, MatchKey,
// SecretValues) instead of switching on types, and resolves references through one Index. Adding a kind is one
// table entry, plus kongsim's schema for it.
package snapshot

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/kong/go-kong/kong"
)

// Kind names one entity collection, spelled as decK's file format spells it.
type Kind string

// The kinds kongsnap backs up and restores.
const (
	KindCertificate   Kind = "certificates"
	KindCACertificate Kind = "ca_certificates"
	KindConsumer      Kind = "consumers"
	KindVault         Kind = "vaults"
	KindKeySet        Kind = "key_sets"
	KindSNI           Kind = "snis"
	KindService       Kind = "services"
	KindUpstream      Kind = "upstreams"
	KindKey           Kind = "keys"
	KindKeyAuth       Kind = "keyauth_credentials"
	KindBasicAuth     Kind = "basicauth_credentials"
	KindHMACAuth      Kind = "hmacauth_credentials"
	KindJWT           Kind = "jwt_secrets"
	KindACL           Kind = "acls"
	KindOAuth2        Kind = "oauth2_credentials"
	KindRoute         Kind = "routes"
	KindTarget        Kind = "targets"
	KindPlugin        Kind = "plugins"
)

// Levels groups the kinds by dependency (KindInfo.Level): every kind depends only on kinds of earlier levels, so
// creates run level by level from the first and deletes from the last (the order decK's syncer uses).
var Levels = func() [][]Kind {
	var levels [][]Kind
	for _, info := range kindTable {
		for len(levels) <= info.Level {
			levels = append(levels, nil)
		}
		levels[info.Level] = append(levels[info.Level], info.Kind)
	}
	return levels
}()

// Kinds lists every kind in dependency order, the order of the kinds table.
var Kinds = func() []Kind {
	all := make([]Kind, len(kindTable))
	for i, info := range kindTable {
		all[i] = info.Kind
	}
	return all
}()

// Credential reports whether k is one of a consumer's credential kinds.
func (k Kind) Credential() bool { return k.Info() != nil && k.Info().Credential }

// Level returns k's dependency level (its index in Levels), or -1 for an unknown kind.
func (k Kind) Level() int {
	if info := k.Info(); info != nil {
		return info.Level
	}
	return -1
}

// ParseKind returns the kind spelled s, accepting decK's spelling ("keyauth_credentials") and the Admin API's
// ("key-auths", "ca-certificates").
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	for _, info := range kindTable {
		if info.Path != "" && (s == info.Path[1:] || s == strings.ReplaceAll(info.Path[1:], "_", "-")) {
			return info.Kind, nil
		}
	}
	return "", fmt.Errorf("unknown entity kind %q", s)
}

// Snapshot is the whole configuration of one gateway (or the part its select tags cover). Every entity is a go-kong
// value with every field Kong returns except created_at and updated_at. Foreign keys point to their parent by ID;
// a snapshot read from a decK file written without ids may instead carry the parent's name (Name, Username) only.
// Secrets are held in plaintext in memory: encryption happens only where bytes leave the process.
type Snapshot struct {
	Services       []*kong.Service
	Routes         []*kong.Route
	Consumers      []*kong.Consumer
	Plugins        []*kong.Plugin
	Upstreams      []*kong.Upstream
	Targets        []*kong.Target
	Certificates   []*kong.Certificate // SNIs field left empty: SNIs are entities of their own
	SNIs           []*kong.SNI
	CACertificates []*kong.CACertificate
	Vaults         []*kong.Vault
	KeySets        []*kong.KeySet
	Keys           []*kong.Key
	KeyAuths       []*kong.KeyAuth
	BasicAuths     []*kong.BasicAuth
	HMACAuths      []*kong.HMACAuth
	JWTs           []*kong.JWTAuth
	ACLs           []*kong.ACLGroup
	OAuth2s        []*kong.Oauth2Credential
}

// Entities returns the entities of one kind as go-kong pointers (*kong.Service, *kong.Route, ...).
func (s *Snapshot) Entities(k Kind) []any {
	if info := k.Info(); info != nil {
		return info.entities(s)
	}
	return nil
}

// CountOf is len(s.Entities(k)), without making the list.
func (s *Snapshot) CountOf(k Kind) int {
	if info := k.Info(); info != nil {
		return info.count(s)
	}
	return 0
}

// Add appends one go-kong entity to the slice of its kind and returns that kind. It fails for a type the snapshot
// does not hold.
func (s *Snapshot) Add(e any) (Kind, error) {
	info := infoOfEntity(e)
	if info == nil {
		return "", fmt.Errorf("snapshot cannot hold %T", e)
	}
	info.add(s, e)
	return info.Kind, nil
}

// KindOf returns the kind of a go-kong entity pointer, or "" for any other value.
func KindOf(e any) Kind {
	if info := infoOfEntity(e); info != nil {
		return info.Kind
	}
	return ""
}

// ID returns an entity's id, or "" when it has none (or is of no kind the snapshot holds).
func ID(e any) string {
	info := infoOfEntity(e)
	if info == nil || reflect.ValueOf(e).IsNil() {
		return ""
	}
	return str(reflect.ValueOf(e).Elem().FieldByIndex(info.idField).Interface().(*string))
}

// CredentialConsumer returns the consumer a credential belongs to, or nil for an entity that is not a credential.
func CredentialConsumer(e any) *kong.Consumer {
	info := infoOfEntity(e)
	if info == nil || !info.Credential {
		return nil
	}
	return reflect.ValueOf(e).Elem().FieldByName("Consumer").Interface().(*kong.Consumer)
}

// Name returns the name messages give an entity (name, username, prefix, target, group...), or "" when it has
// none.
func Name(e any) string {
	if info := infoOfEntity(e); info != nil {
		return info.name(e)
	}
	return ""
}

// Describe names an entity for people, in errors and reports: `route "orders" (id 5f1c…)`. It never includes a
// secret (a key-auth credential is described by its id only).
func Describe(e any) string {
	kind := KindOf(e)
	singular := kind.Singular()
	name, id := Name(e), ID(e)
	switch {
	case name != "" && id != "":
		return fmt.Sprintf("%s %q (id %s)", singular, name, id)
	case name != "":
		return fmt.Sprintf("%s %q", singular, name)
	case id != "":
		return fmt.Sprintf("%s %s", singular, id)
	}
	return singular + " (no name or id)"
}

// Singular is the kind's name for one entity, for messages: "service", "key-auth credential".
func (k Kind) Singular() string {
	switch info := k.Info(); {
	case info != nil:
		return info.Singular
	case k == KindConsumerGroup:
		return "consumer group"
	case k == "":
		return "entity"
	}
	return strings.TrimSuffix(string(k), "s")
}

// Count returns how many entities of each kind the snapshot holds, kinds with none left out.
func (s *Snapshot) Count() map[Kind]int {
	counts := map[Kind]int{}
	for _, k := range Kinds {
		if n := s.CountOf(k); n > 0 {
			counts[k] = n
		}
	}
	return counts
}

// Len returns the number of entities of every kind.
func (s *Snapshot) Len() int {
	n := 0
	for _, k := range Kinds {
		n += s.CountOf(k)
	}
	return n
}

// SortByID orders every kind's entities by id, then by name for entities without one, so that iteration over a
// snapshot does not depend on the order its entities arrived in.
// Each entity's id and name are looked up once, not at every comparison, and a kind already in order (as a read
// of Kong's id-ordered pages leaves it) is left as it is.
func (s *Snapshot) SortByID() {
	type keyed struct {
		id, name string
		e        any
	}
	// Each kind is its own list: they are sorted side by side.
	var wg sync.WaitGroup
	for _, info := range kindTable {
		entities := info.entities(s)
		if len(entities) < 2 {
			continue
		}
		wg.Go(func() {
			list := make([]keyed, len(entities))
			for i, e := range entities {
				list[i] = keyed{ID(e), Name(e), e}
			}
			order := func(a, b keyed) int { return cmp.Or(strings.Compare(a.id, b.id), strings.Compare(a.name, b.name)) }
			if slices.IsSortedFunc(list, order) {
				return
			}
			slices.SortStableFunc(list, order)
			for i, k := range list {
				entities[i] = k.e
			}
			info.replace(s, entities)
		})
	}
	wg.Wait()
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

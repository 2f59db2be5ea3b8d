// Package snapshot is kongsnap's model of one gateway's configuration and its decK file form: a Snapshot holds every
// entity a Kong Admin API returns (as go-kong types, flat, foreign keys by id), and the files in this package turn
// it into deterministic decK YAML and back.
package snapshot

import (
	"fmt"
	"sort"

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

// Levels groups the kinds by dependency: every kind depends only on kinds of earlier levels, so creates run level by
// level from the first and deletes from the last (the order decK's syncer uses).
var Levels = [][]Kind{
	{KindCertificate, KindCACertificate, KindConsumer, KindVault, KindKeySet},
	{KindSNI, KindService, KindUpstream, KindKey, KindKeyAuth, KindBasicAuth, KindHMACAuth, KindJWT, KindACL, KindOAuth2},
	{KindRoute, KindTarget},
	{KindPlugin},
}

// Kinds lists every kind in dependency order.
var Kinds = func() []Kind {
	var all []Kind
	for _, level := range Levels {
		all = append(all, level...)
	}
	return all
}()

// Credential reports whether k is one of a consumer's credential kinds.
func (k Kind) Credential() bool {
	switch k {
	case KindKeyAuth, KindBasicAuth, KindHMACAuth, KindJWT, KindACL, KindOAuth2:
		return true
	}
	return false
}

// Level returns the index of k in Levels, or -1 for an unknown kind.
func (k Kind) Level() int {
	for i, level := range Levels {
		for _, kind := range level {
			if kind == k {
				return i
			}
		}
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
	aliases := map[string]Kind{
		"ca-certificates": KindCACertificate, "key-sets": KindKeySet, "key-auths": KindKeyAuth,
		"basic-auths": KindBasicAuth, "hmac-auths": KindHMACAuth, "jwts": KindJWT, "oauth2": KindOAuth2,
	}
	if k, ok := aliases[s]; ok {
		return k, nil
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
	switch k {
	case KindService:
		return anys(s.Services)
	case KindRoute:
		return anys(s.Routes)
	case KindConsumer:
		return anys(s.Consumers)
	case KindPlugin:
		return anys(s.Plugins)
	case KindUpstream:
		return anys(s.Upstreams)
	case KindTarget:
		return anys(s.Targets)
	case KindCertificate:
		return anys(s.Certificates)
	case KindSNI:
		return anys(s.SNIs)
	case KindCACertificate:
		return anys(s.CACertificates)
	case KindVault:
		return anys(s.Vaults)
	case KindKeySet:
		return anys(s.KeySets)
	case KindKey:
		return anys(s.Keys)
	case KindKeyAuth:
		return anys(s.KeyAuths)
	case KindBasicAuth:
		return anys(s.BasicAuths)
	case KindHMACAuth:
		return anys(s.HMACAuths)
	case KindJWT:
		return anys(s.JWTs)
	case KindACL:
		return anys(s.ACLs)
	case KindOAuth2:
		return anys(s.OAuth2s)
	}
	return nil
}

// Add appends one go-kong entity to the slice of its kind and returns that kind. It fails for a type the snapshot
// does not hold.
func (s *Snapshot) Add(e any) (Kind, error) {
	switch v := e.(type) {
	case *kong.Service:
		s.Services = append(s.Services, v)
	case *kong.Route:
		s.Routes = append(s.Routes, v)
	case *kong.Consumer:
		s.Consumers = append(s.Consumers, v)
	case *kong.Plugin:
		s.Plugins = append(s.Plugins, v)
	case *kong.Upstream:
		s.Upstreams = append(s.Upstreams, v)
	case *kong.Target:
		s.Targets = append(s.Targets, v)
	case *kong.Certificate:
		s.Certificates = append(s.Certificates, v)
	case *kong.SNI:
		s.SNIs = append(s.SNIs, v)
	case *kong.CACertificate:
		s.CACertificates = append(s.CACertificates, v)
	case *kong.Vault:
		s.Vaults = append(s.Vaults, v)
	case *kong.KeySet:
		s.KeySets = append(s.KeySets, v)
	case *kong.Key:
		s.Keys = append(s.Keys, v)
	case *kong.KeyAuth:
		s.KeyAuths = append(s.KeyAuths, v)
	case *kong.BasicAuth:
		s.BasicAuths = append(s.BasicAuths, v)
	case *kong.HMACAuth:
		s.HMACAuths = append(s.HMACAuths, v)
	case *kong.JWTAuth:
		s.JWTs = append(s.JWTs, v)
	case *kong.ACLGroup:
		s.ACLs = append(s.ACLs, v)
	case *kong.Oauth2Credential:
		s.OAuth2s = append(s.OAuth2s, v)
	default:
		return "", fmt.Errorf("snapshot cannot hold %T", e)
	}
	return KindOf(e), nil
}

// KindOf returns the kind of a go-kong entity pointer, or "" for any other value.
func KindOf(e any) Kind {
	switch e.(type) {
	case *kong.Service:
		return KindService
	case *kong.Route:
		return KindRoute
	case *kong.Consumer:
		return KindConsumer
	case *kong.Plugin:
		return KindPlugin
	case *kong.Upstream:
		return KindUpstream
	case *kong.Target:
		return KindTarget
	case *kong.Certificate:
		return KindCertificate
	case *kong.SNI:
		return KindSNI
	case *kong.CACertificate:
		return KindCACertificate
	case *kong.Vault:
		return KindVault
	case *kong.KeySet:
		return KindKeySet
	case *kong.Key:
		return KindKey
	case *kong.KeyAuth:
		return KindKeyAuth
	case *kong.BasicAuth:
		return KindBasicAuth
	case *kong.HMACAuth:
		return KindHMACAuth
	case *kong.JWTAuth:
		return KindJWT
	case *kong.ACLGroup:
		return KindACL
	case *kong.Oauth2Credential:
		return KindOAuth2
	}
	return ""
}

// ID returns an entity's id, or "" when it has none.
func ID(e any) string {
	var id *string
	switch v := e.(type) {
	case *kong.Service:
		id = v.ID
	case *kong.Route:
		id = v.ID
	case *kong.Consumer:
		id = v.ID
	case *kong.Plugin:
		id = v.ID
	case *kong.Upstream:
		id = v.ID
	case *kong.Target:
		id = v.ID
	case *kong.Certificate:
		id = v.ID
	case *kong.SNI:
		id = v.ID
	case *kong.CACertificate:
		id = v.ID
	case *kong.Vault:
		id = v.ID
	case *kong.KeySet:
		id = v.ID
	case *kong.Key:
		id = v.ID
	case *kong.KeyAuth:
		id = v.ID
	case *kong.BasicAuth:
		id = v.ID
	case *kong.HMACAuth:
		id = v.ID
	case *kong.JWTAuth:
		id = v.ID
	case *kong.ACLGroup:
		id = v.ID
	case *kong.Oauth2Credential:
		id = v.ID
	}
	return str(id)
}

// CredentialConsumer returns the consumer a credential belongs to, or nil for an entity that is not a credential.
func CredentialConsumer(e any) *kong.Consumer {
	switch v := e.(type) {
	case *kong.KeyAuth:
		return v.Consumer
	case *kong.BasicAuth:
		return v.Consumer
	case *kong.HMACAuth:
		return v.Consumer
	case *kong.JWTAuth:
		return v.Consumer
	case *kong.ACLGroup:
		return v.Consumer
	case *kong.Oauth2Credential:
		return v.Consumer
	}
	return nil
}

// Name returns the human name of an entity (name, username, prefix, target, group...), or "" when it has none.
func Name(e any) string {
	switch v := e.(type) {
	case *kong.Service:
		return str(v.Name)
	case *kong.Route:
		return str(v.Name)
	case *kong.Consumer:
		if v.Username != nil {
			return *v.Username
		}
		return str(v.CustomID)
	case *kong.Plugin:
		if v.InstanceName != nil {
			return *v.InstanceName
		}
		return str(v.Name)
	case *kong.Upstream:
		return str(v.Name)
	case *kong.Target:
		return str(v.Target)
	case *kong.SNI:
		return str(v.Name)
	case *kong.Vault:
		return str(v.Prefix)
	case *kong.KeySet:
		return str(v.Name)
	case *kong.Key:
		if v.Name != nil {
			return *v.Name
		}
		return str(v.KID)
	case *kong.BasicAuth:
		return str(v.Username)
	case *kong.HMACAuth:
		return str(v.Username)
	case *kong.JWTAuth:
		return str(v.Key)
	case *kong.ACLGroup:
		return str(v.Group)
	case *kong.Oauth2Credential:
		return str(v.Name)
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
	switch k {
	case KindCACertificate:
		return "CA certificate"
	case KindSNI:
		return "SNI"
	case KindKeySet:
		return "key set"
	case KindKeyAuth:
		return "key-auth credential"
	case KindBasicAuth:
		return "basic-auth credential"
	case KindHMACAuth:
		return "hmac-auth credential"
	case KindJWT:
		return "jwt credential"
	case KindACL:
		return "acl group"
	case KindOAuth2:
		return "oauth2 credential"
	case "":
		return "entity"
	}
	return string(k[:len(k)-1])
}

// Count returns how many entities of each kind the snapshot holds, kinds with none left out.
func (s *Snapshot) Count() map[Kind]int {
	counts := map[Kind]int{}
	for _, k := range Kinds {
		if n := len(s.Entities(k)); n > 0 {
			counts[k] = n
		}
	}
	return counts
}

// Len returns the number of entities of every kind.
func (s *Snapshot) Len() int {
	n := 0
	for _, k := range Kinds {
		n += len(s.Entities(k))
	}
	return n
}

// SortByID orders every kind's entities by id, then by name for entities without one, so that iteration over a
// snapshot does not depend on the order its entities arrived in.
func (s *Snapshot) SortByID() {
	sortSlice(s.Services)
	sortSlice(s.Routes)
	sortSlice(s.Consumers)
	sortSlice(s.Plugins)
	sortSlice(s.Upstreams)
	sortSlice(s.Targets)
	sortSlice(s.Certificates)
	sortSlice(s.SNIs)
	sortSlice(s.CACertificates)
	sortSlice(s.Vaults)
	sortSlice(s.KeySets)
	sortSlice(s.Keys)
	sortSlice(s.KeyAuths)
	sortSlice(s.BasicAuths)
	sortSlice(s.HMACAuths)
	sortSlice(s.JWTs)
	sortSlice(s.ACLs)
	sortSlice(s.OAuth2s)
}

func sortSlice[T any](items []*T) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := any(items[i]), any(items[j])
		if ID(a) != ID(b) {
			return ID(a) < ID(b)
		}
		return Name(a) < Name(b)
	})
}

func anys[T any](items []*T) []any {
	out := make([]any, len(items))
	for i, item := range items {
		out[i] = item
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

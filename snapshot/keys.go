package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"net"
	"strings"

	"github.com/kong/go-kong/kong"
)

// TargetAddress spells a target's address one way for comparing: host:port with Kong's default port 8000 when
// none is given, IP addresses in canonical form (Kong stores IPv6 expanded), host names as given (Kong keeps their
// case).
func TargetAddress(t string) string {
	host, port, err := net.SplitHostPort(t)
	if err != nil {
		host, port = strings.Trim(t, "[]"), "8000"
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return net.JoinHostPort(host, port)
}

// CACertDigest is a CA certificate's cert_digest, Kong's unique key for it: the one it carries, else the hex
// SHA-256 of its DER bytes as Kong computes it (of its text when it is not PEM), "" without a certificate.
func CACertDigest(c *kong.CACertificate) string {
	if c.CertDigest != nil {
		return strings.ToLower(*c.CertDigest)
	}
	if c.Cert == nil {
		return ""
	}
	return CertDigest(*c.Cert)
}

// CertDigest is the hex SHA-256 of a PEM certificate's DER bytes (of its text when it is not PEM), "" for none.
func CertDigest(cert string) string {
	if cert == "" {
		return ""
	}
	data := []byte(strings.TrimSpace(cert))
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// A Lookup says how the Admin API finds the entity holding one unique key.
type Lookup int

// The ways a key is looked up.
const (
	// LookupNone: the key is not unique in Kong; it only pairs entities when comparing snapshots.
	LookupNone Lookup = iota
	// LookupEndpoint: Kong serves /{collection}/{value} (the key is the kind's endpoint key).
	LookupEndpoint
	// LookupQuery: Kong filters /{collection}?{field}={value}.
	LookupQuery
	// LookupList: list the collection (the narrowest nested one, see Key.Within) and compare on the client; a
	// secret such as a key-auth key is never put in a URL.
	LookupList
)

// Key is one unique key of an entity: "name=billing", "scope=rate-limiting|route=…|service=|consumer=|group=".
type Key struct {
	Field, Value string
	Lookup       Lookup
	// Within are the reference fields naming a parent whose nested collection lists the holders of the key, the
	// first one set winning: a plugin's route, service or consumer.
	Within []string
}

// String is the key as "field=value".
func (k Key) String() string { return k.Field + "=" + k.Value }

// refValue renders the reference in an entity's field as a key spells it ("" when unset).
type refValue func(field string) string

// RefRender renders one reference for a key: by id (live entities, the entities a plan writes), or by the
// identity of the matched parent when comparing snapshots.
type RefRender func(Ref) string

// ByID renders a reference by its parent's id.
func ByID(r Ref) string { return r.ID }

type keySpec[T any] struct {
	field     string
	matchOnly bool // not unique in Kong: pairs entities when comparing, is no conflict
	lookup    Lookup
	within    []string
	value     func(*T, refValue) string
}

type keyInfo struct {
	field     string
	matchOnly bool
	lookup    Lookup
	within    []string
	value     func(any, refValue) string
}

// endpointKey is a unique key held in one field, which Kong serves as the kind's endpoint key: /{collection}/{value}.
func endpointKey[T any](name string, p func(*T) *string) keySpec[T] {
	return keySpec[T]{field: name, lookup: LookupEndpoint, value: field(p)}
}

func field[T any](p func(*T) *string) func(*T, refValue) string {
	return func(e *T, _ refValue) string { return str(p(e)) }
}

// entityKeys returns e's keys with a value, in table order, the match-only ones included when all is set.
func entityKeys(e any, render RefRender, all bool) []Key {
	info := infoOfEntity(e)
	if info == nil {
		return nil
	}
	var refs []RefField
	ref := func(field string) string {
		if refs == nil {
			refs = info.refs(e)
		}
		for _, f := range refs {
			if f.Field == field && len(f.Refs) > 0 {
				return render(f.Refs[0])
			}
		}
		return ""
	}
	var out []Key
	for _, k := range info.keys {
		if k.matchOnly && !all {
			continue
		}
		if v := k.value(e, ref); v != "" {
			out = append(out, Key{Field: k.field, Value: v, Lookup: k.lookup, Within: k.within})
		}
	}
	return out
}

// UniqueKeys returns the keys Kong keeps unique among the entities of e's kind, in the order the Admin API is
// best asked for them. Two entities of one kind holding a common key cannot both exist: the second write answers
// 409. References count as render spells them (ByID for live entities and the entities a plan writes).
func UniqueKeys(e any, render RefRender) []Key { return entityKeys(e, render, false) }

// MatchKey is the key e is paired by when ids do not pair it (an entity recreated with a new id, a decK file
// without ids): its first key with a value, as "field=value"; "" when it has none (an unnamed service), and then
// it pairs by id only.
func MatchKey(e any, render RefRender) string {
	if k := entityKeys(e, render, true); len(k) > 0 {
		return k[0].String()
	}
	return ""
}

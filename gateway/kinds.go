package gateway

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// collection is where the Admin API serves one kind.
type collection struct {
	path string // top-level list path, e.g. /key-auths
	// nested is a credential's path segment under its consumer (/consumers/{id}/key-auth), where it is written.
	nested string
	// A gateway may lack a collection for two reasons only, both of which it says in GET /: its Kong is older
	// than the kind (since, "major.minor"), or the plugin that owns the kind is not installed (plugin, checked
	// against plugins.available_on_server). Any other 404, and every 403, is a read that failed.
	since  string
	plugin string
}

// collections lists every kind's collection. Targets have none of their own (Kong 3.9 answers /targets with 404):
// they live under their upstream, see targetsPath. The versions are those of Kong's CHANGELOG: CA certificates
// came in 1.3, vaults in 3.0 (2.8 had them as /vaults-beta), keys and key sets in 3.1.
var collections = map[snapshot.Kind]collection{
	snapshot.KindService:       {path: "/services"},
	snapshot.KindRoute:         {path: "/routes"},
	snapshot.KindConsumer:      {path: "/consumers"},
	snapshot.KindPlugin:        {path: "/plugins"},
	snapshot.KindUpstream:      {path: "/upstreams"},
	snapshot.KindTarget:        {},
	snapshot.KindCertificate:   {path: "/certificates"},
	snapshot.KindSNI:           {path: "/snis"},
	snapshot.KindCACertificate: {path: "/ca_certificates", since: "1.3"},
	snapshot.KindVault:         {path: "/vaults", since: "3.0"},
	snapshot.KindKeySet:        {path: "/key-sets", since: "3.1"},
	snapshot.KindKey:           {path: "/keys", since: "3.1"},
	snapshot.KindKeyAuth:       {path: "/key-auths", nested: "key-auth", plugin: "key-auth"},
	snapshot.KindBasicAuth:     {path: "/basic-auths", nested: "basic-auth", plugin: "basic-auth"},
	snapshot.KindHMACAuth:      {path: "/hmac-auths", nested: "hmac-auth", plugin: "hmac-auth"},
	snapshot.KindJWT:           {path: "/jwts", nested: "jwt", plugin: "jwt"},
	snapshot.KindACL:           {path: "/acls", nested: "acls", plugin: "acl"},
	snapshot.KindOAuth2:        {path: "/oauth2", nested: "oauth2", plugin: "oauth2"},
}

// lacks says why the gateway, by its own account in GET /, does not have a kind's collection, or "" when it
// should have it: an older Kong, or the owning plugin not available on the server.
func (c *Client) lacks(coll collection) string {
	if coll.since != "" && c.version != "" && versionBefore(c.version, coll.since) {
		return fmt.Sprintf("Kong %s predates it (added in %s)", c.version, coll.since)
	}
	if coll.plugin != "" && c.plugins != nil && !c.plugins[coll.plugin] {
		return fmt.Sprintf("the %s plugin is not in plugins.available_on_server", coll.plugin)
	}
	return ""
}

// versionBefore reports whether Kong version v ("3.9.1", "3.4.3.12", "2.8.1-enterprise-edition") is older than
// major.minor min. A version it cannot parse is taken as current: never older.
func versionBefore(v, min string) bool {
	parse := func(s string) (int, int, bool) {
		parts := strings.SplitN(s, ".", 3)
		if len(parts) < 2 {
			return 0, 0, false
		}
		major, err1 := strconv.Atoi(parts[0])
		minor, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
		return major, minor, err1 == nil && err2 == nil
	}
	vMajor, vMinor, ok := parse(v)
	mMajor, mMinor, _ := parse(min)
	if !ok {
		return false
	}
	return vMajor < mMajor || vMajor == mMajor && vMinor < mMinor
}

// targetsPath is the collection of one upstream's targets.
func targetsPath(upstreamID string) string {
	return "/upstreams/" + url.PathEscape(upstreamID) + "/targets"
}

// writePath is the collection an entity is created in (POST) and under which it is addressed by id (PUT,
// DELETE): the top-level collection for most kinds, the parent's nested one for credentials and targets.
func writePath(e any) (string, error) {
	kind := snapshot.KindOf(e)
	coll, ok := collections[kind]
	if !ok {
		return "", fmt.Errorf("cannot write %T", e)
	}
	switch kind {
	case snapshot.KindTarget:
		t := e.(*kong.Target)
		if t.Upstream == nil || t.Upstream.ID == nil {
			return "", fmt.Errorf("%s names no upstream id", snapshot.Describe(e))
		}
		return targetsPath(*t.Upstream.ID), nil
	}
	if coll.nested == "" {
		return coll.path, nil
	}
	consumer := snapshot.CredentialConsumer(e)
	if consumer == nil || consumer.ID == nil {
		return "", fmt.Errorf("%s names no consumer id", snapshot.Describe(e))
	}
	return "/consumers/" + url.PathEscape(*consumer.ID) + "/" + coll.nested, nil
}

// normalize makes an entity as the snapshot holds it: no created_at/updated_at, foreign keys as {id} only, a
// certificate's SNI names cleared (SNIs are entities of their own).
func normalize(e any) {
	switch v := e.(type) {
	case *kong.Service:
		v.CreatedAt, v.UpdatedAt = nil, nil
		if v.ClientCertificate != nil {
			v.ClientCertificate = &kong.Certificate{ID: v.ClientCertificate.ID}
		}
	case *kong.Route:
		v.CreatedAt, v.UpdatedAt = nil, nil
		if v.Service != nil {
			v.Service = &kong.Service{ID: v.Service.ID}
		}
	case *kong.Consumer:
		v.CreatedAt = nil
	case *kong.Plugin:
		v.CreatedAt = nil
		if v.Route != nil {
			v.Route = &kong.Route{ID: v.Route.ID}
		}
		if v.Service != nil {
			v.Service = &kong.Service{ID: v.Service.ID}
		}
		if v.Consumer != nil {
			v.Consumer = &kong.Consumer{ID: v.Consumer.ID}
		}
		if v.ConsumerGroup != nil {
			v.ConsumerGroup = &kong.ConsumerGroup{ID: v.ConsumerGroup.ID}
		}
	case *kong.Upstream:
		v.CreatedAt = nil
		if v.ClientCertificate != nil {
			v.ClientCertificate = &kong.Certificate{ID: v.ClientCertificate.ID}
		}
	case *kong.Target:
		v.CreatedAt = nil
		if v.Upstream != nil {
			v.Upstream = &kong.Upstream{ID: v.Upstream.ID}
		}
	case *kong.Certificate:
		v.CreatedAt, v.SNIs = nil, nil
	case *kong.SNI:
		v.CreatedAt = nil
		if v.Certificate != nil {
			v.Certificate = &kong.Certificate{ID: v.Certificate.ID}
		}
	case *kong.CACertificate:
		v.CreatedAt = nil
	case *kong.Vault:
		v.CreatedAt, v.UpdatedAt = nil, nil
	case *kong.KeySet:
		v.CreatedAt, v.UpdatedAt = nil, nil
	case *kong.Key:
		v.CreatedAt, v.UpdatedAt = nil, nil
		if v.Set != nil {
			v.Set = &kong.KeySet{ID: v.Set.ID}
		}
	case *kong.KeyAuth:
		v.CreatedAt = nil
		v.Consumer = consumerRef(v.Consumer)
	case *kong.BasicAuth:
		v.CreatedAt = nil
		v.Consumer = consumerRef(v.Consumer)
	case *kong.HMACAuth:
		v.CreatedAt = nil
		v.Consumer = consumerRef(v.Consumer)
	case *kong.JWTAuth:
		v.CreatedAt = nil
		v.Consumer = consumerRef(v.Consumer)
	case *kong.ACLGroup:
		v.CreatedAt = nil
		v.Consumer = consumerRef(v.Consumer)
	case *kong.Oauth2Credential:
		v.CreatedAt = nil
		v.Consumer = consumerRef(v.Consumer)
	}
}

func consumerRef(c *kong.Consumer) *kong.Consumer {
	if c == nil {
		return nil
	}
	return &kong.Consumer{ID: c.ID}
}

// secrets returns the secret values an entity carries, to scrub from messages about it (Kong's unique-violation
// message quotes a duplicate key-auth key, for example).
func secrets(e any) []string {
	var out []string
	add := func(ps ...*string) {
		for _, p := range ps {
			if p != nil {
				out = append(out, *p)
			}
		}
	}
	switch v := e.(type) {
	case *kong.KeyAuth:
		add(v.Key)
	case *kong.BasicAuth:
		add(v.Password)
	case *kong.HMACAuth:
		add(v.Secret)
	case *kong.JWTAuth:
		add(v.Secret)
	case *kong.Oauth2Credential:
		add(v.ClientSecret)
	case *kong.Certificate:
		add(v.Key, v.KeyAlt)
	case *kong.Key:
		add(v.JWK)
		if v.PEM != nil {
			add(v.PEM.PrivateKey)
		}
	case *kong.Vault:
		for _, val := range v.Config {
			if s, ok := val.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Lookup finds the live entity that stands in e's way: the one holding a unique key e wants (what a 409 from
// Create is about). Keys are Kong's: a service's, route's, upstream's, SNI's or key set's name; a consumer's
// username, then custom_id; a plugin's name and exact scope (route, service, consumer), then instance_name; a
// target's address within its upstream; a vault's prefix; a key's name, then kid within its set; a credential's key,
// username, client_id or (consumer, group); a CA certificate's digest; a certificate's id (it has no other key).
// Select tags do not apply: a conflict does not care about them. It returns the entity normalised as Read does,
// or an error wrapping ErrNotFound when no live entity holds any of e's keys. Lookup sends GET requests only; no
// secret is ever put in a URL (a key-auth key is matched on the client).
func (c *Client) Lookup(ctx context.Context, e any) (any, error) {
	found, err := c.lookup(ctx, e)
	switch {
	case err != nil:
		return nil, c.opError("looking up", e, err)
	case found == nil:
		return nil, c.opError("looking up", e, fmt.Errorf("no live entity holds its unique keys: %w", ErrNotFound))
	}
	normalize(found)
	return found, nil
}

// lookup returns the blocking entity, nil when there is none.
func (c *Client) lookup(ctx context.Context, e any) (any, error) {
	switch v := e.(type) {
	case *kong.Service:
		return byKey[kong.Service](ctx, c, "/services", v.Name)
	case *kong.Route:
		return byKey[kong.Route](ctx, c, "/routes", v.Name)
	case *kong.Upstream:
		return byKey[kong.Upstream](ctx, c, "/upstreams", v.Name)
	case *kong.SNI:
		return byKey[kong.SNI](ctx, c, "/snis", v.Name)
	case *kong.KeySet:
		return byKey[kong.KeySet](ctx, c, "/key-sets", v.Name)
	case *kong.Vault:
		return byKey[kong.Vault](ctx, c, "/vaults", v.Prefix)
	case *kong.Certificate:
		return byKey[kong.Certificate](ctx, c, "/certificates", v.ID)
	case *kong.Consumer:
		return c.lookupConsumer(ctx, v)
	case *kong.Plugin:
		return c.lookupPlugin(ctx, v)
	case *kong.Target:
		return c.lookupTarget(ctx, v)
	case *kong.Key:
		return c.lookupKey(ctx, v)
	case *kong.CACertificate:
		return c.lookupCACertificate(ctx, v)
	case *kong.KeyAuth:
		if v.Key == nil {
			return nil, nil
		}
		return first(listAll[kong.KeyAuth](ctx, c, "/key-auths", listQuery{}))(func(k *kong.KeyAuth) bool {
			return equal(k.Key, v.Key)
		})
	case *kong.BasicAuth:
		return byKey[kong.BasicAuth](ctx, c, "/basic-auths", v.Username)
	case *kong.HMACAuth:
		return byKey[kong.HMACAuth](ctx, c, "/hmac-auths", v.Username)
	case *kong.JWTAuth:
		return byKey[kong.JWTAuth](ctx, c, "/jwts", v.Key)
	case *kong.Oauth2Credential:
		return byKey[kong.Oauth2Credential](ctx, c, "/oauth2", v.ClientID)
	case *kong.ACLGroup:
		if v.Group == nil || v.Consumer == nil || v.Consumer.ID == nil {
			return nil, nil
		}
		path := "/consumers/" + url.PathEscape(*v.Consumer.ID) + "/acls"
		return first(listAll[kong.ACLGroup](ctx, c, path, listQuery{}))(func(a *kong.ACLGroup) bool {
			return equal(a.Group, v.Group)
		})
	}
	return nil, fmt.Errorf("cannot look up %T", e)
}

// byKey reads /{collection}/{key}, Kong's lookup by id or endpoint key; nil when key is unset or nothing has it.
func byKey[T any](ctx context.Context, c *Client, collection string, key *string) (any, error) {
	if key == nil || *key == "" {
		return nil, nil
	}
	found, err := get[T](ctx, c, collection+"/"+url.PathEscape(*key))
	if isStatus(err, http.StatusNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return found, nil
}

// first returns a function picking the first listed entity that matches, or nil.
func first[T any](items []*T, err error) func(match func(*T) bool) (any, error) {
	return func(match func(*T) bool) (any, error) {
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			if match(item) {
				return item, nil
			}
		}
		return nil, nil
	}
}

func (c *Client) lookupConsumer(ctx context.Context, v *kong.Consumer) (any, error) {
	found, err := byKey[kong.Consumer](ctx, c, "/consumers", v.Username)
	if found != nil || err != nil || v.CustomID == nil {
		return found, err
	}
	req, err := c.kong.NewRequest(http.MethodGet, "/consumers", struct {
		CustomID string `url:"custom_id"`
	}{*v.CustomID}, nil)
	if err != nil {
		return nil, err
	}
	var p page[kong.Consumer]
	if _, err := c.kong.Do(ctx, req, &p); err != nil {
		return nil, err
	}
	for _, consumer := range p.Data {
		if equal(consumer.CustomID, v.CustomID) {
			return consumer, nil
		}
	}
	return nil, nil
}

// lookupPlugin finds the plugin with v's name in exactly v's scope, listing the narrowest nested collection
// that holds it; then, failing that, the plugin holding v's instance_name.
func (c *Client) lookupPlugin(ctx context.Context, v *kong.Plugin) (any, error) {
	if v.Name != nil {
		path := "/plugins"
		switch {
		case v.Route != nil && v.Route.ID != nil:
			path = "/routes/" + url.PathEscape(*v.Route.ID) + "/plugins"
		case v.Service != nil && v.Service.ID != nil:
			path = "/services/" + url.PathEscape(*v.Service.ID) + "/plugins"
		case v.Consumer != nil && v.Consumer.ID != nil:
			path = "/consumers/" + url.PathEscape(*v.Consumer.ID) + "/plugins"
		}
		found, err := first(listAll[kong.Plugin](ctx, c, path, listQuery{}))(func(p *kong.Plugin) bool {
			return equal(p.Name, v.Name) && sameScope(p, v)
		})
		if found != nil || err != nil {
			return found, err
		}
	}
	return byKey[kong.Plugin](ctx, c, "/plugins", v.InstanceName)
}

// sameScope reports whether two plugins apply to the same route, service, consumer and consumer group.
func sameScope(a, b *kong.Plugin) bool {
	ref := func(p *kong.Plugin) [4]string {
		var r [4]string
		if p.Route != nil && p.Route.ID != nil {
			r[0] = *p.Route.ID
		}
		if p.Service != nil && p.Service.ID != nil {
			r[1] = *p.Service.ID
		}
		if p.Consumer != nil && p.Consumer.ID != nil {
			r[2] = *p.Consumer.ID
		}
		if p.ConsumerGroup != nil && p.ConsumerGroup.ID != nil {
			r[3] = *p.ConsumerGroup.ID
		}
		return r
	}
	return ref(a) == ref(b)
}

func (c *Client) lookupTarget(ctx context.Context, v *kong.Target) (any, error) {
	if v.Target == nil || v.Upstream == nil || v.Upstream.ID == nil {
		return nil, nil
	}
	want := snapshot.TargetAddress(*v.Target)
	return first(listAll[kong.Target](ctx, c, targetsPath(*v.Upstream.ID), listQuery{}))(func(t *kong.Target) bool {
		return t.Target != nil && snapshot.TargetAddress(*t.Target) == want
	})
}

// defaultTargetPort is the port Kong gives a target written without one.
func (c *Client) lookupKey(ctx context.Context, v *kong.Key) (any, error) {
	found, err := byKey[kong.Key](ctx, c, "/keys", v.Name)
	if found != nil || err != nil || v.KID == nil {
		return found, err
	}
	path, set := "/keys", ""
	if v.Set != nil && v.Set.ID != nil {
		path, set = "/key-sets/"+url.PathEscape(*v.Set.ID)+"/keys", *v.Set.ID
	}
	return first(listAll[kong.Key](ctx, c, path, listQuery{}))(func(k *kong.Key) bool {
		keySet := ""
		if k.Set != nil && k.Set.ID != nil {
			keySet = *k.Set.ID
		}
		return equal(k.KID, v.KID) && keySet == set
	})
}

// lookupCACertificate matches on cert_digest, the hex SHA-256 of the certificate's DER bytes that Kong computes
// and keeps unique.
func (c *Client) lookupCACertificate(ctx context.Context, v *kong.CACertificate) (any, error) {
	digest := snapshot.CACertDigest(v)
	if digest == "" {
		return nil, nil
	}
	return first(listAll[kong.CACertificate](ctx, c, "/ca_certificates", listQuery{}))(func(ca *kong.CACertificate) bool {
		return ca.CertDigest != nil && strings.EqualFold(*ca.CertDigest, digest)
	})
}

func equal(a, b *string) bool {
	return a != nil && b != nil && *a == *b
}

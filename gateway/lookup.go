package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Lookup finds the live entity that stands in e's way: the one holding a unique key e wants (what a 409 from
// Create is about). Keys are Kong's, as the kinds table lists them (snapshot.UniqueKeys), tried in its order: a
// service's, route's, upstream's, SNI's or key set's name; a consumer's username, then custom_id; a plugin's name
// and exact scope (route, service, consumer), then instance_name; a target's address within its upstream; a
// vault's prefix; a key's kid within its set, then name; a credential's key, username, client_id or (consumer,
// group); a CA certificate's digest; a certificate's id (it has no other key). Select tags do not apply: a
// conflict does not care about them. It returns the entity normalised as Read does, or an error wrapping
// ErrNotFound when no live entity holds any of e's keys. Lookup sends GET requests only; no secret is ever put in
// a URL (a key-auth key is matched on the client).
func (c *Client) Lookup(ctx context.Context, e any) (any, error) {
	found, err := c.lookup(ctx, e)
	switch {
	case err != nil:
		return nil, c.opError("looking up", e, err)
	case found == nil:
		return nil, c.opError("looking up", e, fmt.Errorf("no live entity holds its unique keys: %w", ErrNotFound))
	}
	return found, nil
}

// lookup returns the blocking entity, nil when there is none.
func (c *Client) lookup(ctx context.Context, e any) (any, error) {
	info := snapshot.KindOf(e).Info()
	if info == nil {
		return nil, fmt.Errorf("cannot look up %T", e)
	}
	if !info.Keyed() {
		return c.byEndpoint(ctx, info, snapshot.ID(e))
	}
	for _, key := range snapshot.UniqueKeys(e, snapshot.ByID) {
		found, err := c.lookupKey(ctx, info, e, key)
		if found != nil || err != nil {
			return found, err
		}
	}
	return nil, nil
}

// lookupKey finds the entity holding one key, nil when none does.
func (c *Client) lookupKey(ctx context.Context, info *snapshot.KindInfo, e any, key snapshot.Key) (any, error) {
	switch key.Lookup {
	case snapshot.LookupEndpoint:
		return c.byEndpoint(ctx, info, key.Value)
	case snapshot.LookupQuery:
		// Kong filters on the field; the first page holds the match, the key being unique.
		req, err := c.kong.NewRequest(http.MethodGet, info.Path+"?"+url.Values{key.Field: {key.Value}}.Encode(), nil, nil)
		if err != nil {
			return nil, err
		}
		p := newPage(info)
		if _, err := c.kong.Do(ctx, req, &p); err != nil {
			return nil, err
		}
		return holder(p.entities(), key), nil
	case snapshot.LookupList:
		path := info.Path
		for _, field := range key.Within {
			if under := collectionUnder(info, e, field); under != "" {
				path = under
				break
			}
		}
		if path == "" {
			return nil, nil
		}
		items, err := listAll(ctx, c, info, path, listQuery{})
		if err != nil {
			return nil, err
		}
		return holder(items, key), nil
	}
	return nil, nil
}

// collectionUnder is the kind's collection nested under the parent e's reference field points at, "" when unset.
func collectionUnder(info *snapshot.KindInfo, e any, field string) string {
	for _, f := range snapshot.RefFields(e) {
		if f.Field == field && len(f.Refs) > 0 {
			return info.CollectionUnder(f.Refs[0])
		}
	}
	return ""
}

// holder returns the first entity holding key, or nil.
func holder(items []any, key snapshot.Key) any {
	for _, item := range items {
		for _, k := range snapshot.UniqueKeys(item, snapshot.ByID) {
			if k.Field == key.Field && k.Value == key.Value {
				return item
			}
		}
	}
	return nil
}

// byEndpoint reads /{collection}/{key}, Kong's lookup by id or endpoint key; nil when key is unset or nothing has
// it.
func (c *Client) byEndpoint(ctx context.Context, info *snapshot.KindInfo, key string) (any, error) {
	if key == "" {
		return nil, nil
	}
	found := info.New()
	err := c.send(ctx, http.MethodGet, info.Path+"/"+url.PathEscape(key), nil, found)
	if isStatus(err, http.StatusNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	normalize(found)
	return found, nil
}

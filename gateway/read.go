package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// pageSize is the largest page Kong serves, the size go-kong's ListAll and decK ask for.
const pageSize = 1000

// Read returns every entity the connection selects, every page of every kind, as one snapshot: created_at and
// updated_at dropped, foreign keys as {id} only, certificates without SNI names, every kind sorted by id. Kinds
// are listed in parallel, and so are the targets of different upstreams, at most Concurrency requests at a time.
// It sends GET requests only. If any request fails after its retries, Read fails with an error naming the
// connection and the kind, and returns no snapshot. A collection is taken as absent only when GET / says the
// gateway lacks it (see Absent); any other 404, and every 403, fails the read naming the path and status.
func (c *Client) Read(ctx context.Context) (*snapshot.Snapshot, error) {
	c.absentMu.Lock()
	c.absent = nil
	c.absentMu.Unlock()
	s := &snapshot.Snapshot{}
	g := newGroup(ctx, c.conn.Concurrency)
	readKind(g, c, snapshot.KindService, &s.Services)
	readKind(g, c, snapshot.KindRoute, &s.Routes)
	readKind(g, c, snapshot.KindConsumer, &s.Consumers)
	readKind(g, c, snapshot.KindPlugin, &s.Plugins)
	readKind(g, c, snapshot.KindCertificate, &s.Certificates)
	readKind(g, c, snapshot.KindSNI, &s.SNIs)
	readKind(g, c, snapshot.KindCACertificate, &s.CACertificates)
	readKind(g, c, snapshot.KindVault, &s.Vaults)
	readKind(g, c, snapshot.KindKeySet, &s.KeySets)
	readKind(g, c, snapshot.KindKey, &s.Keys)
	readKind(g, c, snapshot.KindKeyAuth, &s.KeyAuths)
	readKind(g, c, snapshot.KindBasicAuth, &s.BasicAuths)
	readKind(g, c, snapshot.KindHMACAuth, &s.HMACAuths)
	readKind(g, c, snapshot.KindJWT, &s.JWTs)
	readKind(g, c, snapshot.KindACL, &s.ACLs)
	readKind(g, c, snapshot.KindOAuth2, &s.OAuth2s)
	var targetsMu sync.Mutex
	g.Go(func(ctx context.Context) error {
		upstreams, err := readCollection[kong.Upstream](ctx, c, snapshot.KindUpstream)
		if err != nil {
			return err
		}
		s.Upstreams = upstreams
		for _, u := range s.Upstreams {
			g.Go(func(ctx context.Context) error {
				targets, err := listAll[kong.Target](ctx, c, targetsPath(*u.ID), c.tagsQuery())
				if err != nil {
					return c.readError(fmt.Sprintf("targets of upstream %s", describeParent(u.Name, u.ID)), err)
				}
				targetsMu.Lock()
				s.Targets = append(s.Targets, targets...)
				targetsMu.Unlock()
				return nil
			})
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	s.SortByID()
	c.log.Debug("read gateway", "entities", s.Len())
	return s, nil
}

// readKind lists one kind into dst from a goroutine of g.
func readKind[T any](g *group, c *Client, kind snapshot.Kind, dst *[]*T) {
	g.Go(func(ctx context.Context) error {
		items, err := readCollection[T](ctx, c, kind)
		*dst = items
		return err
	})
}

// readCollection lists every page of a kind's top-level collection. A 404 on its first page means "none" only
// when the gateway has said in GET / that it lacks the kind (see lacks); then the kind is recorded as absent. Any
// other 404, and every 403, fails the read: a snapshot missing a kind the gateway holds would record its loss.
func readCollection[T any](ctx context.Context, c *Client, kind snapshot.Kind) ([]*T, error) {
	coll := collections[kind]
	items, err := listAll[T](ctx, c, coll.path, c.tagsQuery())
	if err == nil {
		return items, nil
	}
	if isStatus(err, http.StatusNotFound) {
		if why := c.lacks(coll); why != "" {
			c.log.Info("skipping a collection the gateway does not have", "kind", string(kind), "path", coll.path,
				"because", why)
			c.setAbsent(kind, "the gateway answered 404 on "+coll.path)
			return nil, nil
		}
	}
	if isStatus(err, http.StatusNotFound, http.StatusForbidden) {
		return nil, c.secrets.scrubError(fmt.Errorf("connection %q: reading %s: GET %s answered %w; the gateway "+
			"serves this collection (Kong %s%s), so a snapshot without it would not be the gateway",
			c.conn.Name, kind, coll.path, kongError(err), c.version, pluginNote(coll)))
	}
	return nil, c.readError(string(kind), err)
}

func pluginNote(coll collection) string {
	if coll.plugin == "" {
		return ""
	}
	return ", " + coll.plugin + " plugin available"
}

// setAbsent records that the gateway lacks a kind, and what it answered.
func (c *Client) setAbsent(kind snapshot.Kind, answer string) {
	c.absentMu.Lock()
	defer c.absentMu.Unlock()
	if c.absent == nil {
		c.absent = map[snapshot.Kind]string{}
	}
	c.absent[kind] = answer
}

// Absent returns the kinds the last Read found the gateway does not have (an older Kong, a plugin not installed),
// each with what the gateway answered, such as "the gateway answered 404 on /key-auths". A kind read as an empty
// list is not absent. A caller that knows the kind held entities before must not take its absence for their
// deletion.
func (c *Client) Absent() map[snapshot.Kind]string {
	c.absentMu.Lock()
	defer c.absentMu.Unlock()
	out := make(map[snapshot.Kind]string, len(c.absent))
	for k, v := range c.absent {
		out[k] = v
	}
	return out
}

// listQuery is the query string of one page.
type listQuery struct {
	Size   int    `url:"size,omitempty"`
	Offset string `url:"offset,omitempty"`
	Tags   string `url:"tags,omitempty"`
}

// page is one page of a list response. Decoding straight into go-kong's types decodes each entity once.
type page[T any] struct {
	Data   []*T    `json:"data"`
	Offset *string `json:"offset"`
}

// listAll follows a collection's offsets to its last page, normalising each entity.
func listAll[T any](ctx context.Context, c *Client, path string, q listQuery) ([]*T, error) {
	var all []*T
	q.Size = pageSize
	for n := 1; ; n++ {
		req, err := c.kong.NewRequest(http.MethodGet, path, q, nil)
		if err != nil {
			return nil, err
		}
		var p page[T]
		if _, err := c.kong.Do(ctx, req, &p); err != nil {
			if n > 1 {
				// Past the first page a 404 is no sign of a collection the gateway lacks: hide the status so
				// that readCollection cannot take it for one and return a partial list.
				err = kongError(err)
			}
			return nil, fmt.Errorf("page %d: %w", n, err)
		}
		for _, e := range p.Data {
			normalize(e)
		}
		all = append(all, p.Data...)
		if p.Offset == nil || *p.Offset == "" {
			return all, nil
		}
		if *p.Offset == q.Offset {
			return nil, fmt.Errorf("page %d: the gateway sent the same offset again", n)
		}
		q.Offset = *p.Offset
	}
}

// tagsQuery selects the connection's select tags, all of them (Kong's "a,b" means AND).
func (c *Client) tagsQuery() listQuery {
	return listQuery{Tags: strings.Join(c.conn.SelectTags, ",")}
}

// readError names the connection and what was being read.
func (c *Client) readError(what string, err error) error {
	return c.secrets.scrubError(fmt.Errorf("connection %q: reading %s: %w", c.conn.Name, what, kongError(err)))
}

func describeParent(name, id *string) string {
	if name != nil && *name != "" {
		return fmt.Sprintf("%q", *name)
	}
	if id != nil {
		return *id
	}
	return "(no name or id)"
}

// group runs functions in goroutines, at most limit at a time; the first error cancels the others.
type group struct {
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(parent context.Context, limit int) *group {
	ctx, cancel := context.WithCancel(parent)
	return &group{parent: parent, ctx: ctx, cancel: cancel, sem: make(chan struct{}, limit)}
}

// Go runs f when a slot is free; f may itself call Go.
func (g *group) Go(f func(ctx context.Context) error) {
	g.wg.Go(func() {
		select {
		case g.sem <- struct{}{}:
		case <-g.ctx.Done():
			return
		}
		defer func() { <-g.sem }()
		if g.ctx.Err() != nil {
			return
		}
		if err := f(g.ctx); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	})
}

// Wait waits for every function and returns the first error, or the parent context's.
func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	if g.err != nil {
		return g.err
	}
	return g.parent.Err()
}

package gateway

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/kongsnap/kongsnap/snapshot"
	"golang.org/x/sync/errgroup"
)

// pageSize is the largest page Kong serves, the size go-kong's ListAll and decK ask for.
const pageSize = 1000

// Read returns every entity the connection selects, every page of every kind, as one snapshot: created_at and
// updated_at dropped, foreign keys as {id} only, certificates without SNI names, every kind sorted by id. Kinds
// are listed in parallel, and so are the kinds served only under their owner (the targets of different
// upstreams), at most Concurrency requests at a time; a large collection is read as several id ranges at once
// (see ranges.go), with up to Concurrency requests more across the read. It sends GET requests only. If any request fails after its
// retries, Read fails with an error naming the connection and the kind, and returns no snapshot. A collection is
// taken as absent only when GET / says the gateway lacks it (see Absent); any other 404, and every 403, fails the
// read naming the path and status.
func (c *Client) Read(ctx context.Context) (*snapshot.Snapshot, error) {
	c.absentMu.Lock()
	c.absent = nil
	c.absentMu.Unlock()
	var mu sync.Mutex
	read := map[snapshot.Kind][]any{}
	keep := func(kind snapshot.Kind, items []any) {
		mu.Lock()
		read[kind] = append(read[kind], items...)
		mu.Unlock()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.conn.Concurrency)
	helpers := make(semaphore, c.conn.Concurrency)
	for _, kind := range snapshot.Kinds {
		info := kind.Info()
		if info.Path == "" {
			continue // read under each of its owners, see readOwned
		}
		g.Go(func() error {
			items, err := readCollection(gctx, c, helpers, info)
			if err != nil {
				return err
			}
			keep(kind, items)
			return c.readOwned(gctx, g, kind, items, keep)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	s := &snapshot.Snapshot{}
	for _, kind := range snapshot.Kinds {
		for _, e := range read[kind] {
			_, _ = s.Add(e) // listAll decodes into the kind's own type
		}
	}
	if err := c.learnSecrets(ctx, s); err != nil {
		return nil, err
	}
	s.SortByID()
	c.log.Debug("read gateway", "entities", s.Len())
	return s, nil
}

// readOwned lists, under each of the owners just read, the kinds the gateway serves only there (targets under
// their upstream). A list runs in a goroutine of g when a slot is free, else right here: this goroutine holds a
// slot already, and waiting for another could wait for ever.
func (c *Client) readOwned(ctx context.Context, g *errgroup.Group, owner snapshot.Kind, owners []any,
	keep func(snapshot.Kind, []any),
) error {
	for _, kind := range snapshot.Kinds {
		info := kind.Info()
		if info.Path != "" || ownerKind(info) != owner {
			continue
		}
		for _, parent := range owners {
			list := func() error {
				items, err := listAll(ctx, c, info, info.CollectionUnder(snapshot.RefTo(parent)), c.tagsQuery())
				if err != nil {
					return c.readError(fmt.Sprintf("%s of %s %s", kind, owner.Singular(), describeParent(parent)), err)
				}
				keep(kind, items)
				return nil
			}
			if !g.TryGo(list) {
				if err := list(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ownerKind is the kind of the entity whose nested collection holds info's kind ("" for a top-level kind).
func ownerKind(info *snapshot.KindInfo) snapshot.Kind {
	for _, f := range snapshot.RefFields(info.New()) {
		if f.Field == info.Owner {
			return f.Kind
		}
	}
	return ""
}

// readCollection lists every page of a kind's top-level collection, a large one as id ranges at once when the
// gateway's offsets allow (see ranges.go), with as many helpers as the semaphore has room for. A 404 on its first page
// means "none" only when the gateway has said in GET / that it lacks the kind (see lacks); then the kind is
// recorded as absent. Any other 404, and every 403, fails the read: a snapshot missing a kind the gateway holds would record its loss.
func readCollection(ctx context.Context, c *Client, helpers semaphore, info *snapshot.KindInfo) ([]any, error) {
	items, err := newLister(c, info, info.Path, c.tagsQuery()).collection(ctx, helpers)
	if err == nil {
		return items, nil
	}
	if isStatus(err, http.StatusNotFound) {
		if why := c.lacks(info); why != "" {
			c.log.Info("skipping a collection the gateway does not have", "kind", string(info.Kind), "path", info.Path,
				"because", why)
			c.setAbsent(info.Kind, "the gateway answered 404 on "+info.Path)
			return nil, nil
		}
	}
	if isStatus(err, http.StatusNotFound, http.StatusForbidden) {
		return nil, c.secrets.scrubError(fmt.Errorf("connection %q: reading %s: GET %s answered %w; the gateway "+
			"serves this collection (Kong %s%s), so a snapshot without it would not be the gateway",
			c.conn.Name, info.Kind, info.Path, kongError(err), c.version, pluginNote(info)))
	}
	return nil, c.readError(string(info.Kind), err)
}

func pluginNote(info *snapshot.KindInfo) string {
	if info.Plugin == "" {
		return ""
	}
	return ", " + info.Plugin + " plugin available"
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

// page is one page of a list response. Data points to a slice of the kind's go-kong type, so that each entity is
// decoded once, straight into it.
type page struct {
	Data   any     `json:"data"`
	Offset *string `json:"offset"`
}

func newPage(info *snapshot.KindInfo) page {
	return page{Data: reflect.New(reflect.SliceOf(reflect.TypeOf(info.New()))).Interface()}
}

// entities returns the page's entities, normalised.
func (p page) entities() []any {
	v := reflect.ValueOf(p.Data).Elem()
	out := make([]any, 0, v.Len())
	for i := range v.Len() {
		if e := v.Index(i); !e.IsNil() {
			normalize(e.Interface())
			out = append(out, e.Interface())
		}
	}
	return out
}

// lister lists one collection: it numbers the pages it asks for and tells Progress about each one read. It is
// safe for concurrent use, so that the id ranges of one collection (see ranges.go) share the numbering.
type lister struct {
	c    *Client
	info *snapshot.KindInfo
	path string
	q    listQuery

	mu       sync.Mutex
	asked    int // pages asked for, the number a failed page is named by
	read     int // pages read
	entities int // entities kept
}

func newLister(c *Client, info *snapshot.KindInfo, path string, q listQuery) *lister {
	q.Size = pageSize
	return &lister{c: c, info: info, path: path, q: q}
}

// page asks for the page after offset ("" for the first) of size entities, or pageSize when size is 0, and returns
// its entities, normalised, and the offset of the next page ("" on the last).
func (l *lister) page(ctx context.Context, offset string, size int) ([]any, string, error) {
	l.mu.Lock()
	l.asked++
	n := l.asked
	l.mu.Unlock()
	q := l.q
	q.Offset = offset
	if size > 0 {
		q.Size = size
	}
	req, err := l.c.kong.NewRequest(http.MethodGet, l.path, q, nil)
	if err != nil {
		return nil, "", err
	}
	p, err := l.fetch(ctx, req)
	if err != nil {
		if n > 1 {
			// Past the first page a 404 is no sign of a collection the gateway lacks: hide the status so
			// that readCollection cannot take it for one and return a partial list.
			err = kongError(err)
		}
		return nil, "", fmt.Errorf("page %d: %w", n, err)
	}
	next := ""
	if p.Offset != nil {
		next = *p.Offset
	}
	if next != "" && next == offset {
		return nil, "", fmt.Errorf("page %d: the gateway sent the same offset again", n)
	}
	return p.entities(), next, nil
}

// fetch sends a page's request and decodes the page, failing as go-kong's Do does when it decodes the body itself.
func (l *lister) fetch(ctx context.Context, req *http.Request) (page, error) {
	var body pageSink
	defer body.release()
	if _, err := l.c.kong.Do(ctx, req, &body); err != nil {
		return page{}, err
	}
	p := newPage(l.info)
	if err := decodePageBody(body.b, &p); err != nil {
		return page{}, fmt.Errorf("failed decoding response body: %w", err)
	}
	return p, nil
}

// pageSink is where go-kong's Do copies a page's body: it takes the buffer the client read the body into
// (bufferedBody) instead of a copy, and gives it back once the page is decoded (decodePageBody copies what it
// keeps). A gateway of 100,000 entities is about 50 MB of JSON; copying each page into a second buffer was that
// much more memory moved, and grown.
type pageSink struct {
	b    []byte
	back func() // gives b's buffer back, when it was taken
}

func (p *pageSink) takeBody(b []byte, back func()) {
	p.release()
	p.b, p.back = b, back
}

// Write appends what a body that cannot be taken writes.
func (p *pageSink) Write(b []byte) (int, error) {
	p.b = append(p.b, b...)
	return len(b), nil
}

func (p *pageSink) release() {
	if p.back != nil {
		p.back()
	}
	p.b, p.back = nil, nil
}

// kept counts the entities kept of a page (of one read now, or of one read before for another range), and tells
// Progress.
func (l *lister) kept(read bool, entities int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if read {
		l.read++
	}
	l.entities += entities
	if l.c.conn.Progress != nil {
		l.c.conn.Progress(l.info.Kind, l.read, l.entities)
	}
}

// pages reads the pages from offset on, at most limit of them (0: to the last one), and returns the offset of the
// next page, "" after the last.
func (l *lister) pages(ctx context.Context, offset string, limit int) ([]any, string, error) {
	var all []any
	for n := 0; limit == 0 || n < limit; n++ {
		items, next, err := l.page(ctx, offset, 0)
		if err != nil {
			return nil, "", err
		}
		all = append(all, items...)
		l.kept(true, len(items))
		if next == "" {
			return all, "", nil
		}
		offset = next
	}
	return all, offset, nil
}

// listAll follows a collection's offsets to its last page, normalising each entity.
func listAll(ctx context.Context, c *Client, info *snapshot.KindInfo, path string, q listQuery) ([]any, error) {
	all, _, err := newLister(c, info, path, q).pages(ctx, "", 0)
	return all, err
}

// tagsQuery selects the connection's select tags, all of them (Kong's "a,b" means AND).
func (c *Client) tagsQuery() listQuery {
	return listQuery{Tags: strings.Join(c.conn.SelectTags, ",")}
}

// readError names the connection and what was being read.
func (c *Client) readError(what string, err error) error {
	return c.secrets.scrubError(fmt.Errorf("connection %q: reading %s: %w", c.conn.Name, what, kongError(err)))
}

func describeParent(e any) string {
	if name := snapshot.Name(e); name != "" {
		return fmt.Sprintf("%q", name)
	}
	if id := snapshot.ID(e); id != "" {
		return id
	}
	return "(no name or id)"
}

// Holds reports whether the gateway holds the entity of kind with id, whatever the connection's select tags: a
// partial snapshot's references to entities outside it must point at entities the gateway has. It sends one GET.
func (c *Client) Holds(ctx context.Context, kind snapshot.Kind, id string) (bool, error) {
	info := kind.Info()
	if info == nil || info.Path == "" {
		return false, fmt.Errorf("cannot look up a %s by id alone", kind.Singular())
	}
	found, err := c.byEndpoint(ctx, info, id)
	if err != nil {
		return false, c.secrets.scrubError(fmt.Errorf("connection %q: looking up %s %s: %w", c.conn.Name,
			kind.Singular(), id, kongError(err)))
	}
	return found != nil, nil
}

package gateway

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Reading a large collection as several id ranges at once.
//
// Kong on PostgreSQL lists every top-level collection by primary key, `WHERE (id) > (<offset id>) ORDER BY id
// LIMIT size+1`, the same with a tag filter (tags @> or &&) and with key-auth's ttl, and its offset token is the
// standard base64, unpadded, of the JSON array of the last row's primary key: ngx.encode_base64(cjson.encode({id}),
// true) in page() of kong/db/strategies/postgres/init.lua (Kong 3.9.3), which decodes any token the same way. So a
// list can start at any id, given a token made for it, and a collection can be read as consecutive id ranges,
// each by its own requests. PostgreSQL orders uuid columns by their bytes, which is the order of their lowercase
// hex strings, the order compared here.
//
// Only a token this understands is split: a JSON array of one UUID, the last id of its page, on pages in
// increasing id order. DB-less Kong's tokens (a key of its LMDB store, kong/db/strategies/off/init.lua), the
// numeric ones of /upstreams/{id}/targets and anything else are followed page after page, as are the nested lists
// Read makes (only top-level collections are split).
//
// How far the ids of a collection reach is not known in advance, and they need not be spread evenly (generated
// ids often share a prefix), so ranges are not fixed slices of the id space. The first leadPages pages are read in
// order, as every collection is (one that small gains little, and costs no request more); if more follow, their
// ids give the density of the collection, and ranges of about rangePages pages each are handed out in id order
// from the last id read, to up to Connection.Ranges readers at once: the collection's own goroutine and helpers,
// which all collections of a Read share Concurrency of, so that they add to the requests Read had in flight before
// rather than taking the slots the per-upstream target lists need. A range is the ids after its lower bound up
// to and including its upper bound, so an entity whose id is a bound is read once. A reader stops at its range's
// upper bound, asking its last page to reach only a little past it. When the rows past it start after every range
// handed out, the ids between are empty: the ranges there are skipped, and the reader takes the range that starts
// at those rows, keeping them; otherwise they belong to a range another reader has, and are dropped. The reader
// that reaches the collection's last page ends the handing out.
const (
	leadPages   = 3
	rangePages  = 2
	rangeMargin = 20 // entities asked for past the estimated end of a range
)

// errNotByID is a page that is not in increasing id order after its offset: the gateway does not page by id.
var errNotByID = errors.New("the gateway's pages are not ordered by id")

// collection lists every page of a top-level collection, the pages after the first leadPages in id ranges at once
// when the gateway's offsets allow, else in order.
func (l *lister) collection(ctx context.Context, helpers semaphore) ([]any, error) {
	all, offset, err := l.pages(ctx, "", leadPages)
	if err != nil || offset == "" {
		return all, err
	}
	if l.c.conn.Ranges > 1 {
		if plan, why := planRanges(all, offset); why != "" {
			l.c.log.Debug("listing a collection page after page", "kind", string(l.info.Kind), "because", why)
		} else {
			rest, err := l.ranges(ctx, helpers, plan)
			if err == nil {
				return append(all, rest...), nil
			}
			if !errors.Is(err, errNotByID) {
				return nil, err
			}
			l.c.log.Info("listing a collection page after page", "kind", string(l.info.Kind), "because", err.Error())
		}
	}
	rest, _, err := l.pages(ctx, offset, 0)
	if err != nil {
		return nil, err
	}
	return append(all, rest...), nil
}

// rangePlan is where the ranges start and how wide they are.
type rangePlan struct {
	after  *big.Int // the last id read in order
	width  *big.Int // the ids a range spans
	padded bool     // the gateway pads its tokens with '='
}

// planRanges decides from the entities read so far and the offset of the next page whether the rest can be read
// in id ranges, and how: it returns the plan, or why not.
func planRanges(read []any, offset string) (rangePlan, string) {
	if len(read) < 2 {
		return rangePlan{}, "too few entities to measure"
	}
	prev := ""
	for _, e := range read {
		id := strings.ToLower(snapshot.ID(e))
		if id <= prev {
			return rangePlan{}, errNotByID.Error()
		}
		prev = id
	}
	after, ok := offsetID(offset)
	if !ok || after != prev {
		return rangePlan{}, "its offset is not the last id of its page"
	}
	first, last := idNumber(strings.ToLower(snapshot.ID(read[0]))), idNumber(prev)
	// ids per entity, measured over the pages read, times the entities of rangePages pages
	width := new(big.Int).Sub(last, first)
	width.Mul(width, big.NewInt(rangePages*pageSize))
	width.Quo(width, big.NewInt(int64(len(read)-1)))
	if width.Sign() <= 0 {
		width.SetInt64(1)
	}
	return rangePlan{after: last, width: width, padded: strings.HasSuffix(offset, "=")}, ""
}

// offsetID returns the id in an offset token that is a JSON array of one UUID in standard base64, padded or not.
func offsetID(token string) (string, bool) {
	data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(token, "="))
	if err != nil {
		return "", false
	}
	var key []string
	if err := json.Unmarshal(data, &key); err != nil || len(key) != 1 || !isUUID(key[0]) {
		return "", false
	}
	return strings.ToLower(key[0]), true
}

// isUUID reports whether s is a UUID in its canonical form, 8-4-4-4-12 hex digits.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case '0' <= r && r <= '9', 'a' <= r && r <= 'f', 'A' <= r && r <= 'F':
		default:
			return false
		}
	}
	return true
}

// maxID is the largest UUID, ffffffff-ffff-ffff-ffff-ffffffffffff.
var maxID = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

func idNumber(id string) *big.Int {
	n, _ := new(big.Int).SetString(strings.ReplaceAll(id, "-", ""), 16)
	return n
}

func idString(n *big.Int) string {
	var b [16]byte
	n.FillBytes(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// token is Kong's offset token for the page after id.
func (p rangePlan) token(id string) string {
	data, _ := json.Marshal([]string{id})
	if p.padded {
		return base64.StdEncoding.EncodeToString(data)
	}
	return base64.RawStdEncoding.EncodeToString(data)
}

// size is how many entities to ask for after id, so that a page reaches a little past hi rather than up to a
// whole page past it: the entities between are estimated from the density the plan measured, and a quarter more
// is asked for (a page that falls short is followed by another).
func (p rangePlan) size(after, hi string) int {
	left := new(big.Int).Sub(idNumber(hi), idNumber(after))
	left.Mul(left, big.NewInt(rangePages*pageSize))
	left.Quo(left, p.width)
	if !left.IsInt64() || left.Int64() >= pageSize {
		return pageSize
	}
	return min(pageSize, int(left.Int64())*5/4+rangeMargin)
}

// idRange is the ids after lo up to and including hi.
type idRange struct{ lo, hi string }

// rangeQueue hands out consecutive ranges in id order and keeps what was read of each.
type rangeQueue struct {
	mu      sync.Mutex
	plan    rangePlan
	next    *big.Int // ids up to here are handed out
	done    bool     // a range reached the last page, or the largest id: nothing left to hand out
	read    [][]any  // the entities of each range handed out, in id order
	helpers int      // readers running besides the collection's own goroutine
	err     error    // the first failure
}

// claim hands out the next range and its index in read, or false when there is none.
func (q *rangeQueue) claim() (int, idRange, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.done || q.err != nil {
		return 0, idRange{}, false
	}
	i, r := q.handOut()
	return i, r, true
}

// handOut hands out the range after q.next. q.mu is held.
func (q *rangeQueue) handOut() (int, idRange) {
	lo := idString(q.next)
	q.next.Add(q.next, q.plan.width)
	if q.next.Cmp(maxID) >= 0 {
		q.next.Set(maxID)
		q.done = true
	}
	q.read = append(q.read, nil)
	return len(q.read) - 1, idRange{lo: lo, hi: idString(q.next)}
}

// finish keeps what was read of range i. over are the entities its last page held past the range, next the
// offset after that page ("" when it was the collection's last). When over starts after every range handed out,
// the ids between are empty (a range's reader saw none), and the range that starts just before over is handed
// to the same reader, which keeps over rather than another reader asking for it again; else over is dropped.
func (q *rangeQueue) finish(i int, items, over []any, next string) (int, idRange, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.read[i] = items
	if next == "" {
		q.done = true // nothing after over
	}
	if len(over) == 0 || q.err != nil {
		return 0, idRange{}, false
	}
	before := new(big.Int).Sub(idNumber(strings.ToLower(snapshot.ID(over[0]))), big.NewInt(1))
	if before.Cmp(q.next) < 0 {
		return 0, idRange{}, false // in a range handed out already
	}
	q.next = before
	j, r := q.handOut()
	return j, r, true
}

func (q *rangeQueue) fail(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err == nil {
		q.err = err
	}
}

// semaphore bounds the goroutines that read ranges besides each collection's own, across a Read.
type semaphore chan struct{}

func (s semaphore) tryAcquire() bool {
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s semaphore) release() { <-s }

// ranges reads the rest of a collection as plan says, in ranges handed out to up to Connection.Ranges readers:
// this goroutine, and helpers while the Read's semaphore has room for them.
func (l *lister) ranges(ctx context.Context, sem semaphore, plan rangePlan) ([]any, error) {
	q := &rangeQueue{plan: plan, next: new(big.Int).Set(plan.after)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var helpers sync.WaitGroup
	// step reads the next range, and what finish hands over after it, and reports whether there was one.
	step := func() bool {
		i, r, ok := q.claim()
		if !ok {
			return false
		}
		var over []any
		next := ""
		for {
			items, rest, restNext, err := l.readRange(ctx, plan, r, over, next)
			if err != nil {
				q.fail(err)
				cancel()
				return false
			}
			if i, r, ok = q.finish(i, items, rest, restNext); !ok {
				return true
			}
			over, next = rest, restNext
		}
	}
	recruit := func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		for q.helpers < l.c.conn.Ranges-1 && !q.done && q.err == nil && sem.tryAcquire() {
			q.helpers++
			helpers.Add(1)
			go func() {
				defer helpers.Done()
				defer sem.release()
				for step() {
				}
			}()
		}
	}
	for {
		recruit()
		if !step() {
			break
		}
	}
	helpers.Wait()
	if q.err != nil {
		return nil, q.err
	}
	var all []any
	for _, items := range q.read {
		all = append(all, items...)
	}
	return all, nil
}

// readRange reads the entities of range r, starting with those in carried (from a page read for the range before,
// with carriedNext the offset after it) when there are any. It returns them, the entities its last page held past
// the range, and the offset after that page: "" when it was the collection's last.
func (l *lister) readRange(ctx context.Context, plan rangePlan, r idRange, carried []any, carriedNext string) (
	[]any, []any, string, error,
) {
	var kept []any
	prev, items, next := r.lo, carried, carriedNext
	offset := plan.token(r.lo)
	for fetch := len(carried) == 0; ; fetch = true {
		if fetch {
			var err error
			if items, next, err = l.page(ctx, offset, plan.size(prev, r.hi)); err != nil {
				return nil, nil, "", fmt.Errorf("ids after %s: %w", r.lo, err)
			}
		}
		n := 0
		for _, e := range items {
			id := strings.ToLower(snapshot.ID(e))
			if id <= prev {
				return nil, nil, "", errNotByID
			}
			if id > r.hi {
				break
			}
			prev = id
			n++
		}
		kept = append(kept, items[:n]...)
		l.kept(fetch, n)
		if n < len(items) || next == "" || prev == r.hi {
			return kept, items[n:], next, nil
		}
		offset = next
	}
}

package gateway_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

// randomIDs returns n version 4 UUIDs from a fixed seed, spread over the whole id space as Kong's are.
func randomIDs(seed uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, seed))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff,
			r.Uint32()&0xfff, r.Uint64()&0xffffffffffff)
	}
	return ids
}

// clusteredIDs returns n ids sharing the prefix, as generated gateways have: consecutive numbers when gap is 1,
// else numbers apart by 1 to gap at random.
func clusteredIDs(prefix, n, gap int) []string {
	r := rand.New(rand.NewPCG(uint64(prefix), uint64(n)))
	ids := make([]string, n)
	for i, number := 0, 0; i < n; i, number = i+1, number+1+r.IntN(gap) {
		ids[i] = uuid(prefix, number)
	}
	return ids
}

// seedConsumers creates a consumer with each id, carrying tag "even" when its number is even.
func seedConsumers(t *testing.T, s *sim, ids []string) {
	t.Helper()
	for i, id := range ids {
		body := map[string]any{"username": fmt.Sprintf("user-%05d", i)}
		if i%2 == 0 {
			body["tags"] = []string{"even"}
		}
		seed(t, s, http.MethodPut, "/consumers/"+id, body)
	}
}

// offsetIDs returns the ids in the offsets of the requests for path, decoded as Kong's tokens.
func offsetIDs(t *testing.T, s *sim, path string) []string {
	t.Helper()
	var out []string
	for _, r := range s.Requests() {
		if r.Path != path {
			continue
		}
		q, _ := url.ParseQuery(r.Query)
		if q.Get("offset") == "" {
			continue
		}
		data, err := base64.RawStdEncoding.DecodeString(q.Get("offset"))
		var key []string
		if err != nil || json.Unmarshal(data, &key) != nil || len(key) != 1 {
			t.Fatalf("GET %s?%s: the offset is not Kong's token of one id", r.Path, r.Query)
		}
		out = append(out, key[0])
	}
	return out
}

// A large collection read in id ranges at once returns what reading it page after page returns: the same
// entities, once each, in the same order, wherever the ids lie.
func TestReadRangesMatchSequential(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
		tags []string
		// same is set where the ranges start where pages do: they make the requests a sequential read makes
		same bool
	}{
		{name: "random ids", ids: randomIDs(1, 7300)},
		{name: "an exact multiple of the page size", ids: randomIDs(2, 6000)},
		{name: "clustered in one range", ids: clusteredIDs(2, 9100, 3)},
		// every range bound is an id, kept by the range it ends
		{name: "consecutive ids", ids: clusteredIDs(2, 9000, 1), same: true},
		{name: "clustered with outliers", ids: append(clusteredIDs(2, 6500, 1), uuid(0x7fffffff, 1),
			"ffffffff-ffff-ffff-ffff-fffffffffffe", "ffffffff-ffff-ffff-ffff-ffffffffffff")},
		{name: "two clusters, empty ranges between", ids: append(clusteredIDs(3, 4100, 1), clusteredIDs(0x90000000, 3900, 1)...)},
		{name: "tag filter", ids: randomIDs(3, 12000), tags: []string{"even"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			seedConsumers(t, s, tt.ids)
			read := func(ranges int) *snapshot.Snapshot {
				t.Helper()
				conn := testConnection(s.url)
				conn.Ranges = ranges
				conn.SelectTags = tt.tags
				got, err := open(t, conn).Read(context.Background())
				if err != nil {
					t.Fatalf("Read with %d ranges: %v", ranges, err)
				}
				return got
			}
			sequential := read(1)
			s.ResetRequests()
			parallel := read(0)

			want := len(tt.ids)
			if tt.tags != nil {
				want = (len(tt.ids) + 1) / 2
			}
			seen := map[string]int{}
			for _, e := range parallel.Entities(snapshot.KindConsumer) {
				seen[snapshot.ID(e)]++
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("consumer %s read %d times", id, n)
				}
			}
			if len(seen) != want || len(sequential.Consumers) != want {
				t.Errorf("read %d distinct consumers in ranges, %d page after page; want %d", len(seen),
					len(sequential.Consumers), want)
			}
			if got, want := dump(parallel.Entities(snapshot.KindConsumer)), dump(sequential.Entities(snapshot.KindConsumer)); got != want {
				t.Errorf("consumers read in ranges differ from those read page after page")
			}

			stored := map[string]bool{}
			for _, id := range tt.ids {
				stored[id] = true
			}
			synthetic := 0
			for _, id := range offsetIDs(t, s, "/consumers") {
				if !stored[id] {
					synthetic++
				}
			}
			if synthetic == 0 && !tt.same {
				t.Errorf("no request started at an id of its own: the collection was not read in ranges")
			}
		})
	}
}

// opaqueTokens serves kongsim's lists of consumers with offsets replaced by tokens of another format, as DB-less
// Kong and other servers have, and refuses any offset it did not hand out.
type opaqueTokens struct {
	sim   *kongsim.Server
	token func(n int, kong string) string

	mu      sync.Mutex
	issued  map[string]string // token handed out → kongsim's
	unknown []string          // offsets received that were never handed out
}

func (o *opaqueTokens) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/consumers" {
		o.sim.ServeHTTP(w, r)
		return
	}
	q := r.URL.Query()
	if tok := q.Get("offset"); tok != "" {
		o.mu.Lock()
		real, ok := o.issued[tok]
		if !ok {
			o.unknown = append(o.unknown, tok)
		}
		o.mu.Unlock()
		if !ok {
			http.Error(w, `{"message":"bad offset"}`, http.StatusBadRequest)
			return
		}
		q.Set("offset", real)
		r.URL.RawQuery = q.Encode()
	}
	rec := httptest.NewRecorder()
	o.sim.ServeHTTP(rec, r)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err == nil {
		if real, ok := body["offset"].(string); ok {
			o.mu.Lock()
			tok := o.token(len(o.issued), real)
			o.issued[tok] = real
			o.mu.Unlock()
			body["offset"] = tok
			body["next"] = "/consumers?offset=" + url.QueryEscape(tok)
		}
	}
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(data)
}

// A token not known to be an id is followed page after page: every entity is read once, each page asked for once.
func TestReadRangesFallBackToPages(t *testing.T) {
	b64 := func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name  string
		token func(n int, kong string) string
	}{
		{name: "opaque", token: func(n int, _ string) string { return "page-" + strconv.Itoa(n) }},
		{name: "DB-less", token: func(n int, _ string) string { return "consumers|" + b64(fmt.Sprintf("key-%d\x00", n)) }},
		{name: "a number", token: func(n int, _ string) string { return b64(strconv.Itoa(1000 * (n + 1))) }},
		{name: "two keys", token: func(n int, kong string) string {
			data, _ := base64.RawStdEncoding.DecodeString(kong)
			return b64(`[` + strings.Trim(string(data), "[]") + `, ` + strconv.Itoa(n) + `]`)
		}},
		{name: "not the last id of the page", token: func(n int, _ string) string {
			return b64(`["` + uuid(0x7fffffff, n) + `"]`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			ids := randomIDs(4, 6500)
			seedConsumers(t, s, ids)
			o := &opaqueTokens{sim: s.Server, token: tt.token, issued: map[string]string{}}
			srv := httptest.NewServer(o)
			t.Cleanup(srv.Close)
			s.ResetRequests()

			got, err := open(t, testConnection(srv.URL)).Read(context.Background())
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			consumersReadOnce(t, got, ids)
			if len(o.unknown) > 0 {
				t.Errorf("the client made up offsets %q", o.unknown)
			}
			pages := 0
			for _, r := range s.Requests() {
				if r.Path == "/consumers" {
					pages++
				}
			}
			if pages != 7 {
				t.Errorf("asked for %d pages of consumers, want the 7 there are", pages)
			}
		})
	}
}

// Every range's requests are retried like any other, and a range that fails for good fails the read, naming the
// connection, the collection, the page and the ids.
func TestReadRangesFaults(t *testing.T) {
	tests := []struct {
		name    string
		retries int
		fault   kongsim.Fault
		want    []string // parts of the error (ranges run at once, so which page fails varies); none for success
	}{
		{name: "retried 503", fault: kongsim.Fault{PathPrefix: "/consumers", Nth: 5, Status: http.StatusServiceUnavailable}},
		{name: "retried dropped connection", fault: kongsim.Fault{PathPrefix: "/consumers", Nth: 6, DropConnection: true}},
		{
			name:    "500 in a range",
			retries: -1,
			fault:   kongsim.Fault{PathPrefix: "/consumers", Nth: 5, Status: http.StatusInternalServerError},
			want:    []string{`connection "test"`, "reading consumers: ids after ", ": page ", "HTTP 500"},
		},
		{
			name:    "404 in a range",
			retries: -1,
			fault:   kongsim.Fault{PathPrefix: "/consumers", Nth: 6, Status: http.StatusNotFound},
			want:    []string{`connection "test"`, "reading consumers: ids after ", ": page ", "HTTP 404"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t)
			ids := clusteredIDs(2, 9000, 1)
			seedConsumers(t, s, ids)
			conn := testConnection(s.url)
			conn.Retries = tt.retries
			s.AddFault(tt.fault)
			got, err := open(t, conn).Read(context.Background())
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if len(got.Consumers) != len(ids) {
					t.Errorf("read %d consumers, want %d", len(got.Consumers), len(ids))
				}
				return
			}
			if err == nil || got != nil {
				t.Fatalf("Read = %v, %v; want no snapshot and an error", got, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// Progress hears of every page read, in ranges too, and ends at every entity.
func TestReadRangesProgress(t *testing.T) {
	s := newSim(t)
	ids := randomIDs(5, 8000)
	seedConsumers(t, s, ids)
	var mu sync.Mutex
	last := map[snapshot.Kind][2]int{}
	conn := testConnection(s.url)
	conn.Progress = func(kind snapshot.Kind, pages, entities int) {
		mu.Lock()
		defer mu.Unlock()
		if prev := last[kind]; pages < prev[0] || entities < prev[1] || pages == prev[0] && entities == prev[1] {
			t.Errorf("progress of %s went from %v to %d pages, %d entities", kind, prev, pages, entities)
		}
		last[kind] = [2]int{pages, entities}
	}
	if _, err := open(t, conn).Read(context.Background()); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if got := last[snapshot.KindConsumer][1]; got != len(ids) {
		t.Errorf("progress ended at %d consumers, want %d", got, len(ids))
	}
}

// ignoresOffsets serves kongsim's lists of consumers but answers an offset it did not hand out with the first page,
// as a server that does not page by id might.
type ignoresOffsets struct {
	sim *kongsim.Server

	mu      sync.Mutex
	issued  map[string]bool
	ignored int
}

func (o *ignoresOffsets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/consumers" {
		q := r.URL.Query()
		o.mu.Lock()
		if tok := q.Get("offset"); tok != "" && !o.issued[tok] {
			o.ignored++
			q.Del("offset")
			r.URL.RawQuery = q.Encode()
		}
		o.mu.Unlock()
	}
	rec := httptest.NewRecorder()
	o.sim.ServeHTTP(rec, r)
	var body struct {
		Offset string `json:"offset"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &body) == nil && body.Offset != "" {
		o.mu.Lock()
		o.issued[body.Offset] = true
		o.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// A range whose pages are not in id order after its start is given up, and the collection read page after page.
func TestReadRangesFallBackWhenPagesAreNotByID(t *testing.T) {
	s := newSim(t)
	ids := randomIDs(6, 9000)
	seedConsumers(t, s, ids)
	o := &ignoresOffsets{sim: s.Server, issued: map[string]bool{}}
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	got, err := open(t, testConnection(srv.URL)).Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if o.ignored == 0 {
		t.Fatalf("no range was tried")
	}
	consumersReadOnce(t, got, ids)
	if n := len(got.Entities(snapshot.KindConsumer)); n != len(ids) {
		t.Errorf("read %d consumers, want %d", n, len(ids))
	}
}

// inFlight counts the requests a handler is serving at once.
type inFlight struct {
	h        http.Handler
	mu       sync.Mutex
	now, max int
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.now++
	f.max = max(f.max, f.now)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	}()
	f.h.ServeHTTP(w, r)
}

// Ranges add at most Concurrency requests to the Concurrency a Read has in flight, however many collections are
// large: the gateway is production.
func TestReadRangesBoundRequestsInFlight(t *testing.T) {
	s := newSim(t)
	seedConsumers(t, s, randomIDs(7, 9000))
	for i, id := range randomIDs(8, 9000) {
		seed(t, s, http.MethodPut, "/services/"+id, map[string]any{"name": fmt.Sprintf("svc-%05d", i), "host": "a.test"})
	}
	// a delay on every list makes the requests of different ranges overlap
	s.AddFault(kongsim.Fault{Method: http.MethodGet, PathRegexp: regexp.MustCompile(`^/(consumers|services)$`),
		Latency: 5 * time.Millisecond})
	f := &inFlight{h: s.Server}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	conn := testConnection(srv.URL)
	conn.Concurrency = 2
	conn.Ranges = 8
	got, err := open(t, conn).Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got.Consumers) != 9000 || len(got.Services) != 9000 {
		t.Errorf("read %d consumers and %d services, want 9000 each", len(got.Consumers), len(got.Services))
	}
	if f.max > 2*conn.Concurrency {
		t.Errorf("%d requests in flight at once, want at most %d", f.max, 2*conn.Concurrency)
	}
	if f.max <= conn.Concurrency {
		t.Errorf("%d requests in flight at once: the ranges did not add to Concurrency", f.max)
	}
}

// consumersReadOnce checks that a read holds each of the consumers ids once.
func consumersReadOnce(t *testing.T, got *snapshot.Snapshot, ids []string) {
	t.Helper()
	seen := map[string]int{}
	for _, e := range got.Entities(snapshot.KindConsumer) {
		seen[snapshot.ID(e)]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("consumer %s read %d times, want once", id, seen[id])
		}
	}
}

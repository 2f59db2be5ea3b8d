package kongsim

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Version is the Kong version reported by GET / and the Server header; default "3.9.1".
	Version string
	// Clock returns the current time for created_at/updated_at and key-auth ttl; default time.Now.
	Clock func() time.Time
	// IDs returns a new lowercase UUID for every generated id (and generated secrets); default random UUIDv4.
	IDs func() string
}

// Server is an in-memory Kong Admin API. It is safe for concurrent use.
type Server struct {
	version  string
	clock    func() time.Time
	ids      func() string
	nodeID   string
	hostname string

	serverHeader []string // the Server header: kong/{version}

	mu     sync.RWMutex
	tables map[string]*table // by kind name
	byPath map[string]*kind  // by admin_api_name

	total    atomic.Int64
	active   atomic.Int64
	journal  requestLog
	injector faults

	inUse pluginsInUse
}

// New returns a Server holding no entities.
func New(opts Options) *Server {
	if opts.Version == "" {
		opts.Version = "3.9.1"
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.IDs == nil {
		opts.IDs = randomUUID
	}
	hostname, err := os.Hostname()
	if err != nil {
		hostname = "kongsim"
	}
	s := &Server{
		version:      opts.Version,
		clock:        opts.Clock,
		ids:          opts.IDs,
		hostname:     hostname,
		serverHeader: []string{"kong/" + opts.Version},
		tables:       map[string]*table{},
		byPath:       map[string]*kind{},
	}
	s.nodeID = s.ids()
	for _, k := range kindList {
		s.tables[k.name] = newTable(k)
		s.byPath[k.path] = k
	}
	return s
}

func randomUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("kongsim: reading random bytes: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// bodyBuffers hold request and response bodies between requests; a list page's (up to 1,000 entities) is kept
// too, a larger one is left to the collector.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBody = 4 << 20

// recycle returns buf to bodyBuffers, holding data (buf's bytes, perhaps grown), once nothing refers to them.
func recycle(buf *[]byte, data []byte) {
	if cap(data) <= maxPooledBody {
		*buf = data[:0]
		bodyBuffers.Put(buf)
	}
}

// Header values every response carries, shared rather than built per response: net/http and every writer
// here only read or replace a header's values, never change them in place.
var (
	anyOrigin       = []string{"*"}
	jsonContentType = []string{"application/json; charset=utf-8"}
)

// statusWriter remembers the status a handler sent, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// ServeHTTP answers one Admin API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.total.Add(1)
	s.active.Add(1)
	defer s.active.Add(-1)
	w.Header()["Server"] = s.serverHeader
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if handled, drop := s.injector.apply(sw, r); handled {
		s.journal.add(r, sw.status)
		if drop {
			dropConnection(w)
		}
		return
	}
	if r.Method == http.MethodOptions {
		s.options(sw, r)
		s.journal.add(r, sw.status)
		return
	}
	routed := r
	if r.Method == http.MethodHead {
		// Lapis serves HEAD with the GET handler; net/http drops the body. The request log keeps HEAD.
		routed = r.Clone(r.Context())
		routed.Method = http.MethodGet
	}
	status, body := s.route(routed)
	if e, ok := body.(*apiError); ok {
		status, body = e.status, e.body
	}
	h := sw.Header()
	h["Access-Control-Allow-Origin"] = anyOrigin
	h.Set("X-Kong-Admin-Latency", strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	if status == http.StatusNoContent {
		sw.WriteHeader(status)
	} else {
		buf := bodyBuffers.Get().(*[]byte)
		data, err := encodeBody((*buf)[:0], body)
		if err != nil {
			status = http.StatusInternalServerError
			data = append(data[:0], `{"message":"An unexpected error occurred"}`+"\n"...)
		}
		h["Content-Type"] = jsonContentType
		h.Set("Content-Length", strconv.Itoa(len(data)))
		sw.WriteHeader(status)
		_, _ = sw.Write(data)
		recycle(buf, data)
	}
	s.journal.add(r, sw.status)
}

// options answers OPTIONS as kong/api/api_helpers.lua's options_method does: 204 and the route's methods.
func (s *Server) options(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	segs, ok := pathSegments(r)
	var methods []string
	if ok {
		methods = s.allowedMethods(segs)
	}
	if methods == nil {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not found"}` + "\n"))
		return
	}
	allow := strings.Join(methods, ", ")
	h.Set("Allow", allow)
	h.Set("Access-Control-Allow-Methods", allow)
	headers := r.Header.Get("Access-Control-Request-Headers")
	if headers == "" {
		headers = "Content-Type"
	}
	h.Set("Access-Control-Allow-Headers", headers)
	w.WriteHeader(http.StatusNoContent)
}

// request is one parsed Admin API call.
type request struct {
	*http.Request
	segs []string // unescaped path segments
}

// body decodes the object of a write request for kind k: JSON, or a form (urlencoded or multipart) whose
// strings are converted to the field types of k's schema; an empty body is an empty object.
func (q *request) body(k *kind) (map[string]any, *apiError) {
	buf := bodyBuffers.Get().(*[]byte)
	data, err := readAll(q.Body, *buf, q.ContentLength)
	var obj map[string]any
	var apiErr *apiError
	if err != nil {
		apiErr = errBadJSON
	} else {
		obj, apiErr = decodeBody(k, q.Header.Get("Content-Type"), data)
	}
	recycle(buf, data) // decoding copies what it keeps
	return obj, apiErr
}

func decodeBody(k *kind, contentType string, data []byte) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	if form, ok, err := formBody(contentType, data); ok {
		if err != nil {
			return nil, plainError(http.StatusBadRequest, "Cannot parse form body")
		}
		return inferForm(k, form), nil
	}
	// The fill adds at most the schema's fields: room for them now spares the map growing.
	if obj, ok := decodeObject(data, len(k.entitySchema().Fields)); ok {
		return obj, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, errBadJSON
	}
	return obj, nil
}

// readAll reads a request body into buf, grown first to the size the request declares (up to a megabyte).
func readAll(r io.Reader, buf []byte, size int64) ([]byte, error) {
	size = min(max(size, 0), 1<<20)
	b := bytes.NewBuffer(buf[:0])
	b.Grow(int(size) + bytes.MinRead)
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

func splitPath(r *http.Request) []string {
	p := strings.Trim(r.URL.Path, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

package kongsim

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one request the Server answered, as recorded in its request log.
type Request struct {
	Method string
	Path   string
	Query  string
	Status int // 0 when the connection was dropped before a status was sent
}

type requestLog struct {
	mu   sync.Mutex
	list []Request
}

func (l *requestLog) add(r *http.Request, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status})
}

// Requests returns every request answered since New or the last ResetRequests, oldest first.
func (s *Server) Requests() []Request {
	s.journal.mu.Lock()
	defer s.journal.mu.Unlock()
	return append([]Request(nil), s.journal.list...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.journal.mu.Lock()
	defer s.journal.mu.Unlock()
	s.journal.list = nil
}

// Fault makes matching requests slow or fail. A request matches when its method equals Method (any when
// empty), its path starts with PathPrefix, and PathRegexp (when set) matches its path. Which matches fail:
// only the Nth (1-based) when Nth > 0, else the first Count when Count > 0, else all of them.
// A matched request waits Latency, then the connection is dropped mid-response (DropConnection), or the
// request is answered with Status (and a Retry-After header when RetryAfter > 0), or, with neither set, it is
// served normally after the delay.
type Fault struct {
	Method         string
	PathPrefix     string
	PathRegexp     *regexp.Regexp
	Nth            int
	Count          int
	Status         int
	RetryAfter     time.Duration
	Latency        time.Duration
	DropConnection bool
}

// FaultID names an added fault for RemoveFault.
type FaultID int

type activeFault struct {
	id    FaultID
	fault Fault
	seen  int
}

type faults struct {
	mu     sync.Mutex
	nextID FaultID
	list   []*activeFault
}

// AddFault starts injecting f and returns its id.
func (s *Server) AddFault(f Fault) FaultID {
	s.injector.mu.Lock()
	defer s.injector.mu.Unlock()
	s.injector.nextID++
	s.injector.list = append(s.injector.list, &activeFault{id: s.injector.nextID, fault: f})
	return s.injector.nextID
}

// RemoveFault stops injecting the fault with the given id; unknown ids are ignored.
func (s *Server) RemoveFault(id FaultID) {
	s.injector.mu.Lock()
	defer s.injector.mu.Unlock()
	for i, a := range s.injector.list {
		if a.id == id {
			s.injector.list = append(s.injector.list[:i], s.injector.list[i+1:]...)
			return
		}
	}
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.injector.mu.Lock()
	defer s.injector.mu.Unlock()
	s.injector.list = nil
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	if !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
		return false
	}
	return f.PathRegexp == nil || f.PathRegexp.MatchString(r.URL.Path)
}

// pick returns the first fault that fires for r, counting r against every fault it matches.
func (fs *faults) pick(r *http.Request) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var fired *Fault
	for _, a := range fs.list {
		if !a.fault.matches(r) {
			continue
		}
		a.seen++
		fire := true
		switch {
		case a.fault.Nth > 0:
			fire = a.seen == a.fault.Nth
		case a.fault.Count > 0:
			fire = a.seen <= a.fault.Count
		}
		if fire && fired == nil {
			f := a.fault
			fired = &f
		}
	}
	return fired
}

var faultMessages = map[int]string{
	http.StatusTooManyRequests:     "API rate limit exceeded",
	http.StatusInternalServerError: "An unexpected error occurred",
	http.StatusBadGateway:          "An invalid response was received from the upstream server",
	http.StatusServiceUnavailable:  "Service unavailable",
	http.StatusGatewayTimeout:      "The upstream server is timing out",
}

// apply injects the fault r triggers, if any, and reports whether the request has been handled. drop says the
// connection is to be dropped (dropConnection), which the caller does once it has logged the request: the client
// sees the cut at once and may send its next request before a handler that dropped first had logged this one.
func (fs *faults) apply(w *statusWriter, r *http.Request) (handled, drop bool) {
	f := fs.pick(r)
	if f == nil {
		return false, false
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case f.DropConnection:
		w.status = 0
		return true, true
	case f.Status != 0:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
		}
		msg, ok := faultMessages[f.Status]
		if !ok {
			msg = http.StatusText(f.Status)
		}
		body := fmt.Sprintf(`{"message":%q}`+"\n", msg)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(body))
		return true, false
	}
	return false, false
}

// dropConnection starts a 200 response that promises more bytes than it sends, then closes the connection,
// so the client sees the response cut off mid-body.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Content-Length: 4096\r\n\r\n{\"data\":[{\"id\":")
	_ = buf.Flush()
	_ = conn.Close()
}

// ParseFault reads a fault from its command-line form, comma-separated key=value pairs:
//
//	method=GET,prefix=/consumers,regexp=^/consumers/[^/]+$,nth=2,count=3,status=503,retry-after=2s,latency=150ms,drop
func ParseFault(spec string) (Fault, error) {
	var f Fault
	for _, part := range strings.Split(spec, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		var err error
		switch key {
		case "method":
			f.Method = strings.ToUpper(value)
		case "prefix", "path":
			f.PathPrefix = value
		case "regexp":
			f.PathRegexp, err = regexp.Compile(value)
		case "nth":
			f.Nth, err = strconv.Atoi(value)
		case "count":
			f.Count, err = strconv.Atoi(value)
		case "status":
			f.Status, err = strconv.Atoi(value)
		case "retry-after":
			f.RetryAfter, err = time.ParseDuration(value)
		case "latency":
			f.Latency, err = time.ParseDuration(value)
		case "drop":
			f.DropConnection = true
		default:
			return Fault{}, fmt.Errorf("parsing fault %q: unknown key %q", spec, key)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("parsing fault %q: %s: %w", spec, key, err)
		}
	}
	if f.Status == 0 && f.Latency == 0 && !f.DropConnection {
		return Fault{}, fmt.Errorf("parsing fault %q: %w", spec, errNoEffect)
	}
	return f, nil
}

var errNoEffect = errors.New("a fault needs status, latency or drop")

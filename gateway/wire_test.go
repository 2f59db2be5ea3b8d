package gateway_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

// TestAnswersInEveryFraming: the client reads Kong's answers whether their length comes as Content-Length, as
// chunks (with a trailer), or as the end of the connection (Connection: close), and goes on to the next request.
func TestAnswersInEveryFraming(t *testing.T) {
	framings := map[string]framing{
		"content length": func(w io.Writer, body []byte) bool {
			fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body)
			return true
		},
		"chunked": func(w io.Writer, body []byte) bool {
			fmt.Fprint(w, "Transfer-Encoding: chunked\r\n\r\n")
			for half := len(body) / 2; len(body) > 0; half = len(body) {
				fmt.Fprintf(w, "%x\r\n%s\r\n", half, body[:half])
				body = body[half:]
			}
			fmt.Fprint(w, "0\r\nX-Trailer: 1\r\n\r\n")
			return true
		},
		"connection close": func(w io.Writer, body []byte) bool {
			fmt.Fprintf(w, "Connection: close\r\n\r\n%s", body)
			return false
		},
	}
	entities := richGateway(t)
	want := readOf(t, newSim(t).url, entities)
	for name, frame := range framings {
		t.Run(name, func(t *testing.T) {
			url, connections := serveFramed(t, kongsim.New(kongsim.Options{}), frame)
			if got := readOf(t, url, entities); !reflect.DeepEqual(got, want) {
				t.Errorf("read through %s answers:\n%v\nwant\n%v", name, got, want)
			}
			if n, keep := connections.Load(), frame(io.Discard, nil); keep && n != 1 {
				t.Errorf("%d connections for requests one after another; want 1, kept alive", n)
			}
		})
	}
}

// framing writes an answer's last headers and its body, and says whether the connection stays open.
type framing func(w io.Writer, body []byte) (keep bool)

// serveFramed serves h over HTTP/1.1 written by hand, each answer framed by frame, and counts the connections.
func serveFramed(t *testing.T, h http.Handler, frame framing) (string, *atomic.Int64) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var connections atomic.Int64
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			connections.Add(1)
			go serveConn(conn, h, frame)
		}
	}()
	return "http://" + l.Addr().String(), &connections
}

func serveConn(conn net.Conn, h http.Handler, frame framing) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for serveOne(conn, r, h, frame) {
	}
}

// serveOne reads one request from r and answers it on conn, framed by frame; it reports whether the connection
// stays open.
func serveOne(conn net.Conn, r *bufio.Reader, h http.Handler, frame framing) bool {
	req, err := http.ReadRequest(r)
	if err != nil {
		return false
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n", rec.Code, http.StatusText(rec.Code))
	keep := frame(w, rec.Body.Bytes())
	return w.Flush() == nil && keep
}

// readOf creates entities on the gateway at url, then reads it whole, one request after another.
func readOf(t *testing.T, url string, entities []any) any {
	t.Helper()
	conn := testConnection(url)
	conn.Retries, conn.Concurrency, conn.Ranges = -1, 1, 1
	c := open(t, conn)
	for _, e := range entities {
		if err := c.CreateBlind(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestIdleConnectionsTheServerClosed: a connection the gateway closed while it sat idle is not used again, so a
// write after a pause neither fails nor needs a retry.
func TestIdleConnectionsTheServerClosed(t *testing.T) {
	var closed atomic.Int64
	srv := httptest.NewUnstartedServer(kongsim.New(kongsim.Options{}))
	srv.Config.IdleTimeout = 20 * time.Millisecond
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateClosed {
			closed.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	conn := testConnection(srv.URL)
	conn.Retries = -1
	c := open(t, conn)
	for i := range 3 {
		for closed.Load() < int64(i+1) {
			time.Sleep(5 * time.Millisecond)
		}
		svc := &kong.Service{ID: kong.String(uuid(1, i)), Name: kong.String("svc-" + string(rune('a'+i))),
			Host: kong.String("orders.internal")}
		if err := c.CreateBlind(context.Background(), svc); err != nil {
			t.Fatalf("write %d, after the gateway closed the idle connection: %v", i+1, err)
		}
	}
}

// TestTimeoutBoundsTheAnswerBody: Connection.Timeout bounds a request until the last byte of its answer, so a
// gateway that stops sending halfway fails the request instead of hanging it.
func TestTimeoutBoundsTheAnswerBody(t *testing.T) {
	k := kongsim.New(kongsim.Options{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			k.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"data":[`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	conn := testConnection(srv.URL)
	conn.Retries, conn.Timeout = -1, 50*time.Millisecond
	c := open(t, conn)
	_, err := c.Read(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read of a gateway that stops mid-answer = %v; want the request's deadline exceeded", err)
	}
}

// TestCancelInterruptsARequest: cancelling the context ends a request the gateway has not answered.
func TestCancelInterruptsARequest(t *testing.T) {
	k := kongsim.New(kongsim.Options{})
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			k.ServeHTTP(w, r)
			return
		}
		io.Copy(io.Discard, r.Body) // the server notices a closed connection only once the body is read
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	c := open(t, testConnection(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	err := c.CreateBlind(ctx, &kong.Consumer{ID: kong.String(uuid(9, 1)), Username: kong.String("a")})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, gateway.ErrNoAnswer) {
		t.Fatalf("write cancelled in flight = %v; want context.Canceled and ErrNoAnswer", err)
	}
}

// TestRequestsOnAConnectionClosedUnanswered: when the gateway closes a kept-alive connection on a request without
// answering it (it had just decided to close the idle connection), a GET goes again on a new connection, as
// net/http does; a write does not, for the gateway may have applied it, and fails as unanswered.
func TestRequestsOnAConnectionClosedUnanswered(t *testing.T) {
	tests := []struct {
		name    string
		request func(*gateway.Client) error
		wantErr bool
	}{
		{name: "GET", request: func(c *gateway.Client) error {
			_, err := c.Lookup(context.Background(), &kong.Service{Name: kong.String("orders")})
			if errors.Is(err, gateway.ErrNotFound) {
				return nil
			}
			return err
		}},
		{name: "PUT", wantErr: true, request: func(c *gateway.Client) error {
			return c.CreateBlind(context.Background(), &kong.Service{ID: kong.String(uuid(1, 1)),
				Name: kong.String("orders"), Host: kong.String("orders.internal")})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := kongsim.New(kongsim.Options{})
			url := serveClosingSecond(t, k)
			conn := testConnection(url)
			conn.Retries = -1
			c := open(t, conn) // GET / is the first request on the first connection
			err := tt.request(c)
			if tt.wantErr {
				if !errors.Is(err, gateway.ErrNoAnswer) {
					t.Fatalf("%s on a connection closed unanswered = %v; want ErrNoAnswer", tt.name, err)
				}
				if n := len(k.Requests()); n != 1 {
					t.Errorf("the gateway handled %d requests; want 1, the handshake: the write was not sent again", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s on a connection closed unanswered = %v; want it sent again and answered", tt.name, err)
			}
		})
	}
}

// serveClosingSecond serves h over HTTP/1.1 written by hand; the first connection answers one request, then reads
// a second and closes without answering it.
func serveClosingSecond(t *testing.T, h http.Handler) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	keep := func(w io.Writer, body []byte) bool {
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body)
		return true
	}
	go func() {
		first := true
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			if !first {
				go serveConn(conn, h, keep)
				continue
			}
			first = false
			go func() {
				r := bufio.NewReader(conn)
				serveOne(conn, r, h, keep)
				if req, err := http.ReadRequest(r); err == nil {
					io.Copy(io.Discard, req.Body)
				}
				conn.Close()
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// TestBogusContentLength: an answer claiming a body far longer than it sends fails the request; the client
// neither allocates what the header claims nor waits past the end of the connection.
func TestBogusContentLength(t *testing.T) {
	k := kongsim.New(kongsim.Options{})
	url, _ := serveFramed(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			k.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"data":[]}`)
	}), func(w io.Writer, body []byte) bool {
		if string(body) != `{"data":[]}` {
			fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body)
			return true
		}
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", int64(1)<<40, body)
		return false
	})
	conn := testConnection(url)
	conn.Retries = -1
	c := open(t, conn)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.Read(context.Background())
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("Read of an answer cut 1 TB short = %v; want unexpected EOF", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<30 {
		t.Errorf("reading the answer allocated %d bytes", n)
	}
}

// TestNetHTTPEnvChoosesNetHTTP: with KONGSNAP_NET_HTTP set, requests go through net/http's Transport (which asks
// for gzip; the client's own transport does not), the escape hatch for a gateway the wire transport mishandles.
func TestNetHTTPEnvChoosesNetHTTP(t *testing.T) {
	for _, set := range []bool{false, true} {
		var gzip atomic.Bool
		sim := kongsim.New(kongsim.Options{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gzip.Store(strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"))
			sim.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		if set {
			t.Setenv(gateway.NetHTTPEnv, "1")
		}
		c := open(t, testConnection(srv.URL))
		if _, err := c.Read(context.Background()); err != nil {
			t.Fatal(err)
		}
		if gzip.Load() != set {
			t.Errorf("%s set: %v, yet net/http's transport was used: %v", gateway.NetHTTPEnv, set, gzip.Load())
		}
	}
}

package gateway

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// wireTransport is the client's HTTP/1.1 transport for a plain-http Admin API: each request is written, and its
// answer read, on the caller's own goroutine, over a keep-alive connection from a pool. net/http's Transport hands
// every request to a writer goroutine and every answer back from a reader goroutine; on a loopback gateway those
// handoffs cost about as much CPU as the request itself (about 20 µs of 40), and a restore of 10,000 entities
// sends 20,000 requests. Requests it does not serve (https, where net/http also speaks HTTP/2; another host after
// a redirect; a body of unknown length; a protocol upgrade) go to next, net/http's transport.
//
// Without a reader goroutine, nothing notices a connection the server closes while it sits idle; so an idle
// connection is checked (connAlive, one non-blocking read) before it is used again, and one idle longer than
// wireMaxIdle is closed. A request that fails on a reused connection anyway (the server closed it just then) is
// sent again on a new one when that is safe, as net/http's Transport does: when none of it was written, or when
// it is a GET or HEAD.
type wireTransport struct {
	host string // the Admin API's host:port as URLs name it; only requests to it are served here
	addr string // what is dialled
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	next http.RoundTripper

	mu      sync.Mutex
	idle    []*wireConn // most recently used last
	maxIdle int
}

// wireMaxIdle is how long a connection may sit idle and still be used: net/http's DefaultTransport's
// IdleConnTimeout.
const wireMaxIdle = 90 * time.Second

// wireBufferSize is the size of each connection's read and write buffers: a request of up to this size (every
// entity a restore writes, in practice) leaves in one write.
const wireBufferSize = 16 << 10

// wireConn is one keep-alive connection.
type wireConn struct {
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	text    *textproto.Reader
	written *countingWriter // under w: the bytes that reached the connection
	idleAt  time.Time       // when it was last put back in the pool
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// unsentError is a failure before any byte of a request reached the connection.
type unsentError struct{ error }

func (e unsentError) Unwrap() error { return e.error }

// silentError is a connection that ended before any byte of the answer came.
type silentError struct{ error }

func (e silentError) Unwrap() error { return e.error }

func (t *wireTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.serves(req) {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	fresh := false
	for {
		c, reused, err := t.get(ctx, fresh)
		if err != nil {
			closeRequestBody(req)
			return nil, err
		}
		resp, err := t.exchange(ctx, c, req)
		if err == nil {
			return resp, nil
		}
		c.conn.Close()
		if ctx.Err() != nil {
			closeRequestBody(req)
			return nil, ctx.Err()
		}
		if !reused || !resendable(req, err) {
			closeRequestBody(req)
			return nil, err
		}
		if req.Body != nil && req.Body != http.NoBody {
			if req.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		fresh = true
	}
}

// serves reports whether the request is one wireTransport sends itself.
func (t *wireTransport) serves(req *http.Request) bool {
	if req.URL.Scheme != "http" || req.URL.Host != t.host || (req.Host != "" && req.Host != t.host) {
		return false
	}
	if req.Header.Get("Upgrade") != "" || req.Header.Get("Expect") != "" || len(req.Trailer) > 0 {
		return false
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	return !hasBody || (req.ContentLength > 0 && req.GetBody != nil)
}

// resendable reports whether a request that failed on a reused connection may go again on a new one: the server
// cannot have seen it, or it reads only.
func resendable(req *http.Request, err error) bool {
	if errors.As(err, new(unsentError)) {
		return true
	}
	return errors.As(err, new(silentError)) && (req.Method == http.MethodGet || req.Method == http.MethodHead)
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// get takes the most recently used idle connection, closing those idle too long, or dials a new one; fresh always
// dials.
func (t *wireTransport) get(ctx context.Context, fresh bool) (*wireConn, bool, error) {
	if !fresh {
		now := time.Now()
		t.mu.Lock()
		for len(t.idle) > 0 {
			c := t.idle[len(t.idle)-1]
			t.idle = t.idle[:len(t.idle)-1]
			if now.Sub(c.idleAt) <= wireMaxIdle && connAlive(c.conn) {
				t.mu.Unlock()
				return c, true, nil
			}
			c.conn.Close()
		}
		t.mu.Unlock()
	}
	conn, err := t.dial(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	r := bufio.NewReaderSize(conn, wireBufferSize)
	written := &countingWriter{w: conn}
	return &wireConn{conn: conn, r: r, w: bufio.NewWriterSize(written, wireBufferSize), text: textproto.NewReader(r),
		written: written}, false, nil
}

// put returns a connection whose exchange is complete to the pool.
func (t *wireTransport) put(c *wireConn) {
	c.idleAt = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		c.conn.Close()
	}
}

// exchange writes req on c and reads the head of its answer; the body is read through the response, which puts c
// back in the pool once it is read to its end. Until then, the end of ctx interrupts c.
func (t *wireTransport) exchange(ctx context.Context, c *wireConn, req *http.Request) (*http.Response, error) {
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	resp, err := t.roundTrip(c, req)
	if err != nil {
		stop()
		return nil, err
	}
	body := &wireBody{ctx: ctx, t: t, c: c, stop: stop, keep: !req.Close && !resp.Close}
	switch {
	case !bodyAllowed(req.Method, resp.StatusCode):
		body.r = strings.NewReader("")
	case resp.ContentLength >= 0:
		body.r = &lengthBody{r: c.r, left: resp.ContentLength}
	case resp.TransferEncoding != nil:
		body.r = &chunkedBody{r: httputil.NewChunkedReader(c.r), text: c.text}
	default:
		body.r, body.keep = c.r, false // delimited by the end of the connection
	}
	if resp.ContentLength == 0 || !bodyAllowed(req.Method, resp.StatusCode) {
		body.finish(body.keep)
		resp.Body = http.NoBody
		return resp, nil
	}
	resp.Body = body
	return resp, nil
}

// roundTrip writes req and reads the head of the answer, skipping informational (1xx) answers; serves sends no
// request that could be answered by switching protocols.
func (t *wireTransport) roundTrip(c *wireConn, req *http.Request) (*http.Response, error) {
	before := c.written.n
	if err := writeRequest(c.w, req); err != nil {
		if c.written.n == before {
			err = unsentError{err}
		}
		return nil, err
	}
	for first := true; ; first = false {
		resp, err := readResponseHead(c, req, first)
		switch {
		case err != nil:
			return nil, err
		case resp.StatusCode == http.StatusSwitchingProtocols:
			return nil, fmt.Errorf("unexpected %s answer", resp.Status)
		case resp.StatusCode >= 200:
			return resp, nil
		}
	}
}

// writeRequest writes req's line, headers and body, and flushes them.
func writeRequest(w *bufio.Writer, req *http.Request) error {
	if err := checkHeader(req.Header); err != nil {
		return err
	}
	w.WriteString(req.Method)
	w.WriteByte(' ')
	w.WriteString(req.URL.RequestURI())
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(req.URL.Host)
	w.WriteString("\r\n")
	if req.Header.Get("User-Agent") == "" {
		w.WriteString("User-Agent: Go-http-client/1.1\r\n")
	}
	for k, vs := range req.Header {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer", "Connection":
			continue
		}
		for _, v := range vs {
			w.WriteString(k)
			w.WriteString(": ")
			w.WriteString(v)
			w.WriteString("\r\n")
		}
	}
	if req.Close {
		w.WriteString("Connection: close\r\n")
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	if hasBody || req.Method == http.MethodPost || req.Method == http.MethodPut || req.Method == http.MethodPatch {
		w.WriteString("Content-Length: ")
		w.WriteString(strconv.FormatInt(max(req.ContentLength, 0), 10))
		w.WriteString("\r\n")
	}
	w.WriteString("\r\n")
	if hasBody {
		n, err := io.Copy(w, io.LimitReader(req.Body, req.ContentLength))
		req.Body.Close()
		if err == nil && n != req.ContentLength {
			err = fmt.Errorf("request body is %d bytes, not the %d of its length", n, req.ContentLength)
		}
		if err != nil {
			return err
		}
	}
	return w.Flush()
}

// checkHeader refuses header fields that would break the request's framing.
func checkHeader(h http.Header) error {
	for k, vs := range h {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return fmt.Errorf("invalid header field name %q", k)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fmt.Errorf("invalid header field value for %q", k)
			}
		}
	}
	return nil
}

// readResponseHead reads a status line and headers. first says whether it is the first answer to the request:
// a connection that ends before any byte of that is a silentError.
func readResponseHead(c *wireConn, req *http.Request, first bool) (*http.Response, error) {
	line, err := c.text.ReadLine()
	if err != nil {
		// bufio's ReadLine returns a partial line without an error: io.EOF here means not one byte came.
		if first && (err == io.EOF || errors.Is(err, syscall.ECONNRESET)) {
			return nil, silentError{err}
		}
		return nil, noEOF(err)
	}
	proto, status, ok := strings.Cut(line, " ")
	major, minor, protoOK := http.ParseHTTPVersion(proto)
	if !ok || !protoOK || major != 1 {
		return nil, fmt.Errorf("malformed HTTP response %q", line)
	}
	status = strings.TrimLeft(status, " ")
	code, _, _ := strings.Cut(status, " ")
	resp := &http.Response{Status: status, Proto: proto, ProtoMajor: major, ProtoMinor: minor, Request: req}
	if resp.StatusCode, err = strconv.Atoi(code); err != nil || len(code) != 3 || resp.StatusCode < 100 {
		return nil, fmt.Errorf("malformed HTTP status code %q", code)
	}
	header, err := c.text.ReadMIMEHeader()
	if err != nil {
		return nil, noEOF(err)
	}
	resp.Header = http.Header(header)
	resp.Close = closes(resp)
	if err := framing(resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// framing sets how the length of resp's body is known: its Content-Length, or chunked, or (ContentLength -1 and
// no TransferEncoding) the end of the connection.
func framing(resp *http.Response) error {
	resp.ContentLength = -1
	if te := resp.Header.Values("Transfer-Encoding"); len(te) > 0 {
		if len(te) != 1 || !strings.EqualFold(strings.TrimSpace(te[0]), "chunked") {
			return fmt.Errorf("unsupported transfer encoding %q", te)
		}
		resp.TransferEncoding = []string{"chunked"}
		resp.Header.Del("Content-Length")
		return nil
	}
	lengths := resp.Header.Values("Content-Length")
	if len(lengths) == 0 {
		return nil
	}
	for _, l := range lengths[1:] {
		if strings.TrimSpace(l) != strings.TrimSpace(lengths[0]) {
			return fmt.Errorf("conflicting Content-Length headers %q", lengths)
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(lengths[0]), 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("bad Content-Length %q", lengths[0])
	}
	resp.ContentLength = n
	return nil
}

// closes reports whether the server ends the connection after resp.
func closes(resp *http.Response) bool {
	for _, v := range resp.Header.Values("Connection") {
		for token := range strings.SplitSeq(v, ",") {
			switch t := strings.TrimSpace(token); {
			case strings.EqualFold(t, "close"):
				return true
			case strings.EqualFold(t, "keep-alive") && resp.ProtoMinor == 0:
				return false
			}
		}
	}
	return resp.ProtoMinor == 0
}

// bodyAllowed reports whether an answer to method with status carries a body.
func bodyAllowed(method string, status int) bool {
	return method != http.MethodHead && status != http.StatusNoContent && status != http.StatusNotModified &&
		status >= 200
}

// noEOF turns a connection that ended inside an answer into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// wireBody is an answer's body, read straight from its connection.
type wireBody struct {
	ctx  context.Context
	t    *wireTransport
	c    *wireConn
	r    io.Reader
	stop func() bool // ends the watch on the request's context
	keep bool        // the connection may carry another request once the body is read
	done bool
	err  error
}

func (b *wireBody) Read(p []byte) (int, error) {
	if b.done {
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	switch {
	case err == io.EOF && b.keep:
		b.finish(true)
	case err == io.EOF:
		b.finish(false)
	case err != nil && b.ctx.Err() != nil:
		b.err = b.ctx.Err()
		b.finish(false)
		return n, b.err
	case err != nil:
		b.err = noEOF(err)
		b.finish(false)
		return n, b.err
	}
	return n, err
}

// Close ends the exchange; a body not read to its end takes its connection with it.
func (b *wireBody) Close() error {
	if !b.done {
		b.err = errors.New("read on closed response body")
		b.finish(false)
	}
	return nil
}

// finish puts the connection back in the pool when reuse is true and the request's context did not interrupt it,
// and closes it otherwise.
func (b *wireBody) finish(reuse bool) {
	b.done = true
	if !b.stop() || !reuse {
		b.c.conn.Close()
		return
	}
	b.t.put(b.c)
}

// chunkedBody reads a chunked body and the trailer after it, so the connection is ready for the next answer.
type chunkedBody struct {
	r    io.Reader
	text *textproto.Reader
}

func (b *chunkedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		if _, terr := b.text.ReadMIMEHeader(); terr != nil {
			return n, noEOF(terr)
		}
	}
	return n, err
}

// lengthBody reads a body of a known length; a connection that ends before it is io.ErrUnexpectedEOF.
type lengthBody struct {
	r    io.Reader
	left int64
}

func (b *lengthBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	switch {
	case b.left == 0:
		return n, io.EOF
	case err == io.EOF:
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

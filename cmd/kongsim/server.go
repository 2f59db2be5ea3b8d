package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server serves an http.Handler over HTTP/1.1 keep-alive connections, for kongsim's binary: each request is read
// with net/http's own parser (http.ReadRequest) and each response leaves in one write, header and body together,
// with no goroutine but the connection's own.
//
// net/http's server starts a second read on every connection once a request's body is read (to learn early that
// the client went away) and stops it when the answer is written. A restore of 10,000 entities sends 20,000 small
// requests, and on a loopback gateway those wakeups cost both sides CPU: with this server the restore took about
// 7% less time (1.06 to 0.98 s, kongsim's CPU 0.81 to 0.76 s and kongsnap's 0.97 to 0.91 s, 10 alternations).
// Kong answers through nginx, which does neither.
//
// What a handler sees is what net/http gives it: the same parsed request, a ResponseWriter with Header,
// WriteHeader, Write and Hijack, Date and Content-Length added, Content-Type sniffed when unset, HEAD answered
// without a body, 100-continue sent when the body is first read, an unread body drained (up to 256 KB) so the
// connection can be kept, 400 and 431 for a request it cannot read. What it leaves out: HTTP/1.0 keep-alive (a 1.0
// connection is closed after its answer), TLS and HTTP/2, none of which kongsim serves. Request contexts end when
// the handler returns or the server is closed, not when a client goes away.
type server struct {
	handler http.Handler
	// readHeaderTimeout bounds reading a request's header, from its first byte (http.Server's ReadHeaderTimeout).
	readHeaderTimeout time.Duration
	log               *slog.Logger

	base   context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	ln       net.Listener
	conns    map[*serverConn]bool // true while idle: between requests, no byte of the next one read
	shutdown bool
	done     sync.WaitGroup // connections being served
}

// maxHeaderBytes is the most of a request's line and header read (http.DefaultMaxHeaderBytes, with net/http's
// 4 KB of slack for the buffer).
const maxHeaderBytes = http.DefaultMaxHeaderBytes + 4096

// maxDrain is how much of a body the handler left unread is read and discarded so the connection can serve the
// next request (net/http's maxPostHandlerReadBytes); past it the connection is closed after the answer.
const maxDrain = 256 << 10

func newServer(handler http.Handler, log *slog.Logger) *server {
	base, cancel := context.WithCancel(context.Background())
	return &server{handler: handler, readHeaderTimeout: 10 * time.Second, log: log, base: base, cancel: cancel,
		conns: map[*serverConn]bool{}}
}

// Serve accepts connections on ln until Shutdown or Close, then returns http.ErrServerClosed, as http.Server does.
func (s *server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.ln = ln
	s.mu.Unlock()
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.closing() {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "wait", delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := &serverConn{s: s, conn: conn}
		s.mu.Lock()
		if s.shutdown {
			s.mu.Unlock()
			conn.Close()
			return http.ErrServerClosed
		}
		s.conns[c] = false
		s.done.Add(1)
		s.mu.Unlock()
		go c.serve()
	}
}

func (s *server) closing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shutdown
}

// Shutdown stops accepting, closes the idle connections, and waits, until ctx ends, for the others to finish
// the request they are serving; each is closed after its answer.
func (s *server) Shutdown(ctx context.Context) error {
	s.stop()
	wait := make(chan struct{})
	go func() {
		s.done.Wait()
		close(wait)
	}()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.closeIdle()
		select {
		case <-wait:
			s.cancel()
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close closes the listener and every connection at once, and ends every request's context.
func (s *server) Close() error {
	s.stop()
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.conn.Close()
	}
	return nil
}

func (s *server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.shutdown {
		s.shutdown = true
		if s.ln != nil {
			s.ln.Close()
		}
	}
}

func (s *server) closeIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, idle := range s.conns {
		if idle {
			c.conn.Close()
			delete(s.conns, c)
		}
	}
}

// setIdle records whether c is between requests, and reports false when the server is shutting down (c should
// then close instead of waiting for another request).
func (s *server) setIdle(c *serverConn, idle bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; !ok {
		return false // closed by closeIdle
	}
	s.conns[c] = idle
	return !s.shutdown
}

func (s *server) forget(c *serverConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.done.Done()
}

// serverConn is one client connection.
type serverConn struct {
	s        *server
	conn     net.Conn
	limit    limitReader // under r: stops a request's header at maxHeaderBytes
	r        *bufio.Reader
	head     bytes.Buffer // an answer's status line and header
	remote   string       // the client's address, for Request.RemoteAddr
	hijacked bool
}

// limitReader reads from r until n bytes have been read, then reports EOF; n < 0 reads without a limit.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n == 0 {
		return 0, io.EOF
	}
	if l.n > 0 && int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	if l.n > 0 {
		l.n -= int64(n)
	}
	return n, err
}

func (c *serverConn) serve() {
	defer func() {
		if !c.hijacked {
			c.conn.Close()
		}
		c.s.forget(c)
	}()
	c.limit.r = c.conn
	c.r = bufio.NewReaderSize(&c.limit, 4096)
	c.remote = c.conn.RemoteAddr().String()
	var body bytes.Buffer // an answer's body, kept between requests
	for {
		// Wait without a deadline for the next request (http.Server without an IdleTimeout waits as long), then
		// give its header readHeaderTimeout.
		if !c.s.setIdle(c, true) {
			return
		}
		c.limit.n = -1
		if _, err := c.r.Peek(1); err != nil {
			return
		}
		if !c.s.setIdle(c, false) {
			return
		}
		c.conn.SetReadDeadline(time.Now().Add(c.s.readHeaderTimeout))
		c.limit.n = maxHeaderBytes - int64(c.r.Buffered())
		req, err := http.ReadRequest(c.r)
		if err != nil {
			c.refuse(err)
			return
		}
		c.limit.n = -1
		c.conn.SetReadDeadline(time.Time{})
		if msg := checkRequest(req); msg != "" {
			c.writeError(http.StatusBadRequest, msg)
			return
		}
		body.Reset()
		if !c.answer(req, &body) {
			return
		}
	}
}

// refuse answers a request that could not be read, as http.Server does, unless the client just went away.
func (c *serverConn) refuse(err error) {
	switch {
	case c.limit.n == 0:
		c.writeError(http.StatusRequestHeaderFieldsTooLarge, "")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
	case isTimeout(err):
	default:
		c.writeError(http.StatusBadRequest, "")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// checkRequest returns why http.Server would refuse a request http.ReadRequest read, or "". (ReadRequest has
// moved the Host header to req.Host.)
func checkRequest(req *http.Request) string {
	if req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != http.MethodConnect {
		return "missing required Host header"
	}
	return ""
}

// writeError writes a short plain-text error answer and leaves the connection to be closed.
func (c *serverConn) writeError(status int, msg string) {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	if msg != "" {
		text += ": " + msg // in the status line too, as http.Server writes it
	}
	c.conn.SetWriteDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(c.conn, "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n%s",
		text, text)
}

// answer runs the handler on req and writes its answer; it reports whether the connection serves another request.
func (c *serverConn) answer(req *http.Request, body *bytes.Buffer) bool {
	ctx, cancel := context.WithCancel(c.s.base)
	defer cancel()
	req = req.WithContext(ctx)
	req.RemoteAddr = c.remote
	w := &response{c: c, req: req, header: http.Header{}, body: body, keep: !req.Close}
	if expect := req.Header.Get("Expect"); expect != "" {
		if !strings.EqualFold(expect, "100-continue") || !req.ProtoAtLeast(1, 1) {
			w.header.Set("Connection", "close")
			w.WriteHeader(http.StatusExpectationFailed)
			w.keep = false
			_ = w.finish()
			return false
		}
		if req.ContentLength != 0 {
			w.expect = &continueReader{w: w, r: req.Body}
			req.Body = w.expect
		}
	}
	if !c.run(w, req) {
		return false
	}
	if c.hijacked {
		return false
	}
	w.drain()
	if err := w.finish(); err != nil {
		return false
	}
	return w.keep
}

// run calls the handler, recovering from its panic as http.Server does: quietly for http.ErrAbortHandler, logged
// otherwise; it reports false when the connection is to be closed without an answer.
func (c *serverConn) run(w *response, req *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				c.s.log.Error("panic serving "+req.RemoteAddr, "panic", v, "stack", string(debug.Stack()))
			}
			ok = false
		}
	}()
	c.s.handler.ServeHTTP(w, req)
	return true
}

// continueReader sends "100 Continue" when the handler first reads a body the client holds back for it.
type continueReader struct {
	w    *response
	r    io.ReadCloser
	sent bool
}

func (cr *continueReader) Read(p []byte) (int, error) {
	if !cr.sent {
		cr.sent = true
		if !cr.w.wroteHeader {
			if _, err := io.WriteString(cr.w.c.conn, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
				return 0, err
			}
		}
	}
	return cr.r.Read(p)
}

func (cr *continueReader) Close() error { return cr.r.Close() }

// response is the ResponseWriter of one request: its header and body are kept until the handler returns, then
// written at once. It is not an http.Flusher: kongsim never streams an answer.
type response struct {
	c           *serverConn
	req         *http.Request
	header      http.Header
	status      int
	wroteHeader bool
	body        *bytes.Buffer
	keep        bool // the connection serves another request after this one
	expect      *continueReader
}

func (w *response) Header() http.Header { return w.header }

func (w *response) WriteHeader(status int) {
	if w.c.hijacked || w.wroteHeader {
		return
	}
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", status))
	}
	if status < 200 && status != http.StatusSwitchingProtocols {
		// An informational answer goes out at once; the final one follows.
		w.c.head.Reset()
		writeStatusLine(&w.c.head, w.req.ProtoAtLeast(1, 1), status)
		_ = w.header.Write(&w.c.head)
		w.c.head.WriteString("\r\n")
		_, _ = w.c.conn.Write(w.c.head.Bytes())
		return
	}
	w.wroteHeader = true
	w.status = status
}

func (w *response) Write(p []byte) (int, error) {
	if w.c.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return w.body.Write(p)
}

// Hijack hands the connection to the handler, as http.Server does.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.c.hijacked {
		return nil, nil, http.ErrHijacked
	}
	w.c.hijacked = true
	return w.c.conn, bufio.NewReadWriter(w.c.r, bufio.NewWriter(w.c.conn)), nil
}

// drain reads what the handler left of the body, so that the next request can be read; when that is more than
// maxDrain, or the client was never told to send it (100-continue), the connection closes after the answer.
func (w *response) drain() {
	if w.req.Body == nil || w.req.Body == http.NoBody {
		return
	}
	if w.expect != nil && !w.expect.sent {
		w.keep = false
		return
	}
	n, err := io.CopyN(io.Discard, w.req.Body, maxDrain+1)
	if err != io.EOF || n > maxDrain {
		w.keep = false
	}
	w.req.Body.Close()
}

// finish writes the answer, head and body in one write. The head is the handler's header, sorted, then what
// http.Server adds, in its order: Date, Content-Length and Content-Type when the handler set none, and
// Connection: close when the connection closes after the answer.
func (w *response) finish() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	h := w.header
	var date, length, sniffed, connection string
	if _, ok := h["Date"]; !ok {
		date = time.Now().UTC().Format(http.TimeFormat)
	}
	body := w.body.Bytes()
	if bodyAllowed(w.status) {
		if _, ok := h["Content-Type"]; !ok && len(body) > 0 {
			sniffed = http.DetectContentType(body)
		}
		if declared := h.Get("Content-Length"); declared == "" {
			length = strconv.Itoa(len(body))
		} else if n, err := strconv.Atoi(declared); err != nil || n != len(body) {
			// The body is not what the handler said it is: send what it said, at most, and close, so the
			// client sees the answer cut short rather than misreads the next one (http.Server refuses the
			// excess, and closes after a short body).
			if err == nil && n < len(body) {
				body = body[:n]
			}
			w.keep = false
		}
	} else {
		delete(h, "Content-Length")
		body = nil
	}
	delete(h, "Transfer-Encoding") // the body is sent whole, with its length
	if !w.req.ProtoAtLeast(1, 1) {
		w.keep = false // an HTTP/1.0 connection closes after its answer, which says so by its version
	} else if !w.keep || w.c.s.closing() {
		w.keep = false
		if !hasToken(h.Get("Connection"), "close") {
			delete(h, "Connection")
			connection = "close"
		}
	}
	head := &w.c.head
	head.Reset()
	writeStatusLine(head, w.req.ProtoAtLeast(1, 1), w.status)
	if err := h.Write(head); err != nil {
		return err
	}
	for _, f := range [...]struct{ name, value string }{
		{"Date", date}, {"Content-Length", length}, {"Content-Type", sniffed}, {"Connection", connection},
	} {
		if f.value != "" {
			head.WriteString(f.name + ": " + f.value + "\r\n")
		}
	}
	head.WriteString("\r\n")
	out := net.Buffers{head.Bytes()}
	if w.req.Method != http.MethodHead && len(body) > 0 {
		out = append(out, body)
	}
	_, err := out.WriteTo(w.c.conn)
	return err
}

// hasToken reports whether the comma-separated list v holds token, in any case.
func hasToken(v, token string) bool {
	for part := range strings.SplitSeq(v, ",") {
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}

// writeStatusLine writes an answer's first line in the request's version, as http.Server does.
func writeStatusLine(b *bytes.Buffer, http11 bool, status int) {
	if http11 {
		b.WriteString("HTTP/1.1 ")
	} else {
		b.WriteString("HTTP/1.0 ")
	}
	b.WriteString(strconv.Itoa(status))
	b.WriteByte(' ')
	if text := http.StatusText(status); text != "" {
		b.WriteString(text)
	} else {
		b.WriteString("status code " + strconv.Itoa(status))
	}
	b.WriteString("\r\n")
}

// bodyAllowed reports whether an answer with status may have a body (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxRetryAfter is the longest Retry-After the client waits for; a gateway asking for more fails the request
// instead of stalling a backup for an unbounded time.
const maxRetryAfter = 2 * time.Minute

// transportError is a request that got no complete response: connection refused or dropped, TLS or timeout.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

func isTransport(err error) bool {
	var t *transportError
	return errors.As(err, &t)
}

// do is go-kong's Doer: it sends req, reads the whole response body (so a connection dropped mid-body is retried
// like one dropped before the status line) and retries with backoff.
//
// Which failures are retried depends on whether repeating the request is safe. GET, PUT and DELETE are idempotent
// in Kong's Admin API (PUT by id is an upsert, DELETE of a missing entity is 204), so they are retried on every
// network error, on 5xx and on 429. A POST creates a new entity each time it is processed, so it is retried only
// when the gateway certainly did not process it: the connection could not even be opened, or the answer was 429
// (rate limited) or 503 (unavailable), both sent before a request is handled.
func (c *Client) do(ctx context.Context, hc *http.Client, req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.Body != nil {
			if req.GetBody == nil {
				return nil, &transportError{fmt.Errorf("%s %s: request body cannot be resent", req.Method, req.URL.Path)}
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("%s %s: rewinding request body: %w", req.Method, req.URL.Path, err)
			}
			req.Body = body
		}
		resp, err := send(ctx, hc, req, c.conn.Timeout)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		wait, reason := c.retryAfter(req.Method, resp, err, attempt)
		if reason == "" {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close() // its buffer serves the next attempt
		}
		c.log.Warn("retrying Admin API request", "method", req.Method, "path", c.secrets.scrub(req.URL.Path),
			"attempt", attempt+1, "reason", c.secrets.scrub(reason), "wait", wait)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// send makes one attempt, of at most timeout with the response body, and buffers the body.
func send(ctx context.Context, hc *http.Client, req *http.Request, timeout time.Duration) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return nil, &transportError{err}
	}
	body, err := readBody(resp)
	resp.Body.Close()
	if err != nil {
		return nil, &transportError{fmt.Errorf("%s %s: reading response: %w", req.Method, req.URL.Path, err)}
	}
	resp.Body = body
	return resp, nil
}

// maxSized is the largest Content-Length readBody reads into a buffer of that size at once; a longer (or unknown)
// body grows its buffer as it comes, so a bogus length cannot make the client allocate it.
const maxSized = 64 << 20

// maxPooled is the largest buffer a closed body gives back for the next response: larger than a page of 1,000
// plugins (a megabyte or two), smaller than what one odd answer should keep in memory for the rest of a run.
const maxPooled = 8 << 20

// bodyBuffers hold the buffers of response bodies already read and closed. A backup reads a gateway's pages
// (about 50 MB of JSON for 100,000 entities) through them: go-kong copies each body out before closing it, so a
// buffer per page was that much fresh memory, faulted in and zeroed, and garbage right after.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// readBody reads a whole response body into a buffer from bodyBuffers, of its size when the answer says it (a
// page of 1,000 entities would take io.ReadAll a dozen doublings and copies), and returns it as a body that gives
// the buffer back when closed.
func readBody(resp *http.Response) (*bufferedBody, error) {
	buf := bodyBuffers.Get().(*[]byte)
	b := (*buf)[:0]
	var err error
	if n := resp.ContentLength; n >= 0 && n <= maxSized {
		if int64(cap(b)) < n {
			b = make([]byte, n)
		}
		b = b[:n]
		_, err = io.ReadFull(resp.Body, b)
	} else {
		grown := bytes.NewBuffer(b) // appends to the pooled buffer, growing it as io.ReadAll would
		_, err = grown.ReadFrom(resp.Body)
		b = grown.Bytes()
	}
	*buf = b
	if err != nil {
		giveBack(buf)
		return nil, err
	}
	return &bufferedBody{buf: buf, r: bytes.NewReader(b)}, nil
}

// bufferedBody is a response body read whole. Closing it gives its buffer back to bodyBuffers; a read after that
// fails, as on a closed net/http body, rather than seeing the next response's bytes.
type bufferedBody struct {
	buf *[]byte // nil once closed
	r   *bytes.Reader
}

// errBodyClosed is a read of a body after its Close.
var errBodyClosed = errors.New("read on closed response body")

func (b *bufferedBody) Read(p []byte) (int, error) {
	if b.buf == nil {
		return 0, errBodyClosed
	}
	return b.r.Read(p)
}

// bodyTaker is a writer that takes a whole body's buffer instead of a copy of it, and calls back once done with it.
type bodyTaker interface {
	takeBody(b []byte, back func())
}

// WriteTo writes the rest of the body to w in one write (io.Copy, as go-kong copies a body out, uses it); a
// bodyTaker given a body not yet read takes its buffer instead, and the body is then closed.
func (b *bufferedBody) WriteTo(w io.Writer) (int64, error) {
	if b.buf == nil {
		return 0, errBodyClosed
	}
	if t, ok := w.(bodyTaker); ok && b.r.Len() == len(*b.buf) {
		buf := b.buf
		b.buf, b.r = nil, nil
		t.takeBody(*buf, func() { giveBack(buf) })
		return int64(len(*buf)), nil
	}
	return b.r.WriteTo(w)
}

func (b *bufferedBody) Close() error {
	if b.buf == nil {
		return nil
	}
	giveBack(b.buf)
	b.buf, b.r = nil, nil
	return nil
}

// giveBack puts a body's buffer back in bodyBuffers, unless it is too large to keep.
func giveBack(buf *[]byte) {
	if cap(*buf) <= maxPooled {
		*buf = (*buf)[:0]
		bodyBuffers.Put(buf)
	}
}

// retryAfter decides whether attempt should be repeated: it returns how long to wait and why, or "" to stop.
func (c *Client) retryAfter(method string, resp *http.Response, err error, attempt int) (time.Duration, string) {
	if attempt >= c.conn.Retries {
		return 0, ""
	}
	idempotent := method != http.MethodPost && method != http.MethodPatch
	backoff := c.conn.Backoff << attempt
	if backoff > c.conn.MaxBackoff || backoff <= 0 {
		backoff = c.conn.MaxBackoff
	}
	if err != nil {
		if idempotent || neverSent(err) {
			return backoff, err.Error()
		}
		return 0, ""
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After")); ok {
			if wait > maxRetryAfter {
				return 0, ""
			}
			backoff = wait
		}
		return backoff, resp.Status
	case code >= 500 && idempotent:
		return backoff, resp.Status
	}
	return 0, ""
}

// neverSent reports whether a request failed before reaching the gateway: the connection could not be opened.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

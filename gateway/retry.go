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
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// maxSized is the largest Content-Length readBody reads into a buffer of that size at once; a longer (or unknown)
// body grows its buffer as it comes, so a bogus length cannot make the client allocate it.
const maxSized = 64 << 20

// readBody reads a whole response body: into one buffer of its size when the answer says it (a page of 1,000
// entities is a megabyte or two, which io.ReadAll would reach by a dozen doublings and copies).
func readBody(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n < 0 || n > maxSized {
		return io.ReadAll(resp.Body)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return nil, err
	}
	return body, nil
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

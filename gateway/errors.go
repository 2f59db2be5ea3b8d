package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kong/go-kong/kong"
)

var (
	// ErrConflict marks a write Kong refused with 409: another entity already holds one of its unique keys. The
	// restore engine adopts that entity (find it with Lookup) instead of failing.
	ErrConflict = errors.New("conflict with an existing entity")
	// ErrNotFound marks a lookup or read of an entity the gateway does not hold.
	ErrNotFound = errors.New("not found")
	// ErrUnreachable marks an Open that could not reach the gateway at all: connection refused, DNS, TLS handshake
	// or timeout, after every retry.
	ErrUnreachable = errors.New("unreachable")
	// ErrInvalid marks an entity the gateway's own schema validation rejected (Validate): writing it would fail.
	ErrInvalid = errors.New("rejected by the gateway's schema validation")
	// ErrNoAnswer marks a write that got no answer from the gateway (the connection dropped, the request timed out
	// or was cancelled): the gateway may or may not have applied it.
	ErrNoAnswer = errors.New("no answer from the gateway: it may or may not have applied the write")
)

// redacted replaces a header value or secret in error messages and logs.
const redacted = "[redacted]"

// minSecretLen is the shortest entity secret scrubbed from messages: shorter values would mangle ordinary words
// without protecting anything worth a secret's name.
const minSecretLen = 4

// scrubber removes known sensitive strings from text.
type scrubber []string

func (s scrubber) scrub(text string) string {
	for _, v := range s {
		if v != "" {
			text = strings.ReplaceAll(text, v, redacted)
		}
	}
	return text
}

// with returns a scrubber that also removes more values, ignoring those too short to matter.
func (s scrubber) with(values ...string) scrubber {
	out := append(scrubber(nil), s...)
	for _, v := range values {
		if len(v) >= minSecretLen {
			out = append(out, v)
		}
	}
	return out
}

// scrubbedError is an error whose message has been scrubbed. It deliberately does not unwrap to the original
// error, whose text (and go-kong's APIError message) may still hold a header value or secret: only the sentinels
// found in the original chain remain visible to errors.Is.
type scrubbedError struct {
	msg       string
	sentinels []error
}

func (e *scrubbedError) Error() string   { return e.msg }
func (e *scrubbedError) Unwrap() []error { return e.sentinels }

// scrubError returns err with every value s knows removed from its message, keeping errors.Is working for
// ErrConflict, ErrNotFound, ErrUnreachable, ErrInvalid, ErrNoAnswer and context cancellation.
func (s scrubber) scrubError(err error) error {
	if err == nil {
		return nil
	}
	out := &scrubbedError{msg: s.scrub(err.Error())}
	for _, sentinel := range []error{ErrConflict, ErrNotFound, ErrUnreachable, ErrInvalid, ErrNoAnswer, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, sentinel) {
			out.sentinels = append(out.sentinels, sentinel)
		}
	}
	return out
}

// kongError turns go-kong's API error into one that reads well in a sentence and carries the sentinel matching its
// status: `HTTP 409: UNIQUE violation detected on '{name="a"}'`.
func kongError(err error) error {
	var apiErr *kong.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	msg := fmt.Sprintf("HTTP %d: Kong says %s", apiErr.Code(), kongMessage(apiErr))
	switch apiErr.Code() {
	case http.StatusConflict:
		return fmt.Errorf("%s: %w", msg, ErrConflict)
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w", msg, ErrNotFound)
	}
	return errors.New(msg)
}

// kongMessage is the message of Kong's error body, quoted, or a note that it had none.
func kongMessage(apiErr *kong.APIError) string {
	full := apiErr.Error()
	// go-kong formats as `HTTP status 409 (message: "...")`; keep only the quoted part.
	if i := strings.Index(full, "(message: "); i >= 0 && strings.HasSuffix(full, ")") {
		if m := full[i+len("(message: ") : len(full)-1]; m != `""` {
			return m
		}
	}
	return "nothing (empty message)"
}

// isStatus reports whether err is a Kong API error with one of the given HTTP statuses.
func isStatus(err error, statuses ...int) bool {
	var apiErr *kong.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, s := range statuses {
		if apiErr.Code() == s {
			return true
		}
	}
	return false
}

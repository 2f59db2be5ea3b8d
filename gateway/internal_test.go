package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   time.Duration
		wantOK bool
	}{
		{name: "seconds", header: "3", want: 3 * time.Second, wantOK: true},
		{name: "zero", header: "0", want: 0, wantOK: true},
		{name: "past date", header: "Wed, 21 Oct 2015 07:28:00 GMT", want: 0, wantOK: true},
		{name: "absent", header: ""},
		{name: "garbage", header: "soon"},
		{name: "negative", header: "-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.header)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if got, ok := parseRetryAfter(future); !ok || got < 59*time.Minute {
		t.Errorf("parseRetryAfter(an hour ahead) = %v, %v", got, ok)
	}
}

func TestRetryAfterDecision(t *testing.T) {
	c := &Client{conn: Connection{Retries: 3, Backoff: 100 * time.Millisecond, MaxBackoff: 250 * time.Millisecond}}
	resp := func(status int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	tests := []struct {
		name     string
		method   string
		resp     *http.Response
		attempt  int
		want     time.Duration
		wantStop bool
	}{
		{name: "GET 500 first", method: http.MethodGet, resp: resp(500, ""), want: 100 * time.Millisecond},
		{name: "GET 500 doubles", method: http.MethodGet, resp: resp(500, ""), attempt: 1, want: 200 * time.Millisecond},
		{name: "GET 500 capped", method: http.MethodGet, resp: resp(500, ""), attempt: 2, want: 250 * time.Millisecond},
		{name: "GET retries spent", method: http.MethodGet, resp: resp(500, ""), attempt: 3, wantStop: true},
		{name: "GET 404", method: http.MethodGet, resp: resp(404, ""), wantStop: true},
		{name: "PUT 502", method: http.MethodPut, resp: resp(502, ""), want: 100 * time.Millisecond},
		{name: "POST 500", method: http.MethodPost, resp: resp(500, ""), wantStop: true},
		{name: "POST 503", method: http.MethodPost, resp: resp(503, ""), want: 100 * time.Millisecond},
		{name: "429 Retry-After", method: http.MethodPost, resp: resp(429, "7"), want: 7 * time.Second},
		{name: "429 Retry-After too long", method: http.MethodGet, resp: resp(429, "3600"), wantStop: true},
		{name: "DELETE 200", method: http.MethodDelete, resp: resp(200, ""), wantStop: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, reason := c.retryAfter(tt.method, tt.resp, nil, tt.attempt)
			if (reason == "") != tt.wantStop || wait != tt.want {
				t.Errorf("retryAfter = %v, %q; want %v, stop %v", wait, reason, tt.want, tt.wantStop)
			}
		})
	}
}

// TestReadBody: a response body is read whole, with or without a Content-Length (and however the reader splits it),
// copied out in one write, and, once closed, gives its buffer back and refuses to be read again, so a late reader
// cannot see another response's bytes.
func TestReadBody(t *testing.T) {
	page := strings.Repeat(`{"data":[{"id":"a"}],"next":null}`, 3000) // 100 kB: past any bufio buffer
	for _, tc := range []struct {
		name, content string
		length        bool // the answer says its length
	}{
		{"with a length", page, true},
		{"without a length", page, false},
		{"empty", "", true},
		{"empty, without a length", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := io.NopCloser(iotest.HalfReader(strings.NewReader(tc.content)))
			resp := &http.Response{ContentLength: -1, Body: in}
			if tc.length {
				resp.ContentLength = int64(len(tc.content))
			}
			body, err := readBody(resp)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if _, err := io.Copy(&got, body); err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.content {
				t.Fatalf("read %d bytes, want %d", got.Len(), len(tc.content))
			}
			if err := body.Close(); err != nil {
				t.Fatal(err)
			}
			if n, err := body.Read(make([]byte, 8)); n != 0 || !errors.Is(err, errBodyClosed) {
				t.Fatalf("read after Close: %d bytes, %v; want 0, %v", n, err, errBodyClosed)
			}
			if _, err := body.WriteTo(io.Discard); !errors.Is(err, errBodyClosed) {
				t.Fatalf("WriteTo after Close: %v, want %v", err, errBodyClosed)
			}
			if err := body.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
		})
	}
	t.Run("short", func(t *testing.T) {
		_, err := readBody(&http.Response{ContentLength: 10, Body: io.NopCloser(strings.NewReader("12345"))})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("a body shorter than its length: %v, want %v", err, io.ErrUnexpectedEOF)
		}
	})
}

// TestPageSinkTakesTheBody: go-kong's copy of a page's body into a pageSink hands the body's own buffer over instead
// of copying it, and closes the body; a body already partly read is copied, from where it was.
func TestPageSinkTakesTheBody(t *testing.T) {
	const content = `{"data":[],"next":null}`
	open := func() *bufferedBody {
		t.Helper()
		resp := &http.Response{ContentLength: int64(len(content)), Body: io.NopCloser(strings.NewReader(content))}
		body, err := readBody(resp)
		if err != nil {
			t.Fatal(err)
		}
		return body
	}

	body := open()
	buf := &(*body.buf)[0]
	var sink pageSink
	if n, err := io.Copy(&sink, body); err != nil || n != int64(len(content)) {
		t.Fatalf("io.Copy: %d, %v", n, err)
	}
	if string(sink.b) != content || &sink.b[0] != buf || sink.back == nil {
		t.Fatalf("the sink holds %q (its own copy: %t), want the body's buffer", sink.b, &sink.b[0] != buf)
	}
	if _, err := body.Read(make([]byte, 1)); !errors.Is(err, errBodyClosed) {
		t.Fatalf("the body handed over can still be read: %v", err)
	}
	body.Close()
	sink.release()
	if sink.b != nil || sink.back != nil {
		t.Fatal("release kept the buffer")
	}

	body = open()
	if _, err := io.ReadFull(body, make([]byte, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(&sink, body); err != nil {
		t.Fatal(err)
	}
	if string(sink.b) != content[2:] || sink.back != nil {
		t.Fatalf("a body read in part: the sink holds %q (taken: %t), want a copy of %q", sink.b, sink.back != nil,
			content[2:])
	}
	body.Close()
}

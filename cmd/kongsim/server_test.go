package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testHandler is what the server tests serve: a path for each way a handler answers.
func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s %d bytes: %s", r.Method, r.URL.RequestURI(), len(body), body)
	})
	mux.HandleFunc("/ignore", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ignored")
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", "11")
		w.Header().Set("X-Multi", "b")
		w.Header().Add("X-Multi", "a")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"ab"}`)
	})
	mux.HandleFunc("/sniff", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body>hi</body></html>")
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNoContent)
		if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
			panic(fmt.Sprintf("a body written after 204: %v", err))
		}
	})
	mux.HandleFunc("/odd", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(599) })
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("/abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	mux.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\ncut")
		buf.Flush()
		conn.Close()
	})
	return mux
}

// serveNetHTTP serves h with net/http's server, as kongsim did, and returns its address.
func serveNetHTTP(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// serveLean serves h with server and returns its address and the server.
func serveLean(t *testing.T, h http.Handler) (string, *server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), srv
}

// exchange writes raw to a new connection to addr, then, for each of waits, waits for it to appear in the answer
// before writing the next part (a body after 100 Continue); it returns all that was answered until the server
// closed the connection, with Date values blanked.
func exchange(t *testing.T, addr string, raw ...string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	var got strings.Builder
	for i, part := range raw {
		if wait, ok := strings.CutPrefix(part, "WAIT "); ok {
			for !strings.Contains(got.String(), wait) {
				b, err := r.ReadByte()
				if err != nil {
					t.Fatalf("part %d: waiting for %q, got %q: %v", i, wait, got.String(), err)
				}
				got.WriteByte(b)
			}
			continue
		}
		if _, err := io.WriteString(conn, part); err != nil {
			t.Fatal(err)
		}
	}
	rest, err := io.ReadAll(r)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("reading the answer: %v (so far %q)", err, got.String()+string(rest))
	}
	got.Write(rest)
	return dates.ReplaceAllString(got.String(), "Date: -")
}

var dates = regexp.MustCompile(`Date: [^\r]*`)

// TestServerAnswersAsNetHTTP: for each way a request comes (keep-alive, pipelined, with a body by length or in
// chunks, 100-continue, HEAD, HTTP/1.0, Connection: close, malformed or too large) and each way a handler answers
// (a declared length or not, 201 with repeated headers, nothing, 204 with a body refused, an unknown status,
// sniffed content, a panic, a hijack), kongsim's server writes byte for byte what net/http's server writes, Date
// aside, and closes the connection when net/http does.
func TestServerAnswersAsNetHTTP(t *testing.T) {
	const end = "GET /echo?end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	cases := []struct {
		name string
		raw  []string
	}{
		{"keep-alive, then close", []string{"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", end}},
		{"pipelined", []string{"GET /json HTTP/1.1\r\nHost: x\r\n\r\nGET /sniff HTTP/1.1\r\nHost: x\r\n\r\n" + end}},
		{"a body by length", []string{"POST /echo?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", end}},
		{"a body in chunks", []string{"PUT /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", end}},
		{"a body left unread", []string{"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", end}},
		{"100-continue", []string{"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", "WAIT 100 Continue\r\n\r\n", "abc", end}},
		{"an expectation not met", []string{"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 3\r\n\r\nabc"}},
		{"HEAD", []string{"HEAD /json HTTP/1.1\r\nHost: x\r\n\r\nHEAD /sniff HTTP/1.1\r\nHost: x\r\n\r\n", end}},
		{"HTTP/1.0", []string{"GET /echo HTTP/1.0\r\n\r\n"}},
		{"Connection: close", []string{"GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"nothing written", []string{"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n", end}},
		{"204 and a body refused", []string{"DELETE /nocontent HTTP/1.1\r\nHost: x\r\n\r\n", end}},
		{"an unknown status", []string{"GET /odd HTTP/1.1\r\nHost: x\r\n\r\n", end}},
		{"not found", []string{"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", end}},
		{"a panic", []string{"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"an aborted handler", []string{"GET /abort HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"a hijack", []string{"GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"malformed", []string{"GET /echo\r\n\r\n"}},
		{"a bad header", []string{"GET /echo HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n"}},
		{"no Host", []string{"GET /echo HTTP/1.1\r\n\r\n"}},
		{"a header too large", []string{"GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", http.DefaultMaxHeaderBytes+8192) + "\r\n\r\n"}},
	}
	h := testHandler()
	stock := serveNetHTTP(t, h)
	lean, _ := serveLean(t, h)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := exchange(t, stock, tc.raw...)
			got := exchange(t, lean, tc.raw...)
			if got != want {
				t.Errorf("kongsim's server answered\n%q\nnet/http's\n%q", got, want)
			}
		})
	}
}

// TestServerShutdown: Shutdown closes idle connections at once, lets a request being served finish (its answer
// says Connection: close), then Serve returns http.ErrServerClosed.
func TestServerShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
	idleR := bufio.NewReader(idle)
	if resp, err := http.ReadResponse(idleR, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first answer: %v %v", resp, err)
	} else if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}

	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started

	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idleR.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("the idle connection was not closed: %v", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was being served", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	busy.SetReadDeadline(time.Now().Add(5 * time.Second))
	busyR := bufio.NewReader(busy)
	resp, err := http.ReadResponse(busyR, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "done" || !resp.Close {
		t.Fatalf("the request served during Shutdown: %q, Connection: close %t", body, resp.Close)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve returned %v, want %v", err, http.ErrServerClosed)
	}
}

// TestServerClosesAfterABodyNeverAsked: a client that sent Expect: 100-continue and was answered without being
// asked for its body may or may not send it still, so the connection cannot be read again: the answer says
// Connection: close and the connection closes.
func TestServerClosesAfterABodyNeverAsked(t *testing.T) {
	lean, _ := serveLean(t, testHandler())
	got := exchange(t, lean, "POST /ignore HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
	want := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: -\r\nContent-Length: 7\r\nConnection: close\r\n\r\n" +
		"ignored"
	if got != want {
		t.Fatalf("answered %q, want %q", got, want)
	}
}

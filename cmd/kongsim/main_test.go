package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRunServesAndShutsDown(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"--listen", addr, "--version", "3.9.3", "--fault", "method=GET,prefix=/status,status=503"}, &logs)
	}()

	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("GET /: %v", err)
	}
	var root struct{ Version string }
	if err := json.NewDecoder(resp.Body).Decode(&root); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if root.Version != "3.9.3" || resp.Header.Get("Server") != "kong/3.9.3" {
		t.Errorf("version %q, Server header %q; want 3.9.3", root.Version, resp.Header.Get("Server"))
	}
	status, err := http.Get("http://" + addr + "/status")
	if err != nil {
		t.Fatal(err)
	}
	status.Body.Close()
	if status.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /status with a fault = %d, want 503", status.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("logs lack shutdown line:\n%s", logs.String())
	}
}

func TestRunRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "bad fault", args: []string{"--fault", "status=abc"}, want: "parsing fault"},
		{name: "fault without effect", args: []string{"--fault", "method=GET"}, want: "needs status"},
		{name: "missing seed file", args: []string{"--seed", "no-such-kong.yaml"}, want: "no-such-kong.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--listen", freeAddr(t)}, tt.args...)
			err := run(context.Background(), args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%v) = %v, want error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

// `kongsim --help` prints the usage and exits 0 (the test re-runs its own binary as kongsim).
func TestHelpExitsZero(t *testing.T) {
	if os.Getenv("KONGSIM_TEST_MAIN") == "1" {
		os.Args = []string{"kongsim", "--help"}
		main()
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelpExitsZero$")
	cmd.Env = append(os.Environ(), "KONGSIM_TEST_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kongsim --help: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Usage: kongsim") || !strings.Contains(string(out), "-listen") {
		t.Errorf("kongsim --help printed %q", out)
	}
	var logs bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, &logs); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("run --help = %v, want flag.ErrHelp", err)
	}
}

// --log-writes logs every request that may change the gateway, and no read.
func TestRunLogWrites(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- run(ctx, []string{"--listen", addr, "--log-writes"}, &logs) }()

	base := "http://" + addr
	send := func(method, path, body string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
	}
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("GET /: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	send(http.MethodPost, "/services", `{"name":"a","host":"a.example"}`)
	send(http.MethodGet, "/services", "")
	send(http.MethodHead, "/services", "")
	send(http.MethodOptions, "/services", "")
	send(http.MethodPatch, "/services/a", `{"retries":3}`)
	send(http.MethodDelete, "/services/a", "")

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	var writes []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "msg=write ") {
			writes = append(writes, line[strings.Index(line, "method="):])
		}
	}
	want := []string{"method=POST path=/services", "method=PATCH path=/services/a", "method=DELETE path=/services/a"}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("write log lines:\n%s\nwant:\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
	}
}

// onLine calls fn with each log line run writes, as it writes it.
type onLine func(line string)

func (f onLine) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		f(line)
	}
	return len(p), nil
}

// TestGeneratedBeforeServing: a client that starts as soon as kongsim says it is listening reads the whole
// generated gateway, not the part generated so far.
func TestGeneratedBeforeServing(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	services := make(chan int, 1)
	logs := onLine(func(line string) {
		if !strings.Contains(line, "kongsim listening") {
			return
		}
		resp, err := http.Get("http://" + addr + "/services?size=1000")
		if err != nil {
			services <- -1
			return
		}
		defer resp.Body.Close()
		var page struct{ Data []json.RawMessage }
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			services <- -1
			return
		}
		services <- len(page.Data)
	})
	go func() { done <- run(ctx, []string{"--listen", addr, "--generate", "2000"}, logs) }()
	var n int
	select {
	case n = <-services:
	case <-time.After(10 * time.Second):
		t.Fatal("kongsim never said it was listening")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if n <= 0 {
		t.Errorf("a client starting on \"listening\" read %d services of the generated gateway", n)
	}
}

// --cpuprofile writes a CPU profile of the requests served when kongsim shuts down.
func TestRunCPUProfile(t *testing.T) {
	addr := freeAddr(t)
	path := t.TempDir() + "/kongsim.prof"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--listen", addr, "--cpuprofile", path}, &bytes.Buffer{}) }()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/services")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("GET /services: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A pprof profile is a gzipped protocol buffer.
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s is not a CPU profile: %v", path, err)
	}
	if data, err := io.ReadAll(zr); err != nil || len(data) == 0 {
		t.Errorf("%s holds %d bytes of profile: %v", path, len(data), err)
	}
}

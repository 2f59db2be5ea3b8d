package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

// On a terminal, a read shows pages and entities per kind on one rewritten line; in a CI log, one line per
// connection status and no control characters.
func TestProgressOnlyOnATerminal(t *testing.T) {
	srv := httptest.NewServer(kongsim.New(kongsim.Options{}))
	defer srv.Close()
	post(t, srv.URL+"/services", `{"name":"svc","host":"example.internal"}`)
	for _, tty := range []bool{true, false} {
		cfg := writeConfig(t, "repository:\n  path: "+filepath.Join(t.TempDir(), "repo")+"\nconnections:\n  - name: ci\n    admin_url: "+srv.URL+"\n")
		var stdout, stderr bytes.Buffer
		g := &globals{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, stderrTTY: tty}
		if code := runWith(context.Background(), g, []string{"backup", "--config", cfg, "--all"}); code != exitOK {
			t.Fatalf("tty=%v: exit %d\n%s", tty, code, stderr.String())
		}
		live := strings.Contains(stderr.String(), "ci: reading ") && strings.Contains(stderr.String(), ": page 1, ")
		if live != tty || strings.Contains(stderr.String(), "\x1b[K") != tty {
			t.Errorf("tty=%v: stderr %q", tty, stderr.String())
		}
		if !strings.Contains(stderr.String(), "ci: completed in ") {
			t.Errorf("tty=%v: no status line with its duration: %q", tty, stderr.String())
		}
		if strings.Contains(stdout.String(), "\x1b") {
			t.Errorf("tty=%v: control characters on stdout: %q", tty, stdout.String())
		}
	}
}

func TestProgressOfAnApply(t *testing.T) {
	srv := httptest.NewServer(kongsim.New(kongsim.Options{}))
	defer srv.Close()
	cfg := writeConfig(t, "repository:\n  path: "+filepath.Join(t.TempDir(), "repo")+"\nconnections:\n  - name: ci\n    admin_url: "+srv.URL+"\n")
	post(t, srv.URL+"/services", `{"name":"svc","host":"example.internal"}`)
	var stdout, stderr bytes.Buffer
	g := &globals{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, stderrTTY: true}
	if code := runWith(context.Background(), g, []string{"backup", "--config", cfg, "--all"}); code != exitOK {
		t.Fatalf("backup: exit %d\n%s", code, stderr.String())
	}
	post(t, srv.URL+"/services", `{"name":"by-hand","host":"example.internal"}`)
	stderr.Reset()
	if code := runWith(context.Background(), g, []string{"restore", "--config", cfg, "--connection", "ci", "--to", "kong/ci", "--yes", "--allow-empty"}); code != exitOK {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "ci: applied 1/1 operations (") {
		t.Errorf("no apply progress: %q", stderr.String())
	}
}

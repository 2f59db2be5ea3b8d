package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

func TestDumpWritesAReadableDirectory(t *testing.T) {
	gw := newGateway(t)
	gw.seed(t)
	env := newEnv(t, connectionsYAML(t.TempDir(), "", map[string]string{"prod": gw.url}, ""), map[string]string{"KONGSNAP_KEY": testKey})
	out := filepath.Join(t.TempDir(), "snap")
	if err := Dump(context.Background(), env.Env, DumpOptions{Connection: "prod", Output: out}); err != nil {
		t.Fatal(err)
	}
	files, err := snapshot.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := snapshot.Verify(files); err != nil {
		t.Errorf("dump fails its own integrity check: %v", err)
	}
	keys, _ := snapshot.ParseKeyring(testKey)
	s, err := snapshot.Read(files, snapshot.ReadOptions{Keyring: keys})
	if err != nil || s.Len() != 5 {
		t.Fatalf("read back: %v, %d entities", err, s.Len())
	}
	for name, data := range files {
		if bytes.Contains(data, []byte("alice-secret-key-123")) {
			t.Errorf("%s holds the key-auth key in plaintext", name)
		}
	}
}

func TestDumpFailureLeavesNoHalfWrittenDirectory(t *testing.T) {
	tests := []struct {
		name  string
		fault kongsim.Fault
	}{
		{"5xx after retries", kongsim.Fault{Method: "GET", PathPrefix: "/plugins", Status: 503}},
		{"dropped connection", kongsim.Fault{Method: "GET", PathPrefix: "/consumers", DropConnection: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := newGateway(t)
			gw.seed(t)
			gw.sim.AddFault(tt.fault)
			env := newEnv(t, connectionsYAML(t.TempDir(), "", map[string]string{"prod": gw.url}, ""), map[string]string{"KONGSNAP_KEY": testKey})
			parent := t.TempDir()
			existing := filepath.Join(parent, "snap")
			if err := os.MkdirAll(existing, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(existing, "services.yaml"), []byte("previous dump\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Dump(context.Background(), env.Env, DumpOptions{Connection: "prod", Output: existing})
			if err == nil || !strings.Contains(err.Error(), `connection "prod"`) {
				t.Fatalf("err = %v, want a failure naming the connection", err)
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 1 {
				t.Errorf("leftovers beside the output: %v", entries)
			}
			if data, _ := os.ReadFile(filepath.Join(existing, "services.yaml")); string(data) != "previous dump\n" {
				t.Errorf("the previous dump was touched: %q", data)
			}
		})
	}
}

func TestDumpToStdoutIsOneMergedDeckFile(t *testing.T) {
	gw := newGateway(t)
	gw.seed(t)
	env := newEnv(t, "connections:\n  - name: x\n    admin_url: http://unused:1\n", map[string]string{"KONGSNAP_KEY": testKey})
	if err := Dump(context.Background(), env.Env, DumpOptions{AdminURL: gw.url, Output: "-", Secrets: "redact"}); err != nil {
		t.Fatal(err)
	}
	out := env.stdout.String()
	if !strings.HasPrefix(out, `_format_version: "3.0"`) || !strings.Contains(out, "services:") || !strings.Contains(out, "consumers:") {
		t.Errorf("merged file:\n%s", out)
	}
	if strings.Contains(out, "alice-secret-key-123") || !strings.Contains(out, snapshot.Redacted) {
		t.Error("redact mode did not redact")
	}
}

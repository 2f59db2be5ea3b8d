package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// Issue 12 §6: `dump -o` never destroys what is there. The README's quickstart `kongsnap dump … -o snapshot/`, run
// from the repository root, used to replace the project's own snapshot/ Go package.
func TestDumpNeverReplacesWhatItDidNotWrite(t *testing.T) {
	gw := newGateway(t)
	gw.seed(t)
	env := newEnv(t, connectionsYAML(t.TempDir(), "", map[string]string{"prod": gw.url}, ""), map[string]string{"KONGSNAP_KEY": testKey})
	dump := func(output string, force bool) error {
		return Dump(context.Background(), env.Env, DumpOptions{Connection: "prod", Output: output, Force: force})
	}
	root := t.TempDir()
	t.Chdir(root)
	writeFile := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFile("snapshot/model.go", "package snapshot\n")
	writeFile("kong.yaml", "_format_version: \"3.0\"\nservices: [] # written by hand\n")

	for _, tt := range []struct{ output, want string }{
		{"snapshot/", "refusing to replace snapshot: it is a directory that is not a kongsnap dump"},
		{"kong.yaml", "refusing to replace kong.yaml: it exists and kongsnap did not write it"},
	} {
		err := dump(tt.output, false)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--force") {
			t.Errorf("dump -o %s over someone else's files: %v, want %q naming --force", tt.output, err, tt.want)
		}
	}
	if data, _ := os.ReadFile("snapshot/model.go"); string(data) != "package snapshot\n" {
		t.Errorf("snapshot/model.go = %q: the Go package was touched", data)
	}
	if data, _ := os.ReadFile("kong.yaml"); !strings.Contains(string(data), "written by hand") {
		t.Errorf("kong.yaml = %q: the hand-written file was touched", data)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 2 {
		t.Errorf("refused dumps left files behind: %v", entries)
	}
	if err := dump(".", true); err == nil || !strings.Contains(err.Error(), "holds the current directory") {
		t.Errorf("dump -o . --force: %v, want a refusal even with --force", err)
	}

	// A directory dump, and a second dump over it: a previous kongsnap dump is replaced.
	for range 2 {
		if err := dump("out", false); err != nil {
			t.Fatalf("dump -o out: %v", err)
		}
	}
	if files, err := snapshot.ReadDir("out"); err != nil || snapshot.Verify(files) != nil {
		t.Errorf("dump -o out: %v", err)
	}

	// -o FILE.yaml is one merged decK file, not a directory; a second dump replaces it.
	for range 2 {
		if err := dump("merged/kong.yaml", false); err != nil {
			t.Fatalf("dump -o merged/kong.yaml: %v", err)
		}
	}
	data, err := os.ReadFile("merged/kong.yaml")
	if err != nil {
		t.Fatalf("-o merged/kong.yaml wrote no file: %v", err)
	}
	if !strings.Contains(string(data), "\n_format_version: \"3.0\"\n") || !strings.Contains(string(data), "services:") {
		t.Errorf("merged file:\n%s", data)
	}
	if err := dump("merged/kong.json", false); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if data, _ := os.ReadFile("merged/kong.json"); json.Unmarshal(data, &doc) != nil || doc["_format_version"] != "3.0" {
		t.Errorf("-o kong.json is not a decK JSON file:\n%s", data)
	}

	// --force replaces what is not a dump, whole.
	if err := dump("snapshot", true); err != nil {
		t.Fatalf("dump -o snapshot --force: %v", err)
	}
	if _, err := os.Stat("snapshot/model.go"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--force left the old directory's files: %v", err)
	}
	if err := dump("kong.yaml", true); err != nil {
		t.Fatalf("dump -o kong.yaml --force: %v", err)
	}
	if data, _ := os.ReadFile("kong.yaml"); strings.Contains(string(data), "written by hand") {
		t.Error("--force did not replace kong.yaml")
	}
}

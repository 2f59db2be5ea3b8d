//go:build interop

package interop

import (
	"flag"
	"os"
	"testing"

	"gopkg.in/yaml.v3"
)

// scripts/interop.sh passes the synced file and decK's two dumps of kongsim.
var (
	targetFile     = flag.String("target", "", "the decK file that was synced")
	dumpFile       = flag.String("dump", "", "the output of deck gateway dump")
	dumpWithIDFile = flag.String("dump-with-id", "", "the output of deck gateway dump --with-id")
)

// hashed is what decK cannot round-trip against real Kong either: Kong stores basic-auth passwords hashed.
var hashed = []string{"consumers.basicauth_credentials.password"}

func readDeckFile(t *testing.T, path string) map[string]any {
	t.Helper()
	if path == "" {
		t.Fatal("run through scripts/interop.sh: -target, -dump and -dump-with-id are required")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading decK file: %v", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding decK file %s: %v", path, err)
	}
	return m
}

func TestDeckDump(t *testing.T) {
	target := readDeckFile(t, *targetFile)
	tests := []struct {
		name string
		dump string
		opts Options
	}{
		{name: "deck gateway dump", dump: *dumpFile, opts: Options{IgnoreIDs: true, Ignore: hashed}},
		{name: "deck gateway dump --with-id", dump: *dumpWithIDFile, opts: Options{Ignore: hashed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range Differences(target, readDeckFile(t, tt.dump), tt.opts) {
				t.Error(d)
			}
		})
	}
}

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
	skipTarget     = flag.String("skip-defaults-target", "", "the decK file synced before dump --skip-defaults")
	skipDump       = flag.String("skip-defaults-dump", "", "the output of deck gateway dump --skip-defaults")
)

// hashed is what decK cannot round-trip against real Kong either: Kong stores basic-auth passwords hashed.
var hashed = []string{"consumers.basicauth_credentials.password"}

func readDeckFile(t *testing.T, path string) map[string]any {
	t.Helper()
	if path == "" {
		t.Fatal("run through scripts/interop.sh, which passes the files to compare")
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

// decKKeeps are the fields decK v1.55.0's dump --skip-defaults keeps against Kong too: plugin subschemas have no
// "enabled" field, cert_digest is computed, a key's set is written out whole, and upstream healthchecks, whose
// nested records carry whole-record defaults in Kong's schema, are only partly stripped by decK.
var decKKeeps = []string{
	"plugins.enabled", "services.plugins.enabled", "services.routes.plugins.enabled", "consumers.plugins.enabled",
	"ca_certificates.cert_digest", "keys.set.tags", "upstreams.healthchecks",
}

// TestDeckDumpSkipDefaults checks that the defaults kongsim serves in /schemas agree with what it stores:
// decK strips every value equal to a served default, so what is left must be what the synced file said.
func TestDeckDumpSkipDefaults(t *testing.T) {
	dump := readDeckFile(t, *skipDump)
	for _, d := range Differences(dump, readDeckFile(t, *skipTarget), Options{IgnoreIDs: true, Ignore: decKKeeps}) {
		t.Errorf("deck gateway dump --skip-defaults kept a value the synced file does not set: %s", d)
	}
}

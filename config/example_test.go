package config

import (
	"os"
	"testing"
)

// The example shipped to users (kongsnap init) must stay a valid config.
func TestExampleConfigParses(t *testing.T) {
	data, err := os.ReadFile("../examples/kongsnap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(data, func(string) (string, bool) { return "x-value", true })
	if err != nil {
		t.Fatalf("examples/kongsnap.yaml: %v", err)
	}
	if len(cfg.Connections) != 2 || cfg.Connections[1].OnDrift != OnDriftCommit {
		t.Errorf("unexpected example connections: %+v", cfg.Connections)
	}
}

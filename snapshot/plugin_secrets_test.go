package snapshot

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
)

// A Redis password in a plugin's config is a credential: it never reaches a file in plaintext, under its current
// name or the deprecated flat one Kong 3.9 echoes.
func TestPluginRedisPasswordIsASecret(t *testing.T) {
	const password = "redis-pa55word-for-rate-limiting"
	s := &Snapshot{Plugins: []*kong.Plugin{{
		ID: kong.String("0a000000-0000-4000-8000-000000000001"), Name: kong.String("rate-limiting"),
		Config: kong.Configuration{"minute": 5, "policy": "redis", "redis_password": password,
			"redis": map[string]any{"host": "redis.internal", "password": password}},
	}}}
	keys, err := NewKeyring(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []SecretMode{SecretsEncrypt, SecretsRedact} {
		files, err := Write(s, WriteOptions{Secrets: mode, Keyring: keys})
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			if strings.Contains(string(data), password) {
				t.Errorf("%s mode: %s holds the Redis password:\n%s", mode, name, data)
			}
		}
		if mode != SecretsEncrypt {
			continue
		}
		back, err := Read(files, ReadOptions{Keyring: keys})
		if err != nil {
			t.Fatal(err)
		}
		redis := back.Plugins[0].Config["redis"].(map[string]any)
		if redis["password"] != password || back.Plugins[0].Config["redis_password"] != password {
			t.Errorf("decrypted config = %v", back.Plugins[0].Config)
		}
	}
}

// The writer writes a plugin's config itself, not a copy of it, when it holds only what JSON decodes into
// (writtenConfig): the file is the one a copy gives, and hiding a secret in it leaves the live config as it was.
func TestWrittenConfigIsSharedNotChanged(t *testing.T) {
	const password = "redis-pa55word-for-rate-limiting"
	// As a gateway's JSON decodes: float64 numbers. The same config with Go ints takes jsonAny's copy.
	decoded := func() kong.Configuration {
		return kong.Configuration{"minute": 5.0, "fault_tolerant": true, "policy": "redis", "redis_password": password,
			"ratio": 0.25, "tiny": 1e-7, "huge": 1e21, "minus": -3.0, "limit_by": nil, "hosts": []any{"a", 1.5, 2.0},
			"redis": map[string]any{"host": "redis.internal", "password": password, "port": 6379.0, "ssl": false}}
	}
	copied := decoded()
	copied["minute"], copied["minus"], copied["hosts"] = 5, -3, []any{"a", 1.5, 2}
	copied["redis"].(map[string]any)["port"] = 6379
	plugin := func(c kong.Configuration) *Snapshot {
		return &Snapshot{Plugins: []*kong.Plugin{{ID: kong.String("0a000000-0000-4000-8000-000000000001"),
			Name: kong.String("rate-limiting"), Config: c}}}
	}
	ring, err := NewKeyring(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []SecretMode{SecretsEncrypt, SecretsRedact, SecretsPlain} {
		live := plugin(decoded())
		shared, err := Write(live, WriteOptions{Secrets: mode, Keyring: ring})
		if err != nil {
			t.Fatal(err)
		}
		if shared["plugins.yaml"] == nil {
			t.Fatalf("no plugins.yaml among %v", keys(shared))
		}
		if !reflect.DeepEqual(live.Plugins[0].Config, decoded()) {
			t.Errorf("%s mode: writing changed the live config: %v", mode, live.Plugins[0].Config)
		}
		viaCopy, err := Write(plugin(copied), WriteOptions{Secrets: mode, Keyring: ring})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(shared, viaCopy) {
			t.Errorf("%s mode: a config passed through is written\n%s\nand its copy\n%s", mode,
				shared["plugins.yaml"], viaCopy["plugins.yaml"])
		}
		if mode != SecretsPlain && strings.Contains(string(shared["plugins.yaml"]), password) {
			t.Errorf("%s mode: the file holds the Redis password:\n%s", mode, shared["plugins.yaml"])
		}
	}
}

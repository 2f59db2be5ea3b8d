package snapshot

import (
	"bytes"
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

package snapshot

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
)

// Fields learned from a gateway's schemas are secrets in every mode, inside lists of records too; a file written
// with them reads back decrypted in a run that has not learned them yet, and the read teaches them.
func TestLearnedSecretFieldsAreHiddenAndReadBack(t *testing.T) {
	const name = "test-learned-plugin"
	s := &Snapshot{Plugins: []*kong.Plugin{{
		ID: kong.String("0a000000-0000-4000-8000-000000000099"), Name: kong.String(name),
		Config: kong.Configuration{"auth": map[string]any{"token": "tok-secret-1"}, "endpoint": "https://x.example",
			"upstreams": []any{map[string]any{"host": "a", "password": "pw-secret-2"}}},
	}}}
	LearnSecrets(KindPlugin, name, "config.auth.token", "config.upstreams[].password")
	keys, err := NewKeyring(bytes.Repeat([]byte{9}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	redacted, err := Write(s, WriteOptions{Secrets: SecretsRedact})
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := Write(s, WriteOptions{Secrets: SecretsEncrypt, Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	for mode, files := range map[string]Files{"redact": redacted, "encrypt": encrypted} {
		data := string(files["plugins.yaml"])
		if strings.Contains(data, "tok-secret-1") || strings.Contains(data, "pw-secret-2") || !strings.Contains(data, "x.example") {
			t.Errorf("%s mode plugins.yaml:\n%s", mode, data)
		}
	}

	learned.mu.Lock()
	delete(learned.plugins, name)
	learned.mu.Unlock()
	back, err := Read(encrypted, ReadOptions{Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	cfg := back.Plugins[0].Config
	if cfg["auth"].(map[string]any)["token"] != "tok-secret-1" ||
		cfg["upstreams"].([]any)[0].(map[string]any)["password"] != "pw-secret-2" {
		t.Errorf("read back config = %v; want the secrets decrypted", cfg)
	}
	if paths := SecretPaths(KindPlugin, name); !slices.Contains(paths, "config.auth.token") ||
		!slices.Contains(paths, "config.upstreams[].password") {
		t.Errorf("secret paths after reading = %v; want both learned from the file", paths)
	}
	redactedBack, err := Read(redacted, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := redactedBack.RedactedFields(); len(got) != 2 {
		t.Errorf("RedactedFields = %v; want both learned fields", got)
	}
}

package snapshot

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
)

func TestNoPlaintextSecretInFiles(t *testing.T) {
	tests := []struct {
		name string
		opts WriteOptions
	}{
		{"encrypt", WriteOptions{Keyring: testRing(t, 1)}},
		{"redact", WriteOptions{Secrets: SecretsRedact}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := writeRich(t, richSnapshot(t), tt.opts)
			merged, err := WriteMerged(richSnapshot(t), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			files["merged"] = merged
			for name, data := range files {
				for _, secret := range richSecrets {
					if bytes.Contains(data, []byte(secret)) {
						t.Errorf("%s holds the secret %q in plaintext", name, secret)
					}
				}
			}
		})
	}
	plain := writeRich(t, richSnapshot(t), WriteOptions{Secrets: SecretsPlain})
	if !bytes.Contains(plain["consumers.yaml"], []byte("alice-key-auth-secret")) {
		t.Error("plain mode did not write the key-auth key as it is")
	}
}

func TestCiphertextIsStable(t *testing.T) {
	first := writeRich(t, richSnapshot(t), richOptions(t))
	again := writeRich(t, richSnapshot(t), richOptions(t))
	for _, name := range keys(first) {
		if !bytes.Equal(first[name], again[name]) {
			t.Errorf("%s differs between two writes of the same snapshot", name)
		}
	}
	changed := richSnapshot(t)
	changed.KeyAuths[0].Key = kong.String("alice-rotated-key")
	after := writeRich(t, changed, richOptions(t))
	diff := changedLines(string(first["consumers.yaml"]), string(after["consumers.yaml"]))
	if len(diff) != 1 || !strings.Contains(diff[0], "key: kongsnap:v1:") {
		t.Errorf("changing one secret changed lines %q, want only that key's line", diff)
	}
}

func changedLines(a, b string) []string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			out = append(out, lb[i])
		}
	}
	return out
}

func TestCiphertextIsBoundToItsEntity(t *testing.T) {
	s := richSnapshot(t)
	s.KeyAuths[1].Key = kong.String("alice-key-auth-secret")
	files := writeRich(t, s, richOptions(t))
	lines := keyLines(string(files["consumers.yaml"]))
	if len(lines) != 2 || lines[0] == lines[1] {
		t.Fatalf("two key-auths with the same key: lines %q, want two different ciphertexts", lines)
	}
	swapped := strings.NewReplacer(lines[0], lines[1], lines[1], lines[0]).Replace(string(files["consumers.yaml"]))
	files["consumers.yaml"] = []byte(swapped)
	_, err := Read(files, ReadOptions{Keyring: testRing(t, 1)})
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Read of swapped ciphertexts: %v, want ErrWrongKey", err)
	}
	if !strings.Contains(err.Error(), "key-auth credential 00000000-0000-4000-8000-0000000000b") {
		t.Errorf("error %q does not name the key-auth credential", err)
	}
}

func keyLines(yaml string) []string {
	var out []string
	for _, line := range strings.Split(yaml, "\n") {
		if strings.Contains(line, " key: kongsnap:") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

func TestSecretsRead(t *testing.T) {
	written := writeRich(t, richSnapshot(t), WriteOptions{Keyring: testRing(t, 1)})
	rotated := func(t *testing.T) Files {
		s, err := Read(written, ReadOptions{Keyring: testRing(t, 2, 1)})
		if err != nil {
			t.Fatal(err)
		}
		return writeRich(t, s, WriteOptions{Keyring: testRing(t, 2, 1)})
	}
	tests := []struct {
		name    string
		files   func(t *testing.T) Files
		ring    *Keyring
		wantErr error
		msg     string
	}{
		{name: "same key", files: func(*testing.T) Files { return written }, ring: testRing(t, 1)},
		{name: "old key after rotation decrypts", files: func(*testing.T) Files { return written }, ring: testRing(t, 2, 1)},
		{name: "rewritten after rotation, new key alone decrypts", files: rotated, ring: testRing(t, 2)},
		{name: "rewritten after rotation, old key alone fails", files: rotated, ring: testRing(t, 1),
			wantErr: ErrWrongKey, msg: "which the keyring (keys " + testRing(t, 1).KeyIDs()[0] + ") does not hold"},
		{name: "wrong key", files: func(*testing.T) Files { return written }, ring: testRing(t, 9),
			wantErr: ErrWrongKey, msg: `field key: decrypting certificate ` + idCert},
		{name: "no key", files: func(*testing.T) Files { return written }, ring: nil,
			wantErr: ErrNoKey, msg: `certificates.yaml:12: certificates[0]: field key: decrypting certificate ` + idCert},
		{name: "key with the same id but other bytes", files: func(*testing.T) Files { return tamperKeyID(written, testRing(t, 9)) },
			ring: testRing(t, 9), wantErr: ErrWrongKey, msg: "does not decrypt with key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := tt.files(t)
			s, err := Read(files, ReadOptions{Keyring: tt.ring})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("Read error = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			want := richSnapshot(t)
			want.SortByID()
			s.SortByID()
			for _, kind := range []Kind{KindKeyAuth, KindBasicAuth, KindHMACAuth, KindJWT, KindOAuth2, KindCertificate, KindKey, KindVault} {
				if got, want := dump(t, s.Entities(kind)), dump(t, want.Entities(kind)); got != want {
					t.Errorf("%s decrypted to\n%s\nwant\n%s", kind, got, want)
				}
			}
		})
	}
	if files := rotated(t); !bytes.Contains(files["consumers.yaml"], []byte(encryptedPrefix+testRing(t, 2).KeyIDs()[0]+":")) {
		t.Error("after rotation the new first key does not encrypt")
	}
}

// tamperKeyID relabels every ciphertext as if written by ring's first key.
func tamperKeyID(files Files, ring *Keyring) Files {
	out := Files{}
	for name, data := range files {
		out[name] = bytes.ReplaceAll(data, []byte(encryptedPrefix+keyIDOf(1)), []byte(encryptedPrefix+ring.KeyIDs()[0]))
	}
	return out
}

func keyIDOf(seed byte) string {
	ring, _ := NewKeyring(testKey(seed))
	return ring.KeyIDs()[0]
}

func TestWriteSecretModes(t *testing.T) {
	noSecrets := &Snapshot{Consumers: []*kong.Consumer{{ID: kong.String(idAlice), Username: kong.String("alice")}}}
	tests := []struct {
		name    string
		s       *Snapshot
		opts    WriteOptions
		wantErr error
		msg     string
	}{
		{name: "encrypt without key", s: richSnapshot(t), opts: WriteOptions{}, wantErr: ErrNoKey,
			msg: "is a secret and mode is encrypt"},
		{name: "explicit encrypt without key", s: richSnapshot(t), opts: WriteOptions{Secrets: SecretsEncrypt}, wantErr: ErrNoKey},
		{name: "no secrets needs no key", s: noSecrets, opts: WriteOptions{}},
		{name: "redact needs no key", s: richSnapshot(t), opts: WriteOptions{Secrets: SecretsRedact}},
		{name: "unknown mode", s: noSecrets, opts: WriteOptions{Secrets: "rot13"}, msg: `unknown secret mode "rot13"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Write(tt.s, tt.opts)
			if tt.msg == "" && tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Write: %v", err)
				}
				return
			}
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Write error = %v, want %v containing %q", err, tt.wantErr, tt.msg)
			}
		})
	}
}

func TestRedactedFields(t *testing.T) {
	files := writeRich(t, richSnapshot(t), WriteOptions{Secrets: SecretsRedact})
	s, err := Read(files, ReadOptions{})
	if err != nil {
		t.Fatalf("Read of a redacted snapshot: %v", err)
	}
	var got []string
	for _, f := range s.RedactedFields() {
		got = append(got, string(f.Kind)+" "+f.Field)
	}
	want := []string{"basicauth_credentials password", "certificates key", "certificates key_alt",
		"hmacauth_credentials secret", "jwt_secrets secret", "keyauth_credentials key", "keyauth_credentials key",
		"keys jwk", "keys pem.private_key", "oauth2_credentials client_secret", "vaults config.host", "vaults config.token"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("RedactedFields = %q\nwant %q", got, want)
	}
	if fields := richSnapshot(t).RedactedFields(); len(fields) != 0 {
		t.Errorf("RedactedFields of a snapshot with real secrets = %v", fields)
	}
	again := writeRich(t, s, WriteOptions{Keyring: testRing(t, 1)})
	if !bytes.Contains(again["consumers.yaml"], []byte("password: "+Redacted)) {
		t.Errorf("encrypting a redacted value hid that it is redacted:\n%s", again["consumers.yaml"])
	}
}

func TestKeyring(t *testing.T) {
	key := testKey(1)
	other := testKey(2)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys")
	if err := os.WriteFile(keyFile, []byte("# current\n"+base64.StdEncoding.EncodeToString(other)+"\n# previous\n"+hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		load func() (*Keyring, error)
		ids  []string
		msg  string
	}{
		{name: "hex", load: func() (*Keyring, error) { return ParseKeyring(hex.EncodeToString(key)) }, ids: []string{keyIDOf(1)}},
		{name: "base64", load: func() (*Keyring, error) { return ParseKeyring(base64.StdEncoding.EncodeToString(key)) }, ids: []string{keyIDOf(1)}},
		{name: "base64url unpadded, two keys", load: func() (*Keyring, error) {
			return ParseKeyring(base64.RawURLEncoding.EncodeToString(other) + ", " + hex.EncodeToString(key))
		}, ids: []string{keyIDOf(2), keyIDOf(1)}},
		{name: "file with comments", load: func() (*Keyring, error) { return KeyringFromFile(keyFile) }, ids: []string{keyIDOf(2), keyIDOf(1)}},
		{name: "env", load: func() (*Keyring, error) {
			t.Setenv("KONGSNAP_TEST_KEY", hex.EncodeToString(key))
			return KeyringFromEnv("KONGSNAP_TEST_KEY")
		}, ids: []string{keyIDOf(1)}},
		{name: "env unset", load: func() (*Keyring, error) { return KeyringFromEnv("KONGSNAP_TEST_UNSET_KEY") },
			msg: "environment variable KONGSNAP_TEST_UNSET_KEY: variable unset or empty"},
		{name: "short key", load: func() (*Keyring, error) { return ParseKeyring(base64.StdEncoding.EncodeToString(key[:16])) },
			msg: "key 1: base64 value decodes to 16 bytes, want 32"},
		{name: "garbage", load: func() (*Keyring, error) { return ParseKeyring("not-a-key!") },
			msg: "key 1: not 64 hex digits nor the base64 of 32 bytes"},
		{name: "same key twice", load: func() (*Keyring, error) { return NewKeyring(key, key) },
			msg: "appears twice"},
		{name: "empty", load: func() (*Keyring, error) { return ParseKeyring("# nothing\n") }, msg: "no encryption key"},
		{name: "missing file", load: func() (*Keyring, error) { return KeyringFromFile(filepath.Join(dir, "absent")) },
			msg: "reading keyring file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := tt.load()
			if tt.msg != "" {
				if err == nil || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("error = %v, want one containing %q", err, tt.msg)
				}
				if strings.Contains(err.Error(), hex.EncodeToString(key)) {
					t.Errorf("error %q shows the key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ring.KeyIDs(), tt.ids) {
				t.Errorf("key ids = %v, want %v", ring.KeyIDs(), tt.ids)
			}
		})
	}
}

// TestRedactedFieldsDeep: a redacted value is found wherever it sits in an entity, not only in the secret fields
// of the rich snapshot: in a list inside a plugin's config, in a tag.
func TestRedactedFieldsDeep(t *testing.T) {
	for _, tc := range []struct {
		name   string
		entity any
		field  string
	}{
		{"a list in a plugin's config", &kong.Plugin{ID: kong.String("p1"), Name: kong.String("request-transformer"),
			Config: kong.Configuration{"add": map[string]any{"headers": []any{"x-a:1", Redacted}}}}, "config.add.headers[1]"},
		{"a tag", &kong.Service{ID: kong.String("s1"), Name: kong.String("svc"), Tags: kong.StringSlice("a", Redacted)},
			"tags[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Snapshot{}
			if _, err := s.Add(tc.entity); err != nil {
				t.Fatal(err)
			}
			fields := s.RedactedFields()
			if len(fields) != 1 || fields[0].Field != tc.field {
				t.Errorf("RedactedFields = %v, want one at %s", fields, tc.field)
			}
		})
	}
}

package snapshot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
	"sync"
)

// Errors of secret handling, checked with errors.Is.
var (
	// ErrNoKey means secrets must be encrypted or decrypted and no key was supplied.
	ErrNoKey = errors.New("no encryption key")
	// ErrWrongKey means an encrypted value does not open with any key of the keyring.
	ErrWrongKey = errors.New("wrong encryption key")
)

// encryptedPrefix starts every encrypted value in a file: kongsnap:v1:<key id>:<base64(nonce || ciphertext)>.
const encryptedPrefix = "kongsnap:v1:"

// KeySize is the length in bytes of an encryption key (AES-256).
const KeySize = 32

// Keyring holds the keys that protect secrets in files. The first key encrypts; every key decrypts, so a key is
// rotated by putting the new one first and keeping the old one until every file has been rewritten.
type Keyring struct {
	keys []*ringKey
}

type ringKey struct {
	id       string
	aead     cipher.AEAD
	nonce    []byte // HMAC key deriving nonces; never the encryption key itself
	manifest []byte // HMAC key authenticating manifests (ManifestMAC)
	// nonceMACs are HMACs keyed with nonce, reset and used again: a dump seals every credential's key, and a new
	// HMAC for each cost more than the sealing.
	nonceMACs sync.Pool
}

// NewKeyring builds a keyring from raw 32-byte keys, the first one encrypting.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("building keyring: %w", ErrNoKey)
	}
	ring := &Keyring{}
	seen := map[string]bool{}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("key %d: want %d bytes, got %d", i+1, KeySize, len(key))
		}
		k, err := newRingKey(key)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		if seen[k.id] {
			return nil, fmt.Errorf("key %d: key id %s appears twice in the keyring", i+1, k.id)
		}
		seen[k.id] = true
		ring.keys = append(ring.keys, k)
	}
	return ring, nil
}

// ParseKeyring reads keys from text: each key is 64 hex digits or the base64 of 32 bytes, keys are separated by
// commas, spaces or newlines, and a line starting with # is a comment. The first key encrypts.
func ParseKeyring(text string) (*Keyring, error) {
	var keys [][]byte
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, field := range strings.FieldsFunc(line, func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t' || r == '\r'
		}) {
			key, err := decodeKey(field)
			if err != nil {
				return nil, fmt.Errorf("key %d: %w", len(keys)+1, err)
			}
			keys = append(keys, key)
		}
	}
	return NewKeyring(keys...)
}

// KeyringFromEnv reads a keyring from the environment variable name (see ParseKeyring for the format).
func KeyringFromEnv(name string) (*Keyring, error) {
	value, ok := os.LookupEnv(name)
	if !ok || strings.TrimSpace(value) == "" {
		return nil, fmt.Errorf("reading keyring from environment variable %s: variable unset or empty: %w", name, ErrNoKey)
	}
	ring, err := ParseKeyring(value)
	if err != nil {
		return nil, fmt.Errorf("reading keyring from environment variable %s: %w", name, err)
	}
	return ring, nil
}

// KeyringFromFile reads a keyring from a file (see ParseKeyring for the format). The file belongs outside the
// repository that holds the snapshots.
func KeyringFromFile(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading keyring file: %w", err)
	}
	ring, err := ParseKeyring(string(data))
	if err != nil {
		return nil, fmt.Errorf("reading keyring file %s: %w", path, err)
	}
	return ring, nil
}

// KeyIDs returns the ids of the keyring's keys, the encrypting one first. A key id is the first 8 hex digits of the
// key's SHA-256: it names the key in files without revealing it.
func (r *Keyring) KeyIDs() []string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.id
	}
	return ids
}

func decodeKey(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("base64 value decodes to %d bytes, want %d", len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, fmt.Errorf("not %d hex digits nor the base64 of %d bytes (generate one with: openssl rand -base64 32)",
		2*KeySize, KeySize)
}

func newRingKey(key []byte) (*ringKey, error) {
	sum := sha256.Sum256(key)
	block, err := aes.NewCipher(derive(key, "kongsnap v1 encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &ringKey{id: hex.EncodeToString(sum[:])[:8], aead: aead, nonce: derive(key, "kongsnap v1 nonce"),
		manifest: derive(key, "kongsnap v1 manifest")}, nil
}

// derive separates the encryption, nonce and manifest keys, so that the same master key never serves two purposes.
func derive(key []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// seal encrypts plaintext with the first key, binding it to context (kind, entity, field).
//
// The nonce is HMAC-SHA256(nonce key, context || plaintext) truncated to 12 bytes, so the same secret of the same
// entity field always yields the same ciphertext and an untouched secret never shows as drift. AES-GCM breaks only
// when one nonce protects two different plaintexts; here a nonce repeats only when context and plaintext both
// repeat, in which case the ciphertext repeats too and reveals nothing beyond "unchanged" (the SIV construction's
// deterministic-encryption guarantee). The context is also GCM's additional data, so a value copied to another
// entity or field fails to decrypt.
func (r *Keyring) seal(context, plaintext string) string {
	k := r.keys[0]
	ad := []byte(context)
	mac, _ := k.nonceMACs.Get().(hash.Hash)
	if mac == nil {
		mac = hmac.New(sha256.New, k.nonce)
	}
	mac.Reset()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(ad)))
	mac.Write(n[:])
	mac.Write(ad)
	mac.Write([]byte(plaintext))
	// The nonce, then the ciphertext sealed after it, in one buffer of their size.
	size := k.aead.NonceSize()
	buf := make([]byte, 0, sha256.Size+len(plaintext)+k.aead.Overhead())
	nonce := mac.Sum(buf)[:size]
	k.nonceMACs.Put(mac)
	sealed := k.aead.Seal(nonce, nonce, []byte(plaintext), ad)
	out := make([]byte, 0, len(encryptedPrefix)+len(k.id)+1+base64.StdEncoding.EncodedLen(len(sealed)))
	out = append(append(append(out, encryptedPrefix...), k.id...), ':')
	return string(base64.StdEncoding.AppendEncode(out, sealed))
}

// open decrypts a value written by seal under the same context.
func (r *Keyring) open(context, value string) (string, error) {
	rest, ok := strings.CutPrefix(value, encryptedPrefix)
	if !ok {
		return "", fmt.Errorf("encrypted value does not start with %q", encryptedPrefix)
	}
	id, payload, ok := strings.Cut(rest, ":")
	if !ok {
		return "", errors.New("encrypted value has no key id")
	}
	var key *ringKey
	for _, k := range r.keys {
		if k.id == id {
			key = k
		}
	}
	if key == nil {
		return "", fmt.Errorf("encrypted with key %s, which the keyring (keys %s) does not hold: %w",
			id, strings.Join(r.KeyIDs(), ", "), ErrWrongKey)
	}
	sealed, err := base64.StdEncoding.DecodeString(payload)
	if err != nil || len(sealed) < key.aead.NonceSize() {
		return "", errors.New("encrypted value is not valid base64 of nonce and ciphertext")
	}
	size := key.aead.NonceSize()
	plain, err := key.aead.Open(nil, sealed[:size], sealed[size:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("does not decrypt with key %s (edited, or copied from another entity or field): %w",
			id, ErrWrongKey)
	}
	return string(plain), nil
}

func isEncrypted(s string) bool {
	return strings.HasPrefix(s, "kongsnap:")
}

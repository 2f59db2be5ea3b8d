package kongsim_test

import (
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"reflect"
	"regexp"
	"testing"
)

var pbkdf2PHC = regexp.MustCompile(`^\$pbkdf2-sha512\$i=10000,l=32\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

// verifiesAs reports whether stored is kong/plugins/oauth2/secret.lua's PBKDF2 hash of secret.
func verifiesAs(t *testing.T, stored, secret string) bool {
	t.Helper()
	m := pbkdf2PHC.FindStringSubmatch(stored)
	if m == nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	sum, err := pbkdf2.Key(sha512.New, secret, salt, 10000, 32)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawStdEncoding.EncodeToString(sum) == m[2]
}

// An oauth2 credential written with hash_secret true stores its client secret hashed (kong/plugins/oauth2/daos.lua).
func TestOAuth2HashSecret(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": "c"})
	const id = "/consumers/c/oauth2/0b6e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4"
	tests := []struct {
		name       string
		method     string
		body       map[string]any
		wantStatus int
		// wantSecret is the plaintext the stored secret must hash from, or with plain the stored value itself.
		wantSecret string
		plain      bool
	}{
		{name: "hash_secret false keeps the secret", method: http.MethodPut,
			body:       map[string]any{"name": "app", "client_secret": "s3cret", "hash_secret": false},
			wantStatus: http.StatusOK, wantSecret: "s3cret", plain: true},
		{name: "hash_secret true hashes it", method: http.MethodPut,
			body:       map[string]any{"name": "app", "client_secret": "s3cret", "hash_secret": true},
			wantStatus: http.StatusOK, wantSecret: "s3cret"},
		{name: "a PATCH without the secret keeps the hash", method: http.MethodPatch,
			body: map[string]any{"name": "renamed"}, wantStatus: http.StatusOK, wantSecret: "s3cret"},
		{name: "a new secret needs hash_secret beside it", method: http.MethodPatch,
			body: map[string]any{"client_secret": "other"}, wantStatus: http.StatusBadRequest},
		{name: "hash_secret needs a secret beside it", method: http.MethodPatch,
			body: map[string]any{"hash_secret": true}, wantStatus: http.StatusBadRequest},
		{name: "both in one PATCH", method: http.MethodPatch,
			body:       map[string]any{"client_secret": "other", "hash_secret": true},
			wantStatus: http.StatusOK, wantSecret: "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := h.call(tt.method, id, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("%s = %d %v, want %d", tt.method, status, out, tt.wantStatus)
			}
			if status != http.StatusOK {
				want := map[string]any{"@entity": []any{"all or none of these fields must be set: 'hash_secret', 'client_secret'"}}
				if !reflect.DeepEqual(out["fields"], want) {
					t.Errorf("error fields = %v, want %v", out["fields"], want)
				}
				return
			}
			got, _ := out["client_secret"].(string)
			switch {
			case tt.plain && got != tt.wantSecret:
				t.Errorf("client_secret = %q, want %q as given", got, tt.wantSecret)
			case !tt.plain && !verifiesAs(t, got, tt.wantSecret):
				t.Errorf("client_secret = %q, want the PBKDF2 hash of %q", got, tt.wantSecret)
			}
		})
	}
	stored := h.must(http.StatusOK, http.MethodGet, id, nil)["client_secret"].(string)
	again := h.must(http.StatusOK, http.MethodPut, id, map[string]any{"name": "app", "client_secret": stored, "hash_secret": true})
	if !verifiesAs(t, again["client_secret"].(string), stored) {
		t.Errorf("writing a stored hash back with hash_secret true must hash the hash, as Kong does; got %v", again["client_secret"])
	}
	generated := h.must(http.StatusCreated, http.MethodPost, "/consumers/c/oauth2", map[string]any{"name": "gen", "hash_secret": true})
	if !pbkdf2PHC.MatchString(generated["client_secret"].(string)) {
		t.Errorf("a generated secret with hash_secret true = %v, want it hashed", generated["client_secret"])
	}
}

// oauth2's config.provision_key is `auto = true` (kong/plugins/oauth2/schema.lua): Kong generates it when a
// plugin is created without one, and keeps a given one.
func TestOAuth2ProvisionKeyIsGenerated(t *testing.T) {
	h := newHarness(t)
	created := h.must(http.StatusCreated, http.MethodPost, "/plugins", map[string]any{
		"name": "oauth2", "config": map[string]any{"enable_client_credentials": true}})
	key, _ := created["config"].(map[string]any)["provision_key"].(string)
	if len(key) != 32 {
		t.Errorf("generated provision_key = %q", key)
	}
	h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "s", "host": "a.test"})
	put := h.must(http.StatusOK, http.MethodPut, "/services/s/plugins/00000000-0000-4000-8000-000000000009", map[string]any{
		"name": "oauth2", "config": map[string]any{"enable_password_grant": true, "provision_key": "mine"}})
	if got := put["config"].(map[string]any)["provision_key"]; got != "mine" {
		t.Errorf("given provision_key = %v", got)
	}
	h.must(http.StatusOK, http.MethodPost, "/schemas/plugins/validate", map[string]any{
		"name": "oauth2", "config": map[string]any{"enable_client_credentials": true}})
}

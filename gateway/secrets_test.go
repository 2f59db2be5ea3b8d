package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Issue 12 §3: oauth2's config.provision_key is marked encrypted in the schema Kong serves, so it is a secret: a
// snapshot written from the read never holds it in plaintext.
func TestReadLearnsSecretFieldsFromServedSchemas(t *testing.T) {
	s := newSim(t)
	const provisionKey = "oauth2-provision-key-0123456789"
	seed(t, s, http.MethodPost, "/plugins", map[string]any{"name": "oauth2",
		"config": map[string]any{"provision_key": provisionKey, "enable_client_credentials": true}})
	c := open(t, testConnection(s.url))
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if paths := snapshot.SecretPaths(snapshot.KindPlugin, "oauth2"); !slices.Contains(paths, "config.provision_key") {
		t.Fatalf("secret paths of oauth2 = %v; want config.provision_key, which Kong's schema marks encrypted", paths)
	}
	for _, mode := range []snapshot.SecretMode{snapshot.SecretsRedact, snapshot.SecretsEncrypt} {
		keys, _ := snapshot.NewKeyring(make([]byte, snapshot.KeySize))
		files, err := snapshot.Write(got, snapshot.WriteOptions{Secrets: mode, Keyring: keys})
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			if strings.Contains(string(data), provisionKey) {
				t.Errorf("%s mode: %s holds oauth2's provision_key in plaintext:\n%s", mode, name, data)
			}
		}
	}
}

// A custom plugin's secret is a secret: kongsnap takes it from the plugin's served schema, whatever its name. The
// gateway here is a minimal Admin API serving one plugin no kongsnap table knows.
func TestReadLearnsACustomPluginsSecret(t *testing.T) {
	const token = "vendor-api-token-do-not-commit"
	srv := httptest.NewServer(customPluginGateway(token))
	t.Cleanup(srv.Close)
	c := open(t, testConnection(srv.URL))
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Plugins) != 1 {
		t.Fatalf("read %d plugins, want 1", len(got.Plugins))
	}
	want := []string{"config.auth.token", "config.upstreams[].password"}
	paths := snapshot.SecretPaths(snapshot.KindPlugin, "acme-vendor-auth")
	for _, w := range want {
		if !slices.Contains(paths, w) {
			t.Errorf("secret paths = %v; want %s", paths, w)
		}
	}
	files, err := snapshot.Write(got, snapshot.WriteOptions{Secrets: snapshot.SecretsRedact})
	if err != nil {
		t.Fatal(err)
	}
	data := string(files["plugins.yaml"])
	if strings.Contains(data, token) || strings.Contains(data, "upstream-pw") || !strings.Contains(data, snapshot.Redacted) {
		t.Errorf("plugins.yaml keeps a custom plugin's secret:\n%s", data)
	}
	if !strings.Contains(data, "vendor.example") {
		t.Errorf("plugins.yaml lost a field that is no secret:\n%s", data)
	}
}

// customPluginGateway answers like a Kong 3.9 holding one custom plugin whose schema marks two fields encrypted,
// one of them inside a list of records.
func customPluginGateway(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var body any
		switch r.URL.Path {
		case "/":
			body = map[string]any{"version": "3.9.1", "plugins": map[string]any{"available_on_server": map[string]any{
				"acme-vendor-auth": map[string]any{"version": "1.0.0", "priority": 1000}, "key-auth": map[string]any{},
				"basic-auth": map[string]any{}, "hmac-auth": map[string]any{}, "jwt": map[string]any{},
				"acl": map[string]any{}, "oauth2": map[string]any{}}}}
		case "/plugins":
			body = map[string]any{"data": []any{map[string]any{
				"id": "0a000000-0000-4000-8000-000000000001", "name": "acme-vendor-auth", "enabled": true,
				"protocols": []any{"http", "https"},
				"config": map[string]any{"endpoint": "https://vendor.example", "auth": map[string]any{"token": token},
					"upstreams": []any{map[string]any{"host": "u1", "password": "upstream-pw"}}}}}, "next": nil}
		case "/schemas/plugins/acme-vendor-auth":
			body = map[string]any{"fields": []any{
				map[string]any{"name": map[string]any{"type": "string"}},
				map[string]any{"config": map[string]any{"type": "record", "fields": []any{
					map[string]any{"endpoint": map[string]any{"type": "string"}},
					map[string]any{"auth": map[string]any{"type": "record", "fields": []any{
						map[string]any{"token": map[string]any{"type": "string", "encrypted": true, "referenceable": true}}}}},
					map[string]any{"upstreams": map[string]any{"type": "array", "elements": map[string]any{
						"type": "record", "fields": []any{
							map[string]any{"host": map[string]any{"type": "string"}},
							map[string]any{"password": map[string]any{"type": "string", "encrypted": true}}}}}},
				}}}}}
		default:
			if strings.HasPrefix(r.URL.Path, "/schemas/") {
				body = map[string]any{"fields": []any{}}
				break
			}
			body = map[string]any{"data": []any{}, "next": nil}
		}
		_ = json.NewEncoder(w).Encode(body)
	})
}

// Issue 12 §3: admin_url may carry basic-auth credentials; the password is sent, and shown nowhere.
func TestAdminURLPasswordIsNeverShown(t *testing.T) {
	const password = "adm1n-pa55w0rd-in-url"
	s := newSim(t)
	var sawAuth atomic.Bool // the handler runs on concurrent requests (the read is parallel)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "ops" || pass != password {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Unauthorized"}`))
			return
		}
		sawAuth.Store(true)
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	withPassword := strings.Replace(srv.URL, "http://", "http://ops:"+password+"@", 1)
	var logs logBuffer

	conn := testConnection(withPassword)
	conn.Name, conn.Logger = "", logs.logger()
	c := open(t, conn)
	if !sawAuth.Load() {
		t.Fatal("the URL's credentials were not sent as basic authentication")
	}
	s.AddFault(kongsim.Fault{PathPrefix: "/routes", Status: http.StatusInternalServerError})
	_, readErr := c.Read(context.Background())

	wrong := testConnection(strings.Replace(withPassword, password, password+"-wrong", 1))
	wrong.Name, wrong.Logger = "", logs.logger()
	_, refusedErr := gateway.Open(context.Background(), wrong)

	unreachable := testConnection("http://ops:" + password + "@127.0.0.1:1")
	unreachable.Name, unreachable.Retries, unreachable.Logger = "", -1, logs.logger()
	_, unreachableErr := gateway.Open(context.Background(), unreachable)

	bad := testConnection("http://ops:" + password + "@host:port:bad")
	bad.Name, bad.Logger = "", logs.logger()
	_, badErr := gateway.Open(context.Background(), bad)

	for name, err := range map[string]error{"read": readErr, "refused": refusedErr, "unreachable": unreachableErr, "bad url": badErr} {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("%s error shows the admin_url password: %v", name, err)
		}
	}
	if strings.Contains(logs.String(), password) {
		t.Errorf("logs show the admin_url password:\n%s", logs.String())
	}
	if !strings.Contains(refusedErr.Error(), "ops:xxxxx@") {
		t.Errorf("refused error %q should name the URL with its password redacted", refusedErr)
	}
}

// Issue 12 §3's reproductions: the bundled plugins' secrets Kong 3.9.1 marks encrypted never reach a file.
func TestBundledPluginSecretsAreSecrets(t *testing.T) {
	s := newSim(t)
	plugins := []map[string]any{
		{"name": "aws-lambda", "config": map[string]any{"aws_key": "AKIA-secret-aws-key", "aws_secret": "aws-secret-value-1",
			"aws_region": "us-east-1", "function_name": "fn"}},
		{"name": "session", "config": map[string]any{"secret": "session-secret-value-1"}},
		{"name": "loggly", "config": map[string]any{"key": "loggly-key-value-1"}},
		{"name": "standard-webhooks", "config": map[string]any{"secret_v1": "webhook-secret-value-1"}},
	}
	for _, p := range plugins {
		seed(t, s, http.MethodPost, "/plugins", p)
	}
	c := open(t, testConnection(s.url))
	got, err := c.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	files, err := snapshot.Write(got, snapshot.WriteOptions{Secrets: snapshot.SecretsRedact})
	if err != nil {
		t.Fatal(err)
	}
	data := string(files["plugins.yaml"])
	for _, secret := range []string{"AKIA-secret-aws-key", "aws-secret-value-1", "session-secret-value-1",
		"loggly-key-value-1", "webhook-secret-value-1"} {
		if strings.Contains(data, secret) {
			t.Errorf("plugins.yaml holds %q in plaintext:\n%s", secret, data)
		}
	}
	if !strings.Contains(data, "function_name: fn") {
		t.Errorf("plugins.yaml lost a field that is no secret:\n%s", data)
	}
}

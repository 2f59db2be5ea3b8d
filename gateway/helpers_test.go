package gateway_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
)

// sim is a kongsim behind a loopback HTTP server.
type sim struct {
	*kongsim.Server
	url string
}

func newSim(t testing.TB) *sim {
	t.Helper()
	s := kongsim.New(kongsim.Options{})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &sim{Server: s, url: srv.URL}
}

// testConnection is a connection to url with tiny backoffs, so retry tests take milliseconds.
func testConnection(url string) gateway.Connection {
	return gateway.Connection{
		Name:       "test",
		AdminURL:   url,
		Backoff:    time.Millisecond,
		MaxBackoff: 5 * time.Millisecond,
		Timeout:    10 * time.Second,
	}
}

func open(t testing.TB, c gateway.Connection) *gateway.Client {
	t.Helper()
	client, err := gateway.Open(context.Background(), c)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return client
}

// logBuffer is a slog handler target that tests can search.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// seed writes raw JSON straight into the simulator's handler (no network, no client), for bulk fixtures. The
// simulator logs these requests too: tests that inspect the log reset it after seeding.
func seed(t testing.TB, s *sim, method, path string, body any) map[string]any {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		t.Fatalf("seeding %s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("seeding %s %s: %v", method, path, err)
	}
	return out
}

// uuid returns a fixed, valid UUID numbered n, so fixtures have known ids.
func uuid(prefix, n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", prefix, n)
}

// selfSigned returns a PEM certificate and key for cn; isCA marks it as a CA.
func selfSigned(t testing.TB, cn string, isCA bool) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		DNSNames:              []string{cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// keyPair returns a PEM public and private key for a Kong key entity.
func keyPair(t testing.TB) (public, private string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}))
}

var rsaKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// rsaPublicKey is a PEM RSA public key, generated once per test binary.
func rsaPublicKey(t testing.TB) string {
	t.Helper()
	key, err := rsaKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// richGateway is one entity of every kind, plugins at every scope, with fixed ids, in dependency order.
func richGateway(t testing.TB) []any {
	t.Helper()
	cert, key := selfSigned(t, "api.test", false)
	caCert, _ := selfSigned(t, "ca.test", true)
	public, private := keyPair(t)
	id := func(n int) *string { return kong.String(uuid(1, n)) }
	consumer := &kong.Consumer{ID: id(3)}
	return []any{
		&kong.Certificate{ID: id(1), Cert: kong.String(cert), Key: kong.String(key), Tags: kong.StringSlice("t1")},
		&kong.CACertificate{ID: id(2), Cert: kong.String(caCert)},
		&kong.Consumer{ID: id(3), Username: kong.String("alice"), CustomID: kong.String("a-1")},
		&kong.Vault{ID: id(4), Name: kong.String("env"), Prefix: kong.String("my-env"), Config: kong.Configuration{"prefix": "SECRET_"}},
		&kong.KeySet{ID: id(5), Name: kong.String("set")},
		&kong.SNI{ID: id(6), Name: kong.String("api.test"), Certificate: &kong.Certificate{ID: id(1)}},
		&kong.Service{ID: id(7), Name: kong.String("orders"), Host: kong.String("orders.internal"), Port: kong.Int(8080)},
		&kong.Upstream{ID: id(8), Name: kong.String("orders.upstream")},
		&kong.Key{ID: id(9), Name: kong.String("k1"), KID: kong.String("kid-1"), Set: &kong.KeySet{ID: id(5)},
			PEM: &kong.PEM{PublicKey: kong.String(public), PrivateKey: kong.String(private)}},
		&kong.KeyAuth{ID: id(10), Consumer: consumer, Key: kong.String("alice-key-secret")},
		&kong.BasicAuth{ID: id(11), Consumer: consumer, Username: kong.String("alice-basic"), Password: kong.String("pw")},
		&kong.HMACAuth{ID: id(12), Consumer: consumer, Username: kong.String("alice-hmac"), Secret: kong.String("hmac-secret")},
		&kong.JWTAuth{ID: id(13), Consumer: consumer, Key: kong.String("alice-jwt"), Secret: kong.String("jwt-secret"),
			Algorithm: kong.String("RS256"), RSAPublicKey: kong.String(rsaPublicKey(t))},
		&kong.ACLGroup{ID: id(14), Consumer: consumer, Group: kong.String("admins")},
		&kong.Oauth2Credential{ID: id(15), Consumer: consumer, Name: kong.String("app"), ClientID: kong.String("client-1"),
			ClientSecret: kong.String("client-secret"), RedirectURIs: kong.StringSlice("https://app.test/cb")},
		&kong.Route{ID: id(16), Name: kong.String("orders-route"), Paths: kong.StringSlice("/orders"), Service: &kong.Service{ID: id(7)}},
		&kong.Target{ID: id(17), Target: kong.String("10.0.0.1:80"), Upstream: &kong.Upstream{ID: id(8)}},
		&kong.Plugin{ID: id(18), Name: kong.String("correlation-id")},
		&kong.Plugin{ID: id(19), Name: kong.String("rate-limiting"), Service: &kong.Service{ID: id(7)}, Config: kong.Configuration{"minute": 10}},
		&kong.Plugin{ID: id(20), Name: kong.String("rate-limiting"), Route: &kong.Route{ID: id(16)}, Config: kong.Configuration{"minute": 5}},
		&kong.Plugin{ID: id(21), Name: kong.String("rate-limiting"), Consumer: &kong.Consumer{ID: id(3)}, Config: kong.Configuration{"minute": 1}},
	}
}

// create writes every entity through the client, failing the test on the first error, and returns what Kong stored.
func create(t testing.TB, c *gateway.Client, entities []any) []any {
	t.Helper()
	var out []any
	for _, e := range entities {
		stored, err := c.Create(context.Background(), e)
		if err != nil {
			t.Fatalf("Create(%s): %v", snapshot.Describe(e), err)
		}
		out = append(out, stored)
	}
	return out
}

// methods counts the simulator's logged requests by method.
func methods(s *sim) map[string]int {
	counts := map[string]int{}
	for _, r := range s.Requests() {
		counts[r.Method]++
	}
	return counts
}

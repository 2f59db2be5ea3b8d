package kongsim_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

// harness is a kongsim behind a real HTTP server, with a go-kong client and a raw JSON client.
type harness struct {
	t      testing.TB
	sim    *kongsim.Server
	url    string
	client *kong.Client
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	sim := kongsim.New(kongsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client, err := kong.NewClient(kong.String(srv.URL), srv.Client())
	if err != nil {
		t.Fatalf("creating go-kong client: %v", err)
	}
	return &harness{t: t, sim: sim, url: srv.URL, client: client}
}

// call sends a raw request and decodes the JSON answer (nil for an empty body).
func (h *harness) call(method, path string, body any) (int, map[string]any) {
	h.t.Helper()
	status, out, _ := h.callHeader(method, path, body)
	return status, out
}

func (h *harness) callHeader(method, path string, body any) (int, map[string]any, http.Header) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(data) == 0 {
		return resp.StatusCode, nil, resp.Header
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		h.t.Fatalf("%s %s: decoding %q: %v", method, path, data, err)
	}
	return resp.StatusCode, out, resp.Header
}

// must sends a request that has to answer want, and returns the body.
func (h *harness) must(want int, method, path string, body any) map[string]any {
	h.t.Helper()
	status, out := h.call(method, path, body)
	if status != want {
		h.t.Fatalf("%s %s = %d %v, want %d", method, path, status, out, want)
	}
	return out
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// testCert returns a self-signed CA certificate and its key in PEM.
func testCert(t testing.TB, cn string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		DNSNames:              []string{cn},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	return certPEM, keyPEM
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func stringValues(list []*string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = *s
	}
	return out
}

func testRSAPublicKey(t testing.TB) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

package gateway_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

func TestOpen(t *testing.T) {
	s := newSim(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	notKong := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"hello":"world"}`)
	}))
	t.Cleanup(notKong.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html>login</html>`)
	}))
	t.Cleanup(html.Close)
	protected := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Kong-Admin-Token") != "right" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Invalid credentials. Token or User credentials required"}`)
			return
		}
		fmt.Fprint(w, `{"version":"3.9.1"}`)
	}))
	t.Cleanup(protected.Close)

	tests := []struct {
		name        string
		url         string
		headers     map[string]string
		wantVersion string
		wantErr     []string
		wantIs      error
	}{
		{name: "kongsim", url: s.url, wantVersion: "3.9.1"},
		{name: "trailing slash", url: s.url + "/", wantVersion: "3.9.1"},
		{name: "token accepted", url: protected.URL, headers: map[string]string{"Kong-Admin-Token": "right"}, wantVersion: "3.9.1"},
		{
			name:    "unreachable",
			url:     closed.URL,
			wantErr: []string{`connection "test": admin API at ` + closed.URL + ` unreachable`, "connection refused", "check admin_url"},
			wantIs:  gateway.ErrUnreachable,
		},
		{
			name:    "token refused",
			url:     protected.URL,
			headers: map[string]string{"Kong-Admin-Token": "wrong"},
			wantErr: []string{"refused the client", "HTTP 401", "Invalid credentials", "check the connection's headers"},
		},
		{name: "not Kong", url: notKong.URL, wantErr: []string{"reported no Kong version", "check admin_url"}},
		{name: "not JSON", url: html.URL, wantErr: []string{"did not answer like a Kong Admin API", "check admin_url"}},
		{name: "not a URL", url: "kong:8001", wantErr: []string{`connection "test": admin_url "kong:8001" is not an http(s) URL`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := testConnection(tt.url)
			conn.Headers = tt.headers
			conn.Retries = 1
			c, err := gateway.Open(context.Background(), conn)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if c.Version() != tt.wantVersion {
					t.Errorf("Version() = %q, want %q", c.Version(), tt.wantVersion)
				}
				return
			}
			if err == nil {
				t.Fatalf("Open succeeded; want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q is not %v", err, tt.wantIs)
			}
		})
	}
}

func TestOpenSendsHeadersAndWorkspace(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" token="+r.Header.Get("Kong-Admin-Token"))
		mu.Unlock()
		if r.URL.Path == "/" {
			fmt.Fprint(w, `{"version":"3.4.3.5"}`)
			return
		}
		fmt.Fprint(w, `{"data":[],"next":null}`)
	}))
	t.Cleanup(srv.Close)
	conn := testConnection(srv.URL)
	conn.Workspace = "team-a"
	conn.Headers = map[string]string{"kong-admin-token": "tok"}
	c := open(t, conn)
	if _, err := c.Read(context.Background()); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if seen[0] != "GET / token=tok" {
		t.Errorf("handshake = %q, want GET / with the token", seen[0])
	}
	for _, s := range seen[1:] {
		if !strings.HasPrefix(s, "GET /team-a/") || !strings.HasSuffix(s, "token=tok") {
			t.Errorf("request %q is not workspaced or lacks the token", s)
		}
	}
}

// TestHeaderValuesNeverLeak runs against a gateway that echoes the token back in every error message, and
// checks that no error and no log line repeats it.
func TestHeaderValuesNeverLeak(t *testing.T) {
	const token = "tok-9f8e7d6c5b4a"
	sim := kongsim.New(kongsim.Options{})
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/" || r.Method != http.MethodGet:
			sim.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, "/routes"):
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"message":"backend rejected token %s"}`, r.Header.Get("Kong-Admin-Token"))
		default:
			sim.ServeHTTP(w, r)
		}
	})
	srv := httptest.NewServer(echo)
	t.Cleanup(srv.Close)
	var logs logBuffer
	conn := testConnection(srv.URL)
	conn.Headers = map[string]string{"Kong-Admin-Token": token}
	conn.Logger = logs.logger()
	c := open(t, conn)

	_, readErr := c.Read(context.Background())
	_, createErr := c.Create(context.Background(), &kong.Route{Name: kong.String(token)})
	wrong := testConnection(srv.URL + "/" + token)
	wrong.Headers = conn.Headers
	wrong.Logger = conn.Logger
	sim.AddFault(kongsim.Fault{PathPrefix: "/", Status: http.StatusServiceUnavailable})
	_, openErr := gateway.Open(context.Background(), wrong)

	for name, err := range map[string]error{"Read": readErr, "Create": createErr, "Open": openErr} {
		if err == nil {
			t.Errorf("%s succeeded; the test needs it to fail", name)
			continue
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("%s error leaks the header value: %v", name, err)
		}
	}
	if !strings.Contains(readErr.Error(), "backend rejected token [redacted]") {
		t.Errorf("Read error %q does not show the scrubbed message", readErr)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry was logged; the test needs the retry log lines:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("logs leak the header value:\n%s", logs.String())
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(kongsim.New(kongsim.Options{}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pemCert(srv.Certificate().Raw), 0o600); err != nil {
		t.Fatal(err)
	}
	otherCA, _ := selfSigned(t, "other.test", true)
	otherFile := filepath.Join(dir, "other.pem")
	if err := os.WriteFile(otherFile, []byte(otherCA), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		tls     gateway.TLS
		wantErr string
	}{
		{name: "CA file", tls: gateway.TLS{CAFile: caFile}},
		{name: "no CA", wantErr: "check the connection's tls settings"},
		{name: "wrong CA", tls: gateway.TLS{CAFile: otherFile}, wantErr: "certificate signed by unknown authority"},
		{name: "insecure on request", tls: gateway.TLS{InsecureSkipVerify: true}},
		{name: "missing CA file", tls: gateway.TLS{CAFile: filepath.Join(dir, "none.pem")}, wantErr: "reading tls CA file"},
		{name: "cert without key", tls: gateway.TLS{CAFile: caFile, CertFile: caFile}, wantErr: "needs both a cert file and a key file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := testConnection(srv.URL)
			conn.TLS = tt.tls
			conn.Retries = -1
			c, err := gateway.Open(context.Background(), conn)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if _, err := c.Read(context.Background()); err != nil {
					t.Fatalf("Read over TLS: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Open = %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestMutualTLS(t *testing.T) {
	clientCert, clientKey := selfSigned(t, "kongsnap-client", true)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(clientCert))
	srv := httptest.NewUnstartedServer(kongsim.New(kongsim.Options{}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	files := map[string][]byte{"ca.pem": pemCert(srv.Certificate().Raw), "client.pem": []byte(clientCert), "client.key": []byte(clientKey)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	conn := testConnection(srv.URL)
	conn.Retries = -1
	conn.TLS = gateway.TLS{CAFile: filepath.Join(dir, "ca.pem")}
	if _, err := gateway.Open(context.Background(), conn); err == nil {
		t.Errorf("Open without a client certificate succeeded; the server requires one")
	}
	conn.TLS.CertFile, conn.TLS.KeyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	if _, err := gateway.Open(context.Background(), conn); err != nil {
		t.Errorf("Open with the client certificate: %v", err)
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

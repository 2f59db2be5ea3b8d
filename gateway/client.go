package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Defaults for the zero values of Connection's tuning fields.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultRetries     = 4
	DefaultBackoff     = 500 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
	DefaultConcurrency = 8
	DefaultRanges      = 4
)

// idleConnsPerHost is how many idle connections the client keeps at least: enough for any parallelism a restore
// is run with in practice.
const idleConnsPerHost = 64

// TLS configures how the client verifies the Admin API's certificate and proves its own. Verification is on unless
// InsecureSkipVerify is set.
type TLS struct {
	CAFile             string // PEM file of CA certificates trusted in addition to the system's roots
	CertFile           string // PEM client certificate for mutual TLS; needs KeyFile
	KeyFile            string // PEM private key of CertFile
	InsecureSkipVerify bool   // accept any server certificate; only when the user asks for it
}

// Connection says how to reach one Kong Admin API and how hard to try.
type Connection struct {
	// Name identifies the connection in every error and log line: `connection "prod": reading routes: ...`.
	// Empty means AdminURL.
	Name string
	// AdminURL is the Admin API's base URL, e.g. https://kong-admin:8444 (a path prefix is kept). A password in it
	// (https://user:password@host) is sent as HTTP basic authentication and never appears in errors or logs.
	AdminURL string
	// Headers are sent with every request, e.g. {"Kong-Admin-Token": token}. Their values never appear in errors
	// or logs.
	Headers map[string]string
	// TLS configures certificate verification and client certificates for https URLs.
	TLS TLS
	// Workspace (Kong Enterprise) prefixes every entity path with /<workspace>.
	Workspace string
	// SelectTags limits reading to entities carrying all of these tags (at most 5, as Kong allows). Targets are
	// listed per upstream, where Kong ignores tags: every target of a selected upstream is read, as decK does.
	SelectTags []string
	// Timeout bounds one HTTP request, response body included; default DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a failed request is retried; 0 means DefaultRetries, negative means never.
	Retries int
	// Backoff is the wait before the first retry, doubled for each further one up to MaxBackoff; defaults
	// DefaultBackoff and DefaultMaxBackoff. A Retry-After header from the server replaces the computed wait.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Concurrency bounds the requests in flight during Read (kinds, and targets per upstream, are read in
	// parallel); default DefaultConcurrency. The id ranges of large collections (see Ranges) take up to as many
	// again, so a Read has at most twice Concurrency requests in flight.
	Concurrency int
	// Ranges is how many id ranges of one large collection (more than 3 pages of 1000) Read lists at once when the
	// gateway pages by id, as Kong on PostgreSQL does (see ranges.go); default DefaultRanges. 1 lists every
	// collection page after page.
	Ranges int
	// Logger receives retries and skipped collections; nil discards.
	Logger *slog.Logger
	// Progress, when set, is told after every page read: the kind, the pages and the entities read of it so far.
	// Kinds are read concurrently, so it must be safe for concurrent use.
	Progress func(kind snapshot.Kind, pages, entities int)
}

// Client reads and writes one Kong gateway. It is safe for concurrent use.
type Client struct {
	conn    Connection
	kong    *kong.Client
	log     *slog.Logger
	secrets scrubber // header values, removed from every error and log line
	version string
	// plugins are the names in GET /'s plugins.available_on_server; nil when the gateway did not list them.
	plugins map[string]bool

	absentMu sync.Mutex
	absent   map[snapshot.Kind]string // kinds Read found the gateway lacks, each with what the gateway answered

	schemaCached schemaCache // the schemas read so far (Defaults, secret fields), each once per Client

	base *requestBase // what every request send builds starts from
}

// Open connects to the Admin API c describes: it checks the settings, asks GET / for Kong's version and fails with
// a message saying what to check when the gateway cannot be reached or refuses the client.
func Open(ctx context.Context, c Connection) (*Client, error) {
	c = c.withDefaults()
	client := &Client{conn: c, log: c.Logger.With("connection", c.Name),
		schemaCached: schemaCache{schemas: map[string]*record{}}}
	for _, v := range c.Headers {
		if v != "" {
			client.secrets = append(client.secrets, v)
		}
	}
	if password := urlPassword(c.AdminURL); password != "" {
		client.secrets = append(client.secrets, password)
	}
	if err := client.setup(); err != nil {
		return nil, client.secrets.scrubError(fmt.Errorf("connection %q: %w", c.Name, err))
	}
	if err := client.handshake(ctx); err != nil {
		return nil, client.secrets.scrubError(fmt.Errorf("connection %q: %w", c.Name, err))
	}
	client.log.Debug("connected to Kong", "version", client.version)
	return client, nil
}

// Version returns the Kong version the gateway reported when the client was opened, e.g. "3.9.1".
func (c *Client) Version() string { return c.version }

// AvailablePlugins returns the plugins the gateway can run (GET / plugins.available_on_server, the plugins its
// configuration loads), or nil when it did not say. The map is the client's own: read it, do not change it.
func (c *Client) AvailablePlugins() map[string]bool { return c.plugins }

func (c Connection) withDefaults() Connection {
	c.AdminURL = strings.TrimRight(c.AdminURL, "/")
	if c.Name == "" {
		c.Name = RedactURL(c.AdminURL)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.Retries == 0:
		c.Retries = DefaultRetries
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Ranges <= 0 {
		c.Ranges = DefaultRanges
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// setup builds the HTTP client and go-kong client.
func (c *Client) setup() error {
	u, err := url.Parse(c.conn.AdminURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("admin_url %q is not an http(s) URL", RedactURL(c.conn.AdminURL))
	}
	if len(c.conn.SelectTags) > 5 {
		return fmt.Errorf("%d select tags given; Kong filters by at most 5", len(c.conn.SelectTags))
	}
	transport, err := c.conn.transport(u)
	if err != nil {
		return err
	}
	// The Timeout of each request is its context's deadline (see send), not http.Client.Timeout, which starts a
	// goroutine and a timer per request.
	kc, err := kong.NewClient(&c.conn.AdminURL, &http.Client{Transport: transport})
	if err != nil {
		return fmt.Errorf("admin_url %q: %w", RedactURL(c.conn.AdminURL), err)
	}
	kc.UserAgent = "kongsnap"
	kc.SetWorkspace(c.conn.Workspace)
	kc.SetDoer(c.do)
	c.kong = kc
	if c.base, err = newRequestBase(kc.BaseRootURL(), c.conn.Workspace); err != nil {
		return fmt.Errorf("admin_url %q: %w", RedactURL(c.conn.AdminURL), err)
	}
	return nil
}

// transport is the http.Transport for the connection's TLS settings, under the client's own wireTransport for a
// plain-http Admin API reached without a proxy, wrapped to add the headers.
func (c Connection) transport(admin *url.URL) (http.RoundTripper, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.TLS.InsecureSkipVerify}
	if c.TLS.CAFile != "" {
		pem, err := os.ReadFile(c.TLS.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading tls CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls CA file %s holds no PEM certificate", c.TLS.CAFile)
		}
		tlsConfig.RootCAs = pool
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return nil, errors.New("tls client certificate needs both a cert file and a key file")
	}
	if c.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.TLS.CertFile, c.TLS.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading tls client certificate: %w", err)
		}
		tlsConfig.Certificates = []tls.Certificate{cert}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tlsConfig
	// The client talks to one host, with Concurrency requests in flight while reading and the caller's parallelism
	// while validating and writing (sync.DefaultParallelism is 10). Every connection opened is kept for the next
	// request: with fewer idle slots than requests in flight, each burst that ends together closes the spare
	// connections and the next one dials them again, a TCP handshake on both sides per request.
	t.MaxIdleConns = 0
	t.MaxIdleConnsPerHost = max(c.Concurrency, idleConnsPerHost)
	headers := http.Header{}
	for k, v := range c.Headers {
		headers.Set(k, v)
	}
	return &headerTransport{headers: headers, next: wire(admin, t, t.MaxIdleConnsPerHost)}, nil
}

// NetHTTPEnv, set to any value, makes every request go through net/http's own Transport, for whoever suspects the
// client's wireTransport of mishandling a gateway or something between (it costs about 20 µs of CPU a request).
const NetHTTPEnv = "KONGSNAP_NET_HTTP"

// wire is the wireTransport for the Admin API at admin over next, or next itself for https, a proxied URL, or when
// NetHTTPEnv is set.
func wire(admin *url.URL, next *http.Transport, maxIdle int) http.RoundTripper {
	if !wireSupported || admin.Scheme != "http" || os.Getenv(NetHTTPEnv) != "" {
		return next
	}
	if next.Proxy != nil {
		if proxy, err := next.Proxy(&http.Request{URL: admin}); err != nil || proxy != nil {
			return next
		}
	}
	addr := admin.Host
	if admin.Port() == "" {
		addr = net.JoinHostPort(admin.Hostname(), "80")
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &wireTransport{host: admin.Host, addr: addr, dial: dialer.DialContext, next: next, maxIdle: maxIdle}
}

// headerTransport adds the connection's headers to every request.
type headerTransport struct {
	headers http.Header
	next    http.RoundTripper
}

func (t *headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(t.headers) > 0 {
		r = r.Clone(r.Context())
		for k, v := range t.headers {
			r.Header[k] = v
		}
	}
	return t.next.RoundTrip(r)
}

// handshake reads GET / at the root (never workspaced) and keeps the version.
func (c *Client) handshake(ctx context.Context) error {
	where := "admin API at " + RedactURL(c.conn.AdminURL)
	req, err := c.kong.NewRequestRaw(http.MethodGet, c.kong.BaseRootURL(), "/", nil, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	var root struct {
		Version string `json:"version"`
		Plugins struct {
			Available map[string]json.RawMessage `json:"available_on_server"`
		} `json:"plugins"`
	}
	_, err = c.kong.Do(ctx, req, &root)
	var apiErr *kong.APIError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", where, ctx.Err())
	case errors.As(err, &apiErr) && (apiErr.Code() == http.StatusUnauthorized || apiErr.Code() == http.StatusForbidden):
		return fmt.Errorf("%s refused the client: %w; check the connection's headers (admin token)", where, kongError(err))
	case errors.As(err, &apiErr):
		return fmt.Errorf("%s answered GET / with %w; check admin_url", where, kongError(err))
	case isTransport(err):
		hint := "check admin_url"
		if strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:") {
			hint = "check the connection's tls settings (CA file, client certificate)"
		}
		return fmt.Errorf("%s %w: %w; %s", where, ErrUnreachable, err, hint)
	default:
		return fmt.Errorf("%s: GET / did not answer like a Kong Admin API (%w); check admin_url", where, err)
	}
	if root.Version == "" {
		return fmt.Errorf("%s: GET / reported no Kong version; check admin_url points at a Kong Admin API", where)
	}
	c.version = root.Version
	if root.Plugins.Available != nil {
		c.plugins = make(map[string]bool, len(root.Plugins.Available))
		for name := range root.Plugins.Available {
			c.plugins[name] = true
		}
	}
	return nil
}

// RedactURL returns an Admin API URL fit to show: a password in it replaced by "xxxxx", as net/url's Redacted
// does. A URL that does not parse has everything between "//" and the last "@" before the host replaced.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if i := strings.Index(raw, "//"); i >= 0 {
		rest := raw[i+2:]
		host := strings.IndexAny(rest, "/?#")
		if host < 0 {
			host = len(rest)
		}
		if at := strings.LastIndex(rest[:host], "@"); at >= 0 {
			return raw[:i+2] + "xxxxx" + rest[at:]
		}
	}
	return raw
}

// urlPassword returns the password of an Admin API URL, "" when it has none.
func urlPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	password, _ := u.User.Password()
	return password
}

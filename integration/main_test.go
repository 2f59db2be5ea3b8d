//go:build integration

package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
)

// adminURL is the Admin API under test, from KONG_ADMIN_URL; empty means every test skips.
var adminURL string

// runID makes this run's entity names and tags unique on a Kong other runs and tests share.
var runID string

const skipMessage = "KONG_ADMIN_URL is unset: skipping the real-Kong integration tests " +
	"(set it to a Kong 3.9 Admin API, e.g. KONG_ADMIN_URL=http://127.0.0.1:8001)"

func TestMain(m *testing.M) {
	adminURL = strings.TrimRight(os.Getenv("KONG_ADMIN_URL"), "/")
	if adminURL == "" {
		fmt.Fprintln(os.Stderr, "integration: "+skipMessage)
		os.Exit(m.Run())
	}
	if err := ping(); err != nil {
		fmt.Fprintf(os.Stderr, "integration: Kong Admin API at %s does not answer: %v\n", adminURL, err)
		os.Exit(1)
	}
	buf := make([]byte, 4)
	if _, err := rand.Read(buf); err != nil {
		fmt.Fprintf(os.Stderr, "integration: %v\n", err)
		os.Exit(1)
	}
	runID = "it" + hex.EncodeToString(buf)
	os.Exit(m.Run())
}

// ping checks that GET / answers 200 with a version, as every client's handshake needs.
func ping() error {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(c, http.MethodGet, adminURL+"/", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var root struct {
		Version string `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&root); err != nil {
		return fmt.Errorf("GET / = %d, decoding: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || root.Version == "" {
		return fmt.Errorf("GET / = %d with version %q", resp.StatusCode, root.Version)
	}
	return nil
}

// kongT is one test's view of the shared Kong: a go-kong client, a raw JSON client and a name prefix of its own.
type kongT struct {
	t      testing.TB
	client *kong.Client
	prefix string // unique per test and run, lowercase: valid in names, hostnames, tags and vault prefixes
}

// newKong skips the test when no Kong is configured, and otherwise connects to it.
func newKong(t testing.TB) *kongT {
	t.Helper()
	if adminURL == "" {
		t.Skip(skipMessage)
	}
	client, err := kong.NewClient(kong.String(adminURL), &http.Client{Timeout: 60 * time.Second})
	if err != nil {
		t.Fatalf("creating go-kong client: %v", err)
	}
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name()))
	return &kongT{t: t, client: client, prefix: runID + "-" + name}
}

// name returns a unique name for this test: prefix-suffix.
func (k *kongT) name(suffix string) string { return k.prefix + "-" + suffix }

// tag is the tag this test puts on what it creates, so lists can be narrowed to it.
func (k *kongT) tag() string { return k.prefix }

// in returns k reporting to t, for subtests.
func (k *kongT) in(t testing.TB) *kongT {
	c := *k
	c.t = t
	return &c
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}

// response is one raw Admin API answer.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any // nil for an empty body
}

// do sends a raw request (body: nil, a string sent as is, or a value sent as JSON).
func (k *kongT) do(method, path string, body any) response {
	k.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			k.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, adminURL+path, rd)
	if err != nil {
		k.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		k.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	out := response{status: resp.StatusCode, header: resp.Header, raw: data}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &out.body); err != nil {
			k.t.Fatalf("%s %s = %d: decoding %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return out
}

// must sends a raw request that has to answer want, and returns the decoded body.
func (k *kongT) must(want int, method, path string, body any) map[string]any {
	k.t.Helper()
	r := k.do(method, path, body)
	if r.status != want {
		k.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, want)
	}
	return r.body
}

// create POSTs body to path expecting 201, and deletes the entity at deletePath+"/"+id when the test ends (an
// entity a cascade already removed answers 204 too).
func (k *kongT) create(path string, body map[string]any, deletePath string) map[string]any {
	k.t.Helper()
	out := k.must(http.StatusCreated, http.MethodPost, path, body)
	k.cleanup(deletePath + "/" + out["id"].(string))
	return out
}

// cleanup deletes path when the test ends; cleanups run last-registered first, so children go before parents.
func (k *kongT) cleanup(path string) {
	t := k.t
	t.Cleanup(func() {
		req, err := http.NewRequest(http.MethodDelete, adminURL+path, nil)
		if err != nil {
			t.Error(err)
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("cleaning up %s: %v", path, err)
			return
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("cleaning up: DELETE %s = %d", path, resp.StatusCode)
		}
	})
}

func strs(list []*string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = *s
	}
	return out
}

func data(body map[string]any) []any {
	list, _ := body["data"].([]any)
	return list
}

// newUUID returns a random version 4 UUID, for entities created with an id of the test's choosing.
func newUUID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// checkFields reports every field of want that body lacks or holds differently; nil in want means JSON null.
func checkFields(t testing.TB, what string, body map[string]any, want map[string]any) {
	t.Helper()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var norm map[string]any
	if err := json.Unmarshal(data, &norm); err != nil {
		t.Fatal(err)
	}
	for field, w := range norm {
		got, ok := body[field]
		if !ok {
			t.Errorf("%s: field %s missing, want %v", what, field, w)
			continue
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %s = %#v, want %#v", what, field, got, w)
		}
	}
}

package gateway

import (
	"io"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/kong/go-kong/kong"
)

// TestRequestIsGoKongs: the request requestBase builds is the one go-kong's NewRequest builds for the same base
// URL, workspace, path and body: the same URL (as parsed and as sent), Host, headers, length and body, and a body
// that can be read again (retries).
func TestRequestIsGoKongs(t *testing.T) {
	for _, tc := range []struct{ name, admin, workspace string }{
		{"root", "http://127.0.0.1:8001", ""},
		{"root with a slash", "http://127.0.0.1:8001/", ""},
		{"path prefix", "https://gw.example.com/kong-admin", ""},
		{"escaped path prefix", "http://gw.example.com/a%20b", ""},
		{"workspace", "http://localhost:8001", "team-a"},
		{"user info", "http://admin:s3cret@localhost:8001", ""},
	} {
		u, err := url.Parse(tc.admin)
		if err != nil {
			t.Fatal(err)
		}
		kc, err := kong.NewClient(kong.String(u.String()), &http.Client{})
		if err != nil {
			t.Fatal(err)
		}
		kc.SetWorkspace(tc.workspace)
		base, err := newRequestBase(kc.BaseRootURL(), tc.workspace)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{
			"/services/" + url.PathEscape("svc-1"),
			"/consumers/" + url.PathEscape("a/b@c") + "/key-auth",
			"/schemas/plugins/validate",
			"/routes/" + url.PathEscape("naïve route"),
			"/upstreams/" + url.PathEscape("up.internal") + "/targets",
		} {
			for _, body := range [][]byte{nil, []byte(`{"name":"x"}`), {}} {
				var payload any
				if body != nil {
					payload = body
				}
				want, err := kc.NewRequest(http.MethodPut, path, nil, payload)
				if err != nil {
					t.Fatal(err)
				}
				got, err := base.request(http.MethodPut, path, body)
				if err != nil {
					t.Fatalf("%s %s: %v", tc.name, path, err)
				}
				same := func(what string, g, w any) {
					t.Helper()
					if !reflect.DeepEqual(g, w) {
						t.Errorf("%s, %s, body %q: %s %v, go-kong's %v", tc.name, path, body, what, g, w)
					}
				}
				same("method", got.Method, want.Method)
				same("URL", got.URL.String(), want.URL.String())
				same("request URI", got.URL.RequestURI(), want.URL.RequestURI())
				same("path", got.URL.Path, want.URL.Path)
				same("escaped path", got.URL.EscapedPath(), want.URL.EscapedPath())
				same("user", got.URL.User.String(), want.URL.User.String())
				same("host", got.Host, want.Host)
				same("header", got.Header, want.Header)
				same("length", got.ContentLength, want.ContentLength)
				same("proto", got.Proto, want.Proto)
				same("body", read(t, got.Body), read(t, want.Body))
				if want.GetBody != nil {
					again, _ := got.GetBody()
					first, _ := want.GetBody()
					same("body sent again", read(t, again), read(t, first))
				} else if got.GetBody != nil {
					t.Errorf("%s, %s: a GetBody without a body", tc.name, path)
				}
			}
		}
	}
}

func read(t *testing.T, r io.Reader) string {
	t.Helper()
	if r == nil {
		return ""
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package kongsim_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/kong/go-kong/kong"
)

func TestListAllReturnsEachOnce(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	for i := 0; i < 2500; i++ {
		h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": fmt.Sprintf("user-%04d", i)})
	}
	for i := 0; i < 1500; i++ {
		h.must(http.StatusCreated, http.MethodPost, fmt.Sprintf("/consumers/user-%04d/plugins", i), map[string]any{"name": "correlation-id"})
	}
	consumers, err := h.client.Consumers.ListAll(c)
	if err != nil {
		t.Fatalf("ListAll consumers: %v", err)
	}
	plugins, err := h.client.Plugins.ListAll(c)
	if err != nil {
		t.Fatalf("ListAll plugins: %v", err)
	}
	for name, ids := range map[string][]string{"consumers": consumerIDs(consumers), "plugins": pluginIDs(plugins)} {
		want := map[string]int{"consumers": 2500, "plugins": 1500}[name]
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s: %s listed twice", name, id)
			}
			seen[id] = true
		}
		if len(seen) != want || len(ids) != want {
			t.Errorf("%s: listed %d (%d distinct), want %d", name, len(ids), len(seen), want)
		}
		if !sort.StringsAreSorted(ids) {
			t.Errorf("%s not ordered by id", name)
		}
	}
}

func consumerIDs(list []*kong.Consumer) []string {
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = *c.ID
	}
	return ids
}

func pluginIDs(list []*kong.Plugin) []string {
	ids := make([]string, len(list))
	for i, p := range list {
		ids[i] = *p.ID
	}
	return ids
}

func TestPagination(t *testing.T) {
	h := newHarness(t)
	empty := h.must(http.StatusOK, http.MethodGet, "/services", nil)
	if data, ok := empty["data"].([]any); !ok || len(data) != 0 || empty["next"] != nil {
		t.Errorf("empty list = %v", empty)
	}
	if _, ok := empty["offset"]; ok {
		t.Errorf("empty list carries an offset")
	}
	for i := 0; i < 4; i++ {
		h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"host": "a.test", "tags": []string{"t"}})
	}
	first := h.must(http.StatusOK, http.MethodGet, "/services?size=2&tags=t", nil)
	data := first["data"].([]any)
	lastID := data[1].(map[string]any)["id"].(string)
	token := base64.RawStdEncoding.EncodeToString([]byte(`["` + lastID + `"]`))
	if first["offset"] != token {
		t.Errorf("offset = %v, want %s", first["offset"], token)
	}
	if want := "/services?offset=" + escape(token) + "&tags=t&size=2"; first["next"] != want {
		t.Errorf("next = %v, want %s", first["next"], want)
	}
	second := h.must(http.StatusOK, http.MethodGet, "/services?size=2&offset="+url.QueryEscape(token), nil)
	if n := len(second["data"].([]any)); n != 2 || second["next"] != nil {
		t.Errorf("last page of an exact multiple = %d rows, next %v", n, second["next"])
	}
	if _, ok := second["offset"]; ok {
		t.Errorf("last page carries an offset")
	}

	tests := []struct {
		name  string
		query string
		want  map[string]any
	}{
		{name: "size not a number", query: "size=abc", want: map[string]any{"code": 9.0, "name": "invalid size", "message": "size must be a number"}},
		{name: "size zero", query: "size=0", want: map[string]any{"code": 9.0, "name": "invalid size", "message": "size must be an integer between 1 and 1000"}},
		{name: "size too big", query: "size=1001", want: map[string]any{"code": 9.0, "name": "invalid size", "message": "size must be an integer between 1 and 1000"}},
		{name: "offset not base64", query: "offset=%21%21", want: map[string]any{"code": 7.0, "name": "invalid offset", "message": "'!!' is not a valid offset: bad base64 encoding"}},
		{name: "offset not json", query: "offset=" + base64.RawStdEncoding.EncodeToString([]byte("nope")), want: map[string]any{"code": 7.0, "name": "invalid offset", "message": "'bm9wZQ' is not a valid offset: bad json encoding"}},
		{name: "mixed tags", query: "tags=a,b/c", want: map[string]any{"code": 11.0, "name": "invalid options", "message": "invalid option (tags: invalid filter syntax)", "options": map[string]any{"tags": "invalid filter syntax"}}},
		{name: "too many tags", query: "tags=a,b,c,d,e,f", want: map[string]any{"code": 11.0, "name": "invalid options", "message": "invalid option (tags: cannot query more than 5 tags)", "options": map[string]any{"tags": "cannot query more than 5 tags"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			body := h.must(http.StatusBadRequest, http.MethodGet, "/services?"+tt.query, nil)
			if fmt.Sprint(body) != fmt.Sprint(tt.want) {
				t.Errorf("body = %v\nwant   %v", body, tt.want)
			}
		})
	}
}

// escape is ngx.escape_uri for the characters a base64 token can hold.
func escape(s string) string {
	out := ""
	for _, c := range s {
		switch c {
		case '+':
			out += "%2B"
		case '/':
			out += "%2F"
		default:
			out += string(c)
		}
	}
	return out
}

func TestTagFilters(t *testing.T) {
	h := newHarness(t)
	for name, tags := range map[string][]string{"ab": {"a", "b"}, "a": {"a"}, "c": {"c"}, "none": nil} {
		h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": name, "tags": tags})
	}
	svc := h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"host": "x.test"})
	h.must(http.StatusCreated, http.MethodPost, "/services/"+svc["id"].(string)+"/routes", map[string]any{"paths": []string{"/"}, "tags": []string{"z"}})
	tests := []struct {
		name string
		path string
		want []string
	}{
		{name: "and", path: "/consumers?tags=a,b", want: []string{"ab"}},
		{name: "or", path: "/consumers?tags=b/c", want: []string{"ab", "c"}},
		{name: "single", path: "/consumers?tags=a", want: []string{"a", "ab"}},
		{name: "no match", path: "/consumers?tags=q", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			var got []string
			for _, r := range h.must(http.StatusOK, http.MethodGet, tt.path, nil)["data"].([]any) {
				got = append(got, r.(map[string]any)["username"].(string))
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("GET %s = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
	h.t = t
	nested := h.must(http.StatusOK, http.MethodGet, "/services/"+svc["id"].(string)+"/routes?tags=nomatch", nil)
	if n := len(nested["data"].([]any)); n != 1 {
		t.Errorf("tags on a nested list filtered to %d routes; Kong ignores them", n)
	}
}

// The offset token is Kong's byte for byte (page() in kong/db/strategies/postgres/init.lua: ngx.encode_base64 of
// cjson.encode({id}), unpadded), a padded one is read too (ngx.decode_base64 stops at '='), and a token of any
// id, stored or not, starts the page after it in uuid order: a client reads a collection in id ranges this way.
func TestOffsetTokenIsKongs(t *testing.T) {
	h := newHarness(t)
	for _, id := range []string{"40000000-0000-0000-0000-000000000000", "3FFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
		"c0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000001"} {
		h.must(http.StatusOK, http.MethodPut, "/services/"+id, map[string]any{"host": "a.test"})
	}
	first := h.must(http.StatusOK, http.MethodGet, "/services?size=2", nil)
	// base64 of ["40000000-0000-0000-0000-000000000000"]; the upper-case id is stored, and ordered, in lower case
	if want := "WyI0MDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ"; first["offset"] != want {
		t.Errorf("offset = %v, want %s", first["offset"], want)
	}
	tests := []struct {
		name  string
		token string
		want  []string
	}{
		{name: "padded", token: "WyI0MDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ==",
			want: []string{"a0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000001"}},
		{name: "an id not stored", token: base64.RawStdEncoding.EncodeToString([]byte(`["9fffffff-ffff-ffff-ffff-ffffffffffff"]`)),
			want: []string{"a0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000001"}},
		{name: "an upper-case id", token: base64.RawStdEncoding.EncodeToString([]byte(`["A0000000-0000-4000-8000-000000000001"]`)),
			want: []string{"c0000000-0000-4000-8000-000000000001"}},
		{name: "before every id", token: base64.RawStdEncoding.EncodeToString([]byte(`["00000000-0000-0000-0000-000000000000"]`)),
			want: []string{"3fffffff-ffff-ffff-ffff-ffffffffffff", "40000000-0000-0000-0000-000000000000",
				"a0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := h.must(http.StatusOK, http.MethodGet, "/services?offset="+url.QueryEscape(tt.token), nil)
			var got []string
			for _, r := range page["data"].([]any) {
				got = append(got, r.(map[string]any)["id"].(string))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ids after %s = %v, want %v", tt.token, got, tt.want)
			}
		})
	}
}

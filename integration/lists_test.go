//go:build integration

package integration

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

// inParallel runs f(0..n-1) on a few workers and fails the test on the first error.
func inParallel(t testing.TB, n int, f func(i int) error) {
	t.Helper()
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// post creates one entity without calling t.Fatal, for use from worker goroutines.
func (k *kongT) post(path string, body map[string]any) (string, error) {
	k.t.Helper()
	r := k.do(http.MethodPost, path, body)
	if r.status != http.StatusCreated {
		return "", fmt.Errorf("POST %s = %d %s", path, r.status, r.raw)
	}
	return r.body["id"].(string), nil
}

func TestListAllReturnsEachOnce(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	const consumers, plugins = 2500, 1500
	ids := make([]string, consumers)
	t.Cleanup(func() {
		inParallel(t, consumers, func(i int) error {
			if ids[i] == "" {
				return nil
			}
			if r := k.do(http.MethodDelete, "/consumers/"+ids[i], nil); r.status != http.StatusNoContent {
				return fmt.Errorf("cleaning up consumer %s: %d", ids[i], r.status)
			}
			return nil
		})
	})
	inParallel(t, consumers, func(i int) error {
		id, err := k.post("/consumers", map[string]any{"username": k.name(fmt.Sprintf("user-%04d", i)), "tags": []string{k.tag()}})
		ids[i] = id
		return err
	})
	pluginIDs := make([]string, plugins)
	inParallel(t, plugins, func(i int) error {
		id, err := k.post("/consumers/"+ids[i]+"/plugins", map[string]any{"name": "correlation-id"})
		pluginIDs[i] = id
		return err
	})

	listedConsumers, err := k.client.Consumers.ListAll(c)
	if err != nil {
		t.Fatalf("ListAll consumers: %v", err)
	}
	var consumerIDs []string
	for _, e := range listedConsumers {
		consumerIDs = append(consumerIDs, *e.ID)
	}
	listedPlugins, err := k.client.Plugins.ListAll(c)
	if err != nil {
		t.Fatalf("ListAll plugins: %v", err)
	}
	var listedPluginIDs []string
	for _, e := range listedPlugins {
		listedPluginIDs = append(listedPluginIDs, *e.ID)
	}
	for _, tt := range []struct {
		name         string
		listed, ours []string
	}{
		{name: "consumers", listed: consumerIDs, ours: ids},
		{name: "plugins", listed: listedPluginIDs, ours: pluginIDs},
	} {
		seen := map[string]int{}
		for _, id := range tt.listed {
			seen[id]++
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("%s: %s listed %d times", tt.name, id, n)
			}
		}
		for _, id := range tt.ours {
			if seen[id] != 1 {
				t.Errorf("%s: %s listed %d times, want once", tt.name, id, seen[id])
			}
		}
		if !sort.StringsAreSorted(tt.listed) {
			t.Errorf("%s not listed in id order", tt.name)
		}
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	empty := k.must(http.StatusOK, http.MethodGet, "/services?tags="+k.tag(), nil)
	if list, ok := empty["data"].([]any); !ok || len(list) != 0 || empty["next"] != nil {
		t.Errorf("empty list = %v, want data [] and next null", empty)
	}
	if _, ok := empty["offset"]; ok {
		t.Errorf("empty list carries an offset")
	}
	for i := 0; i < 4; i++ {
		k.create("/services", map[string]any{"host": "a.test", "tags": []string{k.tag()}}, "/services")
	}
	first := k.must(http.StatusOK, http.MethodGet, "/services?size=2&tags="+k.tag(), nil)
	rows := data(first)
	if len(rows) != 2 {
		t.Fatalf("first page = %d rows, want 2", len(rows))
	}
	lastID := rows[1].(map[string]any)["id"].(string)
	token := base64.RawStdEncoding.EncodeToString([]byte(`["` + lastID + `"]`))
	if first["offset"] != token {
		t.Errorf("offset = %v, want unpadded base64 of [\"<last id>\"] = %s", first["offset"], token)
	}
	if want := "/services?offset=" + strings.NewReplacer("+", "%2B", "/", "%2F").Replace(token) + "&tags=" + k.tag() + "&size=2"; first["next"] != want {
		t.Errorf("next = %v, want %s", first["next"], want)
	}
	second := k.must(http.StatusOK, http.MethodGet, "/services?size=2&tags="+k.tag()+"&offset="+url.QueryEscape(token), nil)
	if n := len(data(second)); n != 2 || second["next"] != nil {
		t.Errorf("last page of an exact multiple = %d rows, next %v; want 2 rows and next null", n, second["next"])
	}
	if _, ok := second["offset"]; ok {
		t.Errorf("last page carries an offset")
	}
	seen := map[string]bool{}
	for _, r := range append(rows, data(second)...) {
		seen[r.(map[string]any)["id"].(string)] = true
	}
	if len(seen) != 4 {
		t.Errorf("two pages of 2 gave %d distinct services, want 4", len(seen))
	}
	byNext := k.must(http.StatusOK, http.MethodGet, first["next"].(string), nil)
	if !reflect.DeepEqual(byNext, second) {
		t.Errorf("following next = %v, want the second page %v", byNext, second)
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
			body := k.in(t).must(http.StatusBadRequest, http.MethodGet, "/services?"+tt.query, nil)
			if !reflect.DeepEqual(body, tt.want) {
				t.Errorf("body = %v\nwant   %v", body, tt.want)
			}
		})
	}
}

func TestTagFilters(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	a, b, c := k.name("a"), k.name("b"), k.name("c")
	for name, tags := range map[string][]string{"ab": {a, b}, "a": {a}, "c": {c}, "none": nil} {
		k.create("/consumers", map[string]any{"username": k.name(name), "tags": tags}, "/consumers")
	}
	svc := k.create("/services", map[string]any{"host": "x.test"}, "/services")
	k.create("/services/"+svc["id"].(string)+"/routes", map[string]any{"paths": []string{"/" + k.prefix}, "tags": []string{c}}, "/routes")
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{name: "and", query: a + "," + b, want: []string{"ab"}},
		{name: "or", query: b + "/" + c, want: []string{"ab", "c"}},
		{name: "single", query: a, want: []string{"a", "ab"}},
		{name: "no match", query: k.name("q"), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range data(k.in(t).must(http.StatusOK, http.MethodGet, "/consumers?tags="+url.QueryEscape(tt.query), nil)) {
				got = append(got, strings.TrimPrefix(r.(map[string]any)["username"].(string), k.prefix+"-"))
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("tags=%s gave %v, want %v", tt.query, got, tt.want)
			}
		})
	}
	nested := k.must(http.StatusOK, http.MethodGet, "/services/"+svc["id"].(string)+"/routes?tags="+k.name("nomatch"), nil)
	if n := len(data(nested)); n != 1 {
		t.Errorf("tags on a nested list filtered to %d routes; Kong ignores them there", n)
	}
}

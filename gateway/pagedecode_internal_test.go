package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gateway/kongsim/kongsimtest"
	"github.com/kongsnap/kongsnap/snapshot"
)

// TestDecodePageMatchesJSON holds decodePageBody to encoding/json's Decode, values and errors, on pages of random
// entities of every kind, and on the same pages mutated the ways that take it off its road (escapes, nulls,
// unknown keys, keys in another case, fields given twice, values of the wrong type, broken syntax). The plain
// pages, escaped slashes included, must be decoded by decodePage itself: else its speed is never used.
func TestDecodePageMatchesJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 17))
	for _, kind := range snapshot.Kinds {
		info := kind.Info()
		for i := range 200 {
			entities := make([]any, 1+rng.IntN(3))
			for j := range entities {
				e := info.New()
				fillEntity(rng, reflect.ValueOf(e).Elem(), 0)
				entities[j] = e
			}
			plain := pageBody(t, entities)
			name := fmt.Sprintf("%s %d", kind, i)
			for _, body := range []string{plain, strings.ReplaceAll(plain, "/", `\/`)} {
				if got := decodedBy(t, info, body); got != nil {
					t.Fatalf("%s: decodePage left a plain page to encoding/json (%v):\n%s", name, got, body)
				}
				checkSameDecode(t, name, info, body)
			}
			for _, mutate := range pageMutations {
				checkSameDecode(t, name, info, mutate(rng, plain))
			}
		}
	}
}

// TestDecodePageTakesKongsimPages decodes the pages kongsim serves for a generated gateway with decodePage
// itself, to the values encoding/json gives.
func TestDecodePageTakesKongsimPages(t *testing.T) {
	for _, p := range kongsimPages(t, 3000) {
		kind, body := p.info.Kind, string(p.body)
		if got := decodedBy(t, p.info, body); got != nil {
			t.Fatalf("%s: decodePage left kongsim's page to encoding/json: %v", kind, got)
		}
		checkSameDecode(t, string(kind), p.info, body)
	}
}

// kongsimPage is the first page of one of kongsim's collections.
type kongsimPage struct {
	info *snapshot.KindInfo
	body []byte
}

// kongsimPages fetches the first page, of up to 1000 entities, of each of kongsim's collections for a gateway
// generated with n entities.
func kongsimPages(tb testing.TB, n int) []kongsimPage {
	tb.Helper()
	s := kongsim.New(kongsim.Options{})
	kongsimtest.SeedLarge(tb, s, n)
	srv := httptest.NewServer(s)
	defer srv.Close()
	var pages []kongsimPage
	for _, kind := range snapshot.Kinds {
		info := kind.Info()
		if info.Path == "" {
			continue
		}
		resp, err := http.Get(srv.URL + info.Path + "?size=1000")
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			tb.Fatalf("GET %s: %d %v", info.Path, resp.StatusCode, err)
		}
		pages = append(pages, kongsimPage{info, body})
	}
	return pages
}

// decodedBy returns decodePage's own error on body (nil when it decoded the page itself).
func decodedBy(t *testing.T, info *snapshot.KindInfo, body string) error {
	t.Helper()
	p := newPage(info)
	return decodePage([]byte(body), &p)
}

// checkSameDecode fails the test when decodePageBody and encoding/json decode body differently.
func checkSameDecode(t *testing.T, name string, info *snapshot.KindInfo, body string) {
	t.Helper()
	got, want := newPage(info), newPage(info)
	gotErr := decodePageBody([]byte(body), &got)
	wantErr := json.NewDecoder(strings.NewReader(body)).Decode(&want)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%s: error %v, encoding/json's %v\n%s", name, gotErr, wantErr, body)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("%s: decoded\n%s\nencoding/json:\n%s\nfrom:\n%s", name, g, w, body)
	}
}

// pageBody is a list page holding entities, written without HTML escapes (as Kong writes).
func pageBody(t *testing.T, entities []any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"data": entities, "offset": "b2Zmc2V0", "next": "/x?offset=b2Zmc2V0"}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// pageMutations change a page into ones decodePage must leave to encoding/json, or decode the same way.
var pageMutations = []func(rng *rand.Rand, body string) string{
	// a key of the page, or of an entity, given again, with another value
	func(_ *rand.Rand, body string) string {
		return strings.Replace(body, `{"data":`, `{"offset":"x","data":`, 1)
	},
	func(_ *rand.Rand, body string) string { return strings.Replace(body, `"id":`, `"id":"x","id":`, 1) },
	// unknown keys, with values of every shape, and keys in another case
	func(rng *rand.Rand, body string) string {
		extra, _ := json.Marshal(randomAny(rng, 0))
		return strings.Replace(body, `"id":`, `"not_a_field":`+string(extra)+`,"id":`, 1)
	},
	func(_ *rand.Rand, body string) string { return strings.Replace(body, `"id":`, `"ID":`, 1) },
	func(_ *rand.Rand, body string) string { return strings.Replace(body, `{"data":`, `{"Data":`, 1) },
	func(_ *rand.Rand, body string) string { return strings.Replace(body, `"name":`, `"na\u006de":`, 1) },
	// nulls for values of every type, the page's data included
	func(rng *rand.Rand, body string) string { return replaceValue(rng, body, "null") },
	func(_ *rand.Rand, body string) string {
		return strings.Replace(body, `{"data":[`, `{"data":null,"x":[`, 1)
	},
	// values of the wrong type, numbers out of range
	func(rng *rand.Rand, body string) string { return replaceValue(rng, body, `"7"`) },
	func(rng *rand.Rand, body string) string { return replaceValue(rng, body, `1.5`) },
	func(rng *rand.Rand, body string) string { return replaceValue(rng, body, `1e400`) },
	func(rng *rand.Rand, body string) string { return replaceValue(rng, body, `{}`) },
	func(rng *rand.Rand, body string) string { return replaceValue(rng, body, `[]`) },
	func(rng *rand.Rand, body string) string { return replaceValue(rng, body, `true`) },
	// escapes decodePage does not decode, bytes that are not UTF-8, control characters
	func(_ *rand.Rand, body string) string {
		return strings.Replace(body, `":"`, `":"\u00e9\ud83d\ude00`, 1)
	},
	func(_ *rand.Rand, body string) string { return strings.Replace(body, `":"`, "\":\"\xff", 1) },
	func(_ *rand.Rand, body string) string { return strings.Replace(body, `":"`, "\":\"\x01", 1) },
	func(_ *rand.Rand, body string) string { return strings.Replace(body, `":"`, `":"\x`, 1) },
	// broken syntax anywhere, and what follows the page
	func(rng *rand.Rand, body string) string {
		i := rng.IntN(len(body))
		return body[:i] + body[i+1:]
	},
	func(rng *rand.Rand, body string) string { return body[:rng.IntN(len(body))] },
	func(_ *rand.Rand, body string) string { return body + `{"more"` },
	func(_ *rand.Rand, body string) string { return " \t\r\n" + strings.ReplaceAll(body, ",", " ,\n ") },
}

// replaceValue puts value in place of the value of one member, picked at random, of the page's JSON text.
func replaceValue(rng *rand.Rand, body, value string) string {
	var starts []int
	for i := 0; i+2 < len(body); i++ {
		if body[i] == '"' && body[i+1] == ':' {
			starts = append(starts, i+2)
		}
	}
	if len(starts) == 0 {
		return body
	}
	start := starts[rng.IntN(len(starts))]
	d := &pageDecoder{data: []byte(body), pos: start}
	if d.skip() != nil {
		return body
	}
	return body[:start] + value + body[d.pos:]
}

// entityStrings are the strings random entities hold: plain, escaped when written, beyond ASCII.
var entityStrings = []string{"", "a", "svc-1", "héllo", "/orders/v1", `quote"d`, `back\slash`, "line\nbreak\ttab",
	"日本", "~/api/(?<n>\\d+)$"}

// fillEntity sets v, and everything it holds, to random values; pointers, slices and maps are sometimes left nil
// or empty.
func fillEntity(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if rng.IntN(4) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillEntity(rng, v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillEntity(rng, v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString(entityStrings[rng.IntN(len(entityStrings))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(rng.Int64N(1<<20) - 1<<19)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(rng.Uint64N(1 << 20))
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 1, -1, 0.5, 1e-7, 1e21, 123456789.125, -2.5e-9}[rng.IntN(8)])
	case reflect.Slice:
		switch rng.IntN(3) {
		case 0:
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			v.Set(reflect.MakeSlice(v.Type(), 1+rng.IntN(3), 3))
			for i := range v.Len() {
				fillEntity(rng, v.Index(i), depth+1)
			}
		}
	case reflect.Map:
		if rng.IntN(3) == 0 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range rng.IntN(4) {
			key := reflect.New(v.Type().Key()).Elem()
			fillEntity(rng, key, depth+1)
			value := reflect.New(v.Type().Elem()).Elem()
			fillEntity(rng, value, depth+1)
			v.SetMapIndex(key, value)
		}
	case reflect.Interface:
		if value := randomAny(rng, depth); value != nil {
			v.Set(reflect.ValueOf(value))
		}
	}
}

// randomAny is a value as encoding/json decodes into an interface: what a plugin's configuration holds.
func randomAny(rng *rand.Rand, depth int) any {
	n := 6
	if depth > 4 {
		n = 4
	}
	switch rng.IntN(n) {
	case 0:
		return nil
	case 1:
		return entityStrings[rng.IntN(len(entityStrings))]
	case 2:
		return []float64{0, 3, -1.5, 1e21, 2.5e-9}[rng.IntN(5)]
	case 3:
		return rng.IntN(2) == 0
	case 4:
		list := make([]any, rng.IntN(3))
		for i := range list {
			list[i] = randomAny(rng, depth+1)
		}
		return list
	default:
		m := map[string]any{}
		for range rng.IntN(4) {
			m[entityStrings[rng.IntN(len(entityStrings))]] = randomAny(rng, depth+1)
		}
		return m
	}
}

// BenchmarkDecodePage decodes the first page of each of kongsim's collections for a generated gateway, as Read
// does and as encoding/json did before.
func BenchmarkDecodePage(b *testing.B) {
	pages := kongsimPages(b, 10_000)
	size := 0
	for _, p := range pages {
		size += len(p.body)
	}
	for _, bb := range []struct {
		name   string
		decode func(body []byte, p *page) error
	}{
		{"decodePage", decodePageBody},
		{"encoding-json", func(body []byte, p *page) error { return json.NewDecoder(bytes.NewReader(body)).Decode(p) }},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, f := range pages {
					p := newPage(f.info)
					if err := bb.decode(f.body, &p); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// A config's objects and arrays are made once their members are known (pageDecoder's pairs and items stacks):
// nested ones, empty ones and keys given twice decode as encoding/json decodes them, and decodePage takes the page.
func TestDecodePageConfigShapes(t *testing.T) {
	info := snapshot.KindPlugin.Info()
	for i, config := range []string{
		`{}`,
		`{"a":1,"a":2}`,
		`{"a":{"b":[1,{"c":null,"c":[]}],"b":[]},"d":[[],[[]],{}],"e":"x"}`,
		`{"deep":{"er":{"est":[{"k":[1,2,3],"l":{}},{"k":[]}]}},"after":[true,false,null,0.5]}`,
	} {
		body := `{"data":[{"id":"0a000000-0000-4000-8000-000000000001","name":"p","config":` + config +
			`},{"id":"0a000000-0000-4000-8000-000000000002","name":"q","config":` + config + `}],"next":null}`
		if got := decodedBy(t, info, body); got != nil {
			t.Fatalf("config %d: decodePage left the page to encoding/json (%v):\n%s", i, got, body)
		}
		checkSameDecode(t, fmt.Sprintf("config %d", i), info, body)
	}
}

// The shapes go-kong's types do not have but the decoders are compiled for all the same: integers and floats of
// every size (and too large for them), an embedded pointer to a struct, a slice of non-pointers, a slice inside
// one of its own type, typed maps, a named map of free-form values and a named empty interface. Each page is
// decoded as encoding/json decodes it, and the plain ones by decodePage itself.
func TestDecodePageOtherShapes(t *testing.T) {
	type (
		Inner struct {
			Deep *string `json:"deep"`
		}
		config  map[string]any
		free    interface{}
		element struct {
			I8   int8            `json:"i8"`
			I16  *int16          `json:"i16"`
			I32  int32           `json:"i32"`
			U8   uint8           `json:"u8"`
			U16  uint16          `json:"u16"`
			U32  *uint32         `json:"u32"`
			U    uint            `json:"u"`
			F32  float32         `json:"f32"`
			F64  *float64        `json:"f64"`
			Strs []string        `json:"strs"`
			Nums map[string]int  `json:"nums"`
			Conf config          `json:"conf"`
			Any  free            `json:"any"`
			Kids []*element      `json:"kids"`
			Runs [][]*string     `json:"runs"`
			Sets map[string]bool `json:"sets"`
			*Inner
		}
	)
	plain := []string{
		`{"i8":-128,"i16":32767,"i32":-2147483648,"u8":255,"u16":65535,"u32":4294967295,"u":7,"f32":1.5,"f64":-2.25}`,
		`{"strs":["a","b",""],"nums":{"x":1,"y":-2},"conf":{"k":[1,{"v":null}]},"any":[true,"s",3]}`,
		`{"strs":[],"kids":[],"runs":[[],["a",null],[]],"sets":{}}`,
		`{"kids":[{"kids":[{"strs":["deep"]}],"strs":["mid"]},{"i8":1}],"runs":[["x"]]}`,
		`{"deep":"embedded","i8":0}`,
		`{"strs":null,"kids":null,"conf":null,"any":null,"f64":null,"u32":null}`,
	}
	overflowing := []string{
		`{"i8":128}`, `{"i16":-32769}`, `{"i32":2147483648}`, `{"u8":256}`, `{"u16":65536}`, `{"u32":4294967296}`,
		`{"u":-1}`, `{"f32":3.5e38}`, `{"i8":1.5}`,
	}
	decode := func(body string, viaPage bool) ([]*element, error) {
		p := page{Data: new([]*element)}
		var err error
		if viaPage {
			err = decodePage([]byte(body), &p)
		} else {
			err = decodePageBody([]byte(body), &p)
		}
		return *p.Data.(*[]*element), err
	}
	check := func(elements string, mustBeOurs bool) {
		t.Helper()
		body := `{"data":[` + elements + `,` + elements + `],"offset":null}`
		if mustBeOurs {
			if _, err := decode(body, true); err != nil {
				t.Fatalf("decodePage left %s to encoding/json: %v", elements, err)
			}
		}
		got, gotErr := decode(body, false)
		var want []*element
		wantErr := json.Unmarshal([]byte(body), &page{Data: &want})
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Fatalf("%s: decoded %s (%v); encoding/json: %s (%v)", elements, g, gotErr, w, wantErr)
		}
	}
	for _, e := range plain {
		check(e, true)
	}
	for _, e := range overflowing {
		check(e, false)
	}
}

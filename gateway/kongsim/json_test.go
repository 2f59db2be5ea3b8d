package kongsim

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// stdEncode is how kongsim encoded bodies before appendJSON: a json.Encoder with HTML escaping off.
func stdEncode(t testing.TB, v any) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

var jsonEdgeStrings = []string{
	"", "plain", `quote " and \ backslash`, "<html> & 'amp'", "\b\f\n\r\t", "\x00\x01\x1f\x7f", "é ü 日本 🎉",
	"\u2028 and \u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate half", "tab\tin/slash/", "~/p/(?<x>\\d+)$",
}

var jsonEdgeFloats = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 1e20, 1e21, 1.5e21,
	123456789, 1700000000.123, 0.1 + 0.2, math.MaxFloat64, math.SmallestNonzeroFloat64, -2.5e-300, 60000,
	1700000000, 1e15 - 1, 1e15, 1e15 + 1, 1 << 53, 1<<53 + 2, 9007199254740993, 1e16, 123456789012345678}

func TestEncodeBodyIsEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, 42, int64(-7), []string{"a", "b"}, []string(nil), []any(nil), map[string]any(nil),
		[]any{}, map[string]any{}, map[string]int{"a": 1}, json.Number("12"), struct{ A int }{1},
		map[string]any{"b": 1.0, "a": []any{"x", nil, map[string]any{"z": false, "é": "\u2028", "A": "x"}},
			"": "empty key", "a\"b": "quoted key", "\xff": "bad key"},
	}
	for _, s := range jsonEdgeStrings {
		values = append(values, s, map[string]any{s: s})
	}
	for _, f := range jsonEdgeFloats {
		values = append(values, f, -f, []any{f})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		values = append(values, randomJSONValue(rng, 0))
	}
	for _, v := range values {
		want, wantErr := stdEncode(t, v)
		got, err := encodeBody(nil, v)
		if !bytes.Equal(got, want) || (err == nil) != (wantErr == nil) {
			t.Errorf("encodeBody(%#v) = %q, %v; encoding/json gives %q, %v", v, got, err, want, wantErr)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), map[string]any{"x": math.Inf(-1)}} {
		if _, err := encodeBody(nil, bad); err == nil {
			t.Errorf("encodeBody(%v) encoded what encoding/json refuses", bad)
		}
	}
}

func randomJSONValue(rng *rand.Rand, depth int) any {
	switch n := rng.IntN(8); {
	case depth > 4 || n == 0:
		return jsonEdgeStrings[rng.IntN(len(jsonEdgeStrings))]
	case n == 1:
		return jsonEdgeFloats[rng.IntN(len(jsonEdgeFloats))] * float64(rng.IntN(3)-1)
	case n == 2:
		return rng.Float64() * math.Pow(10, float64(rng.IntN(60)-30))
	case n == 3:
		return rng.IntN(2) == 0
	case n == 4:
		return nil
	case n == 5:
		list := make([]any, rng.IntN(5))
		for i := range list {
			list[i] = randomJSONValue(rng, depth+1)
		}
		return list
	default:
		m := map[string]any{}
		for range rng.IntN(6) {
			m[jsonEdgeStrings[rng.IntN(len(jsonEdgeStrings))]+string(rune('a'+rng.IntN(26)))] = randomJSONValue(rng, depth+1)
		}
		return m
	}
}

func FuzzEncodeBodyIsEncodingJSON(f *testing.F) {
	for _, s := range jsonEdgeStrings {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		v := map[string]any{s: []any{s, x, map[string]any{"k": s}}}
		want, wantErr := stdEncode(t, v)
		got, err := encodeBody(nil, v)
		if !bytes.Equal(got, want) || (err == nil) != (wantErr == nil) {
			t.Errorf("encodeBody(%#v) = %q, %v; encoding/json gives %q, %v", v, got, err, want, wantErr)
		}
	})
}

// stdDecode is how kongsim decoded bodies before decodeObject.
func stdDecode(data []byte) (map[string]any, bool) {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, false
	}
	return obj, true
}

var jsonEdgeBodies = []string{
	`{}`, ` { } `, "\t{\"a\":1}\r\n", `{"a":1,"a":2}`, `{"a":{"b":[1,2,{"c":null}]},"a":{"d":true}}`, `{"":""}`,
	`{"n":[0,-0,1.5,-1.5e10,1E+2,1e-7,12345678901234567890,1e308,4.9e-324,2.5e-400]}`, `{"big":1e400}`,
	`{"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u2028\u0000"}`, `{"s":"\ud83c\udf89"}`, `{"s":"\ud83c"}`, `{"s":"\udf89x"}`,
	`{"s":"é日本🎉"}`, "{\"s\":\"bad \xff\"}", "{\"s\":\"\xed\xa0\x80\"}", "{\"s\":\"a\tb\"}", `{"s":"\'"}`,
	`{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"\u12g4"}`, `{"s":"unterminated}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
	`{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":0x10}`, `{"a":Infinity}`, `{"a":NaN}`, `{"a":tru}`, `{"a":nul}`,
	`{"a":true,}`, `{,}`, `{"a" 1}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":1}x`, `{"a":1}{}`,
	`[1,2]`, `"str"`, `12`, `null`, ` null `, `true`, "\xef\xbb\xbf{}", `{"a":1`, `{"a":[`, `{"a":{"b":}}`,
	`{"a":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}`, "{\"a\":1}\u00a0", `{'a':1}`, `{a:1}`,
}

func TestDecodeObjectIsEncodingJSON(t *testing.T) {
	bodies := append([]string(nil), jsonEdgeBodies...)
	bodies = append(bodies, `{"deep":`+strings.Repeat("[", maxJSONDepth+5)+strings.Repeat("]", maxJSONDepth+5)+`}`)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		data, err := json.Marshal(map[string]any{"v": randomJSONValue(rng, 0)})
		if err != nil {
			t.Fatal(err)
		}
		// What encoding/json writes, decodeObject decodes itself.
		if _, ok := decodeObject(data, 0); !ok {
			t.Errorf("decodeObject leaves %s to encoding/json", data)
		}
		bodies = append(bodies, string(data))
	}
	for _, body := range bodies {
		checkDecodeObject(t, []byte(body))
	}
}

// checkDecodeObject: whatever decodeObject accepts, encoding/json accepts and decodes alike.
func checkDecodeObject(t *testing.T, data []byte) {
	t.Helper()
	got, ok := decodeObject(data, 0)
	if !ok {
		return
	}
	want, wantOK := stdDecode(data)
	if !wantOK || !reflect.DeepEqual(got, want) {
		t.Errorf("decodeObject(%q) = %#v; encoding/json gives %#v (accepted %v)", data, got, want, wantOK)
	}
}

func FuzzDecodeObjectIsEncodingJSON(f *testing.F) {
	for _, body := range jsonEdgeBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(checkDecodeObject)
}

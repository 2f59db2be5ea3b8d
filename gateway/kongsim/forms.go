package kongsim

import (
	"mime"
	"mime/multipart"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

// Form bodies, as kong/api/api_helpers.lua parse_params and kong/api/arguments.lua take them: keys name paths
// (config.minute, hosts[], hosts[1], a.b[2].c), a repeated key is an array, and the strings are converted to
// the types of the fields they fill (infer_value): numbers, booleans, arrays, and "" is null.

// formBody decodes an application/x-www-form-urlencoded or multipart/form-data body; ok is false for any other
// content type.
func formBody(contentType string, data []byte) (map[string]any, bool, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, false, nil
	}
	var values url.Values
	switch mediaType {
	case "application/x-www-form-urlencoded":
		values = ngxDecodeArgs(string(data))
	case "multipart/form-data":
		form, err := multipart.NewReader(strings.NewReader(string(data)), params["boundary"]).ReadForm(32 << 20)
		if err != nil {
			return nil, true, err
		}
		values = url.Values(form.Value)
	default:
		return nil, false, nil
	}
	return nestParams(values), true, nil
}

// ngxDecodeArgs is ngx.decode_args: a percent escape that does not decode is kept as written.
func ngxDecodeArgs(raw string) url.Values {
	out := url.Values{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		out[ngxUnescape(k)] = append(out[ngxUnescape(k)], ngxUnescape(v))
	}
	return out
}

func ngxUnescape(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

var (
	arrayKey  = regexp.MustCompile(`^(.+)\[(\d*)\]$`)
	dottedKey = regexp.MustCompile(`^(.+?)\.(.+)$`)
)

// keyPath is api_helpers' key_to_path: "x[1].y" is x, index 1, y; "x[]" appends.
func keyPath(key string) []any {
	if m := arrayKey.FindStringSubmatch(key); m != nil {
		var idx any = -1 // append
		if m[2] != "" {
			n, _ := strconv.Atoi(m[2])
			idx = n
		}
		return append(keyPath(m[1]), idx)
	}
	if m := dottedKey.FindStringSubmatch(key); m != nil {
		return append(keyPath(m[1]), keyPath(m[2])...)
	}
	return []any{key}
}

// nestParams builds the nested body from form values. Array indexes are 1-based, as in Lua.
func nestParams(values url.Values) map[string]any {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	root := map[string]any{}
	for _, k := range keys {
		vs := values[k]
		var v any = vs[0]
		if len(vs) > 1 {
			list := make([]any, len(vs))
			for i, s := range vs {
				list[i] = s
			}
			v = list
		}
		setNested(root, keyPath(k), v)
	}
	return compactArrays(root).(map[string]any)
}

// indexed collects array entries by position until compactArrays turns it into a list.
type indexed map[int]any

func setNested(node map[string]any, path []any, v any) {
	var cur any = node
	for i, p := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			key := ""
			switch p := p.(type) {
			case string:
				key = p
			case int:
				key = strconv.Itoa(p)
			}
			if last {
				c[key] = v
				return
			}
			next, ok := c[key]
			if !ok || !isContainer(next) {
				next = containerFor(path[i+1])
				c[key] = next
			}
			cur = next
		case indexed:
			idx, ok := p.(int)
			appending := !ok || idx < 0
			if appending {
				idx = len(c) + 1
			}
			if last {
				if list, ok := v.([]any); ok && appending {
					for _, e := range list {
						c[len(c)+1] = e
					}
					return
				}
				c[idx] = v
				return
			}
			next, ok := c[idx]
			if !ok || !isContainer(next) {
				next = containerFor(path[i+1])
				c[idx] = next
			}
			cur = next
		}
	}
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, indexed:
		return true
	}
	return false
}

func containerFor(next any) any {
	if _, ok := next.(int); ok {
		return indexed{}
	}
	return map[string]any{}
}

func compactArrays(v any) any {
	switch c := v.(type) {
	case map[string]any:
		for k, e := range c {
			c[k] = compactArrays(e)
		}
		return c
	case indexed:
		idx := make([]int, 0, len(c))
		for i := range c {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, 0, len(idx))
		for _, i := range idx {
			out = append(out, compactArrays(c[i]))
		}
		return out
	}
	return v
}

// inferForm converts a form body's strings to the types of the schema fields they fill.
func inferForm(k *kind, body map[string]any) map[string]any {
	sch, err := schemaFor(k, body)
	if err != nil || sch == nil {
		sch = k.entitySchema()
	}
	if k.name == "plugins" {
		if name, ok := body["name"].(string); ok {
			if p, ok := schema.Plugin(name); ok {
				sch = p
			}
		}
	}
	inferRecord(sch.Fields, sch.Shorthands, body)
	if ttl, ok := body["ttl"].(string); ok && k.name == "keyauth_credentials" {
		if n, err := strconv.ParseFloat(ttl, 64); err == nil {
			body["ttl"] = n
		}
	}
	return body
}

func inferRecord(fields []schema.Field, shorthands []schema.Shorthand, m map[string]any) {
	for key, v := range m {
		for i := range fields {
			if fields[i].Name == key {
				m[key] = inferValue(&fields[i], v)
			}
		}
		for _, sh := range shorthands {
			if sh.Name == key {
				m[key] = inferValue(&schema.Field{Type: sh.Type}, v)
			}
		}
	}
}

func inferValue(f *schema.Field, v any) any {
	if f == nil || v == nil {
		return v
	}
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	switch f.Type {
	case "number", "integer":
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return n
			}
		}
	case "boolean":
		switch v {
		case "true":
			return true
		case "false":
			return false
		}
	case "array", "set":
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		for i, e := range list {
			list[i] = inferValue(f.Elements, e)
		}
		return list
	case "map":
		if m, ok := v.(map[string]any); ok {
			for k, e := range m {
				m[k] = inferValue(f.Values, e)
			}
		}
	case "record":
		if m, ok := v.(map[string]any); ok && !f.Abstract {
			inferRecord(f.Fields, f.Shorthands, m)
		}
	}
	return v
}

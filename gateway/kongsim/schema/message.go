package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ViolationMessage formats the message of Kong's schema violation error (kong/db/errors.lua
// schema_violation): entity-check messages first, then field errors by sorted field name, one level of
// nesting as "config.minute: msg" and deeper tables pretty-printed the way Penlight does;
// "schema violation (x)" for one error, "N schema violations (x; y)" for more.
func ViolationMessage(fields map[string]any) string {
	var buf []string
	if list, ok := fields["@entity"].([]any); ok {
		for _, e := range list {
			buf = append(buf, luaString(e))
		}
	}
	for _, name := range sortedKeys(fields) {
		if name == "@entity" {
			continue
		}
		sub, isTable := asTable(fields[name])
		if !isTable {
			buf = append(buf, name+": "+luaString(fields[name]))
			continue
		}
		for _, k := range sortedKeys(sub) {
			v := sub[k]
			text := luaString(v)
			if _, nested := asTable(v); nested {
				text = prettyWrite(v, "")
			}
			buf = append(buf, fmt.Sprintf("%s.%s: %s", name, k, text))
		}
	}
	if len(buf) == 1 {
		return "schema violation (" + buf[0] + ")"
	}
	return fmt.Sprintf("%d schema violations (%s)", len(buf), strings.Join(buf, "; "))
}

// asTable views an error table (a map, or an array with nulls for valid elements) as Lua would: a map from
// keys to non-null values, array indexes counted from 1.
func asTable(v any) (map[string]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		return t, true
	case []any:
		m := map[string]any{}
		for i, e := range t {
			if e != nil {
				m[strconv.Itoa(i+1)] = e
			}
		}
		return m, true
	}
	return nil, false
}

// sortedKeys sorts keys as Lua's table.sort would, numbers before strings when both occur.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, errA := strconv.Atoi(keys[i])
		b, errB := strconv.Atoi(keys[j])
		if errA == nil && errB == nil {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

// prettyWrite renders a table as Penlight's pretty.write with its default two-space indent.
func prettyWrite(v any, indent string) string {
	switch t := v.(type) {
	case []any:
		inner := indent + "  "
		var lines []string
		for _, e := range t {
			lines = append(lines, inner+prettyWrite(e, inner))
		}
		return "{\n" + strings.Join(lines, ",\n") + "\n" + indent + "}"
	case map[string]any:
		inner := indent + "  "
		var lines []string
		for _, k := range sortedKeys(t) {
			key := k
			if !isIdentifier(k) {
				key = "[" + strconv.Quote(k) + "]"
			}
			lines = append(lines, inner+key+" = "+prettyWrite(t[k], inner))
		}
		return "{\n" + strings.Join(lines, ",\n") + "\n" + indent + "}"
	case string:
		return strconv.Quote(t)
	}
	return luaString(v)
}

func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, c := range s {
		if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

package schema

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Fill returns obj with every schema field present, as Kong's process_auto_fields does on insert: shorthand
// fields are expanded, absent fields get their default, or JSON null when they have none and are not
// required; required records (every record Kong does not mark `required = false`) are filled recursively
// from their subfields' defaults; arrays lose their holes, sets their duplicates, and records inside arrays
// are filled too. Present values are kept. Absent required fields without a default stay absent, for
// Validate to report. Auto fields (ids, timestamps, generated keys) are Auto's job. obj is not modified.
func (s *Schema) Fill(obj map[string]any) map[string]any {
	data, _ := deepCopy(obj).(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	return s.FillInPlace(data)
}

// FillInPlace is Fill for a caller that owns obj and keeps only the result: obj itself is filled and returned
// (a new map when obj is nil), without Fill's copy.
func (s *Schema) FillInPlace(obj map[string]any) map[string]any {
	if obj == nil {
		obj = map[string]any{}
	}
	s.fillInto(obj)
	if s.TTL {
		if _, ok := obj["ttl"]; !ok {
			obj["ttl"] = nil
		}
	}
	return obj
}

func (s *Schema) fillInto(data map[string]any) {
	applyShorthands(s.Shorthands, data)
	eff, _ := s.resolve(data)
	for i := range eff.Fields {
		f := &eff.Fields[i]
		v, present := data[f.Name]
		if nv, keep := adjust(f, v, present); keep {
			data[f.Name] = nv
		}
	}
}

func adjust(f *Field, v any, present bool) (any, bool) {
	if f.Abstract {
		return v, present
	}
	if !present && f.HasDefault && f.Type != "record" {
		// A default is stored as declared, and every read (process_auto_fields in "select" context) adjusts it
		// like a given value: records inside a default array gain their missing fields (datadog's metrics).
		v, present = deepCopy(f.Default), true
	}
	if f.Type == "record" {
		if (present && v != nil) || (!present && f.Required) {
			if !present {
				v, present = missing(f)
			}
			if m, ok := asMap(v); ok {
				return fillRecord(f, m), true
			}
		}
	} else if present && v != nil {
		switch f.Type {
		case "array", "set":
			if list, ok := asList(v); ok {
				if f.Type == "set" {
					list = dedupe(list)
				}
				for i, e := range list {
					list[i], _ = adjust(f.Elements, e, true)
				}
				v = list
			}
		case "map":
			if m, ok := v.(map[string]any); ok && f.Values != nil {
				for k, e := range m {
					m[k], _ = adjust(f.Values, e, true)
				}
			}
		}
	}
	if !present {
		return missing(f)
	}
	return v, true
}

// filled reports whether fillInto would leave data as it is: every field present, no shorthand left to expand,
// and the same of every record, array, set and map inside. It may answer false for data fillInto would not
// change (a required field without a default, absent), never true for data it would.
func (s *Schema) filled(data map[string]any) bool {
	if s.subschemaKey != "" {
		return false
	}
	for _, sh := range s.Shorthands {
		if _, ok := data[sh.Name]; ok {
			return false
		}
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		v, present := data[f.Name]
		switch {
		case f.Abstract:
		case !present:
			return false
		case !adjusted(f, v):
			return false
		}
	}
	return true
}

// adjusted reports whether adjust(f, v, true) would return v as it is (false when unsure).
func adjusted(f *Field, v any) bool {
	if f.Abstract || v == nil {
		return true
	}
	switch f.Type {
	case "record":
		switch t := v.(type) {
		case map[string]any:
			return recordSchema(f).filled(t)
		case []any:
			return false // asMap turns an empty array into a record
		}
	case "array", "set":
		switch t := v.(type) {
		case []any:
			if f.Elements == nil || f.Type == "set" && len(dedupe(t)) != len(t) {
				return false
			}
			for _, e := range t {
				if !adjusted(f.Elements, e) {
					return false
				}
			}
		case map[string]any:
			return false // asList turns an empty object into an array
		}
	case "map":
		if t, ok := v.(map[string]any); ok && f.Values != nil {
			for _, e := range t {
				if !adjusted(f.Values, e) {
					return false
				}
			}
		}
	}
	return true
}

// missing is Kong's handle_missing_field.
func missing(f *Field) (any, bool) {
	switch {
	case f.HasDefault:
		return deepCopy(f.Default), true
	case !f.Required:
		return nil, true
	case f.Abstract:
		return nil, false
	case f.Type == "record":
		return fillRecord(f, map[string]any{}), true
	}
	return nil, false
}

func fillRecord(f *Field, m map[string]any) map[string]any {
	recordSchema(f).fillInto(m)
	return m
}

func recordSchema(f *Field) *Schema {
	if f.record != nil {
		return f.record
	}
	return &Schema{Fields: f.Fields, EntityChecks: f.EntityChecks, Shorthands: f.Shorthands}
}

// dedupe removes repeated scalars from a set; tables are never equal to each other in Lua.
func dedupe(list []any) []any {
	out := make([]any, 0, len(list))
	seen := map[string]bool{}
	for _, e := range list {
		switch e.(type) {
		case map[string]any, []any:
			out = append(out, e)
			continue
		}
		key := dedupeKey(e)
		if !seen[key] {
			seen[key] = true
			out = append(out, e)
		}
	}
	return out
}

// dedupeKey is the identity of a scalar in a set: its type and value, numbers by value whatever their type.
func dedupeKey(e any) string {
	if f, ok := toFloat(e); ok {
		return "n:" + formatNumber(f)
	}
	switch t := e.(type) {
	case string:
		return "string:" + t
	case bool:
		return "bool:" + strconv.FormatBool(t)
	}
	return fmt.Sprintf("%T:%v", e, e)
}

// applyShorthands expands shorthand fields that are well typed and consistent; others stay in place for
// Validate to report.
func applyShorthands(shorthands []Shorthand, data map[string]any) {
	for _, sh := range shorthands {
		v, ok := data[sh.Name]
		if !ok || shorthandError(sh, v, data) != "" {
			continue
		}
		delete(data, sh.Name)
		deprecated := sh.ReplacedWith != nil
		for k, nv := range sh.Expand(v) {
			if m, isMap := nv.(map[string]any); isMap {
				mergeExpansion(data, k, m, deprecated)
				continue
			}
			if cur, ok := data[k]; !deprecated || !ok || cur == nil {
				data[k] = nv
			}
		}
	}
}

// mergeExpansion merges the record m a shorthand expands to into data[k], in place (fillInto's data is its
// own). A deprecated shorthand merges as Kong's null_aware_table_merge does: a null in m leaves the record's
// value; where both are non-null they agree, or shorthandError has kept the shorthand out.
func mergeExpansion(data map[string]any, k string, m map[string]any, deprecated bool) {
	record, ok := data[k].(map[string]any)
	if !ok {
		data[k] = maps.Clone(m)
		return
	}
	for sk, sv := range m {
		if _, has := record[sk]; !deprecated || !has || sv != nil {
			record[sk] = sv
		}
	}
}

func shorthandError(sh Shorthand, v any, data map[string]any) string {
	if msg := typeError(sh.Type, v); v != nil && msg != "" {
		return msg
	}
	if v == nil || sh.ReplacedWith == nil {
		return ""
	}
	cur, ok := getPath(data, sh.ReplacedWith)
	if ok && cur != nil && !equal(cur, v) {
		return fmt.Sprintf("both deprecated and new field are used but their values mismatch: %s = %s vs %s = %s",
			sh.Name, luaString(v), strings.Join(sh.ReplacedWith, "."), luaString(cur))
	}
	return ""
}

// Auto returns obj with its auto fields generated as Kong generates them: absent UUID fields get a random
// UUID and absent auto strings a random 32-character key on insert; created_at gets now when absent or
// null on insert; updated_at gets now always. Integer timestamps are seconds, number timestamps fractional
// seconds (targets). Records present in obj are handled recursively (oauth2's config.provision_key). Call it
// before Fill, which would otherwise set absent auto fields to null. obj is not modified.
func (s *Schema) Auto(obj map[string]any, now time.Time, insert bool) map[string]any {
	data, _ := deepCopy(obj).(map[string]any)
	return s.AutoInPlace(data, now, insert)
}

// AutoInPlace is Auto for a caller that owns obj and keeps only the result: obj itself gets the auto fields and
// is returned (a new map when obj is nil), without Auto's copy.
func (s *Schema) AutoInPlace(obj map[string]any, now time.Time, insert bool) map[string]any {
	if obj == nil {
		obj = map[string]any{}
	}
	s.autoInto(obj, now, insert)
	return obj
}

func (s *Schema) autoInto(data map[string]any, now time.Time, insert bool) {
	eff, _ := s.resolve(data)
	for i := range eff.Fields {
		f := &eff.Fields[i]
		v, present := data[f.Name]
		switch {
		case f.Type == "record" && present:
			if m, ok := v.(map[string]any); ok {
				recordSchema(f).autoInto(m, now, insert)
			}
		case f.Type == "record" && f.Required && !f.HasDefault && insert:
			m := map[string]any{}
			recordSchema(f).autoInto(m, now, insert)
			if len(m) > 0 {
				data[f.Name] = m
			}
		case !f.Auto:
		case f.UUID:
			if insert && !present {
				data[f.Name] = NewUUID()
			}
		case f.Type == "string":
			if insert && !present {
				data[f.Name] = RandomString()
			}
		case f.Name == "created_at" && insert && v == nil, f.Name == "updated_at":
			data[f.Name] = timestamp(f.Type, now)
		}
	}
}

func timestamp(typ string, now time.Time) any {
	if typ == "integer" {
		return float64(now.Unix())
	}
	return float64(now.UnixMilli()) / 1000
}

// NewUUID returns a random version 4 UUID, as Kong generates ids.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// RandomString returns a 32-character key of the kind Kong generates for auto strings (key-auth keys, jwt
// secrets, oauth2 client ids): base64 of 24 random bytes with '/' and '+' replaced by letters.
func RandomString() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	s := []byte(base64.StdEncoding.EncodeToString(b[:]))
	for i, c := range s {
		switch c {
		case '/':
			s[i] = 'A' + byte(randN(26))
		case '+':
			s[i] = 'a' + byte(randN(26))
		}
	}
	return string(s)
}

func randN(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		return 0
	}
	return v.Int64()
}

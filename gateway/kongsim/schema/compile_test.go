package schema

import (
	"reflect"
	"testing"
	"time"
)

// Validating a record skips Kong's fill of a copy when the record is already filled; that is exact only if
// filled never says so of a record fillInto would change. Every record of every filled bundled plugin and
// entity is checked, and the ones of a plugin's filled config must be recognised.
func TestFilledRecordsFillUnchanged(t *testing.T) {
	type entity struct {
		name string
		s    *Schema
		obj  map[string]any
	}
	var all []entity
	for _, p := range Plugins() {
		s, _ := Plugin(p.Name)
		obj := map[string]any{"name": p.Name}
		if c, ok := minimalConfigs[p.Name]; ok {
			obj["config"] = decode(t, c)
		}
		all = append(all, entity{p.Name, s, obj})
	}
	for _, name := range EntityNames() {
		all = append(all, entity{name, mustEntity(t, name), map[string]any{}})
	}
	recognised := 0
	for _, e := range all {
		filled := e.s.Fill(e.s.Auto(e.obj, time.Unix(1700000000, 0), true))
		eff, _ := e.s.resolve(filled)
		walkRecords(eff.Fields, filled, func(f *Field, m map[string]any) {
			if !recordSchema(f).filled(m) {
				return
			}
			recognised++
			again, _ := deepCopy(m).(map[string]any)
			recordSchema(f).fillInto(again)
			if !reflect.DeepEqual(again, m) {
				t.Errorf("%s: record %s is called filled, but filling it again gives %v, not %v", e.name, f.Name, again, m)
			}
		})
	}
	if recognised < len(Plugins()) {
		t.Errorf("only %d filled records recognised as filled", recognised)
	}
	rl, _ := Plugin("rate-limiting")
	config, _ := rl.Field("config")
	if recordSchema(config).filled(decode(t, `{"minute":10}`)) {
		t.Error("rate-limiting's config {minute: 10}, whose defaults are missing, is called filled")
	}
}

// walkRecords calls fn with every record value in obj, at any depth, records in arrays included.
func walkRecords(fields []Field, obj map[string]any, fn func(*Field, map[string]any)) {
	for i := range fields {
		walkValue(&fields[i], obj[fields[i].Name], fn)
	}
}

func walkValue(f *Field, v any, fn func(*Field, map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		if f.Type == "record" {
			fn(f, t)
			walkRecords(f.Fields, t, fn)
		}
	case []any:
		if f.Elements != nil {
			for _, e := range t {
				walkValue(f.Elements, e, fn)
			}
		}
	}
}

func TestIsUUIDIsUUIDPattern(t *testing.T) {
	for _, s := range []string{
		"0000000a-0000-4000-8000-000000000004", "0000000A-0000-4000-8000-00000000000F", "", "x",
		"0000000a-0000-4000-8000-00000000000g", "0000000a-0000-4000-8000-0000000000041", "0000000a00000-4000-8000-000000000004",
		"0000000a-0000-4000-8000-00000000000", "0000000a-0000-4000-8000_000000000004", "0000000a-0000-4000-8000-00000000000\n",
		"ｆ000000a-0000-4000-8000-000000000004", "{0000000a-0000-4000-8000-000000000004}",
	} {
		if got, want := IsUUID(s), uuidPattern.MatchString(s); got != want {
			t.Errorf("IsUUID(%q) = %v, uuidPattern says %v", s, got, want)
		}
	}
}

// The one_of and not_one_of messages compile builds are the ones a failed check gives, for every field of
// every schema and for a conditional's match, which overrides its field's one_of.
func TestCachedMessagesAreTheFieldsOwn(t *testing.T) {
	var check func(path string, f *Field)
	check = func(path string, f *Field) {
		if f.OneOf != nil && f.oneOfErr != "expected one of: "+joinValues(f.OneOf) {
			t.Errorf("%s: one_of message %q", path, f.oneOfErr)
		}
		if f.NotOneOf != nil && f.notOneOfErr != "must not be one of: "+joinValues(f.NotOneOf) {
			t.Errorf("%s: not_one_of message %q", path, f.notOneOfErr)
		}
		for i := range f.Fields {
			check(path+"."+f.Fields[i].Name, &f.Fields[i])
		}
		for _, sub := range []*Field{f.Elements, f.Keys, f.Values} {
			if sub != nil {
				check(path+"[]", sub)
			}
		}
	}
	var schemas []*Schema
	for _, name := range EntityNames() {
		schemas = append(schemas, mustEntity(t, name))
	}
	for _, p := range Plugins() {
		s, _ := Plugin(p.Name)
		schemas = append(schemas, s)
	}
	for _, s := range schemas {
		for i := range s.Fields {
			check(s.Name+"."+s.Fields[i].Name, &s.Fields[i])
		}
	}
	base := &Field{Type: "string", OneOf: []any{"a", "b"}}
	base.oneOfErr = "expected one of: a, b"
	match := inherit(base, Field{OneOf: []any{"c"}})
	if got := firstFailure(match, "a"); got != "expected one of: c" {
		t.Errorf("a match's one_of fails with %q", got)
	}
}

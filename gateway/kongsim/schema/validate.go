package schema

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// Kong's messages, from kong/db/schema/init.lua.
const (
	msgRequired         = "required field missing"
	msgUnknown          = "unknown field"
	msgRequiredForCheck = "field required for entity check"
	msgAbstract         = "error in schema definition: abstract field was not specialized"
	msgMissingPK        = "missing primary key"
)

var typeMessages = map[string]string{
	"array": "expected an array", "set": "expected a set", "map": "expected a map", "record": "expected a record",
	"string": "expected a string", "number": "expected a number", "boolean": "expected a boolean",
	"integer": "expected an integer", "foreign": "expected a record",
}

// MaxTTL is Kong's DAO_MAX_TTL: the largest `ttl` an entity accepts.
const MaxTTL = 100000000

// Validate checks obj (already filled) against the schema and returns Kong-style field errors, nil when
// valid: {"host":"required field missing"}, nested {"config":{"minute":"expected a number"}}, array element
// errors as arrays with nulls for valid elements, entity checks under "@entity" as a list of messages.
func (s *Schema) Validate(obj map[string]any) map[string]any {
	errs := s.validate(obj)
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (s *Schema) validate(input map[string]any) map[string]any {
	if s.subschemaKey != "" {
		key := input[s.subschemaKey]
		if key == nil {
			return map[string]any{s.subschemaKey: msgRequired}
		}
		if s.subschemaFor(key) == nil {
			name := "nil"
			switch k := key.(type) {
			case string:
				name = k
			case []any:
				if len(k) > 0 {
					name = luaString(k[0])
				}
			}
			format := s.subschemaError
			if format == "" {
				format = "unknown type: %s"
			}
			return map[string]any{s.subschemaKey: fmt.Sprintf(format, name)}
		}
	}
	eff, _ := s.resolve(input)
	errs := map[string]any{}
	for k, v := range input {
		if k == "updated_at" {
			continue
		}
		if k == "ttl" && s.TTL {
			if v != nil {
				if f, ok := toFloat(v); !ok || f != math.Trunc(f) || f < 0 || f > MaxTTL {
					errs[k] = fmt.Sprintf("must be an integer between 0 and %d", MaxTTL)
				}
			}
			continue
		}
		f, ok := eff.Field(k)
		if !ok {
			if msg, isShorthand := eff.shorthandMessage(k, v, input); isShorthand {
				if msg != "" {
					errs[k] = msg
				}
				continue
			}
			errs[k] = msgUnknown
			continue
		}
		if e := validateField(f, v); e != nil {
			errs[k] = e
		}
	}
	for i := range eff.Fields {
		f := &eff.Fields[i]
		if v, ok := input[f.Name]; f.Required && (!ok || v == nil) {
			errs[f.Name] = msgRequired
		}
	}
	for i := range eff.EntityChecks {
		runCheck(eff, input, eff.checker(i), errs)
	}
	return errs
}

func (s *Schema) shorthandMessage(name string, v any, input map[string]any) (string, bool) {
	for _, sh := range s.Shorthands {
		if sh.Name == name {
			return shorthandError(sh, v, input), true
		}
	}
	return "", false
}

func typeError(typ string, v any) string {
	ok := true
	switch typ {
	case "string":
		_, ok = v.(string)
	case "boolean":
		_, ok = v.(bool)
	case "number":
		_, ok = toFloat(v)
	case "integer":
		ok = isInteger(v)
	case "array", "set":
		_, ok = asList(v)
	case "map", "record", "foreign":
		_, ok = asMap(v)
	}
	if ok {
		return ""
	}
	return typeMessages[typ]
}

// validateField is Kong's Schema:validate_field: nil when v is valid, else a message, or for aggregates a
// map or array of messages.
func validateField(f *Field, v any) any {
	if v == nil {
		if f.Eq != nil {
			return "value must be " + luaString(f.Eq)
		}
		if f.Required {
			return msgRequired
		}
		return nil
	}
	if f.EqNull {
		return orErr(f, "value must be null")
	}
	if f.Abstract {
		return msgAbstract
	}
	if msg := typeError(f.Type, v); msg != "" {
		return msg
	}
	switch f.Type {
	case "array", "set":
		list, _ := asList(v)
		if e := validateElements(f, list); e != nil {
			return e
		}
	case "map":
		m, _ := asMap(v)
		keys := requiredCopy(f.Keys)
		values := requiredCopy(f.Values)
		for k, e := range m {
			if err := validateField(keys, k); err != nil {
				return err
			}
			if err := validateField(values, e); err != nil {
				return err
			}
		}
	case "record":
		// Kong validates a record filled anew (process_auto_fields on a copy); one already filled, as every
		// record of a filled entity is, is validated as it is.
		m, _ := asMap(v)
		rs := recordSchema(f)
		if !rs.filled(m) {
			m, _ = deepCopy(m).(map[string]any)
			rs.fillInto(m)
		}
		if errs := rs.validate(m); len(errs) > 0 {
			return errs
		}
	case "foreign":
		m, _ := asMap(v)
		id, ok := m["id"]
		switch {
		case !ok:
			return map[string]any{"id": msgMissingPK}
		case id == nil:
			return map[string]any{"id": msgRequired}
		}
		if err := validateField(&uuidField, id); err != nil {
			return map[string]any{"id": err}
		}
	case "string":
		if f.Referenceable && isReference(v.(string)) {
			return nil
		}
	}
	return runValidators(f, v)
}

var uuidField = Field{Type: "string", UUID: true, Auto: true}

func requiredCopy(f *Field) *Field {
	if f == nil {
		return &Field{Type: "json"}
	}
	c := *f
	c.Required = true
	return &c
}

func validateElements(f *Field, list []any) any {
	elems := requiredCopy(f.Elements)
	var errs []any
	for i, e := range list {
		if err := validateField(elems, e); err != nil {
			for len(errs) < i {
				errs = append(errs, nil)
			}
			errs = append(errs, err)
		}
	}
	if errs == nil {
		return nil
	}
	return errs
}

func isReference(s string) bool {
	return strings.HasPrefix(s, "{vault://") && strings.HasSuffix(s, "}")
}

func orErr(f *Field, msg string) string {
	if f.Err != "" {
		return f.Err
	}
	return msg
}

var uuidPattern = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// IsUUID reports whether s is a UUID as Kong's uuid type takes it: 8-4-4-4-12 hexadecimal digits of either
// case. It is uuidPattern.MatchString without a regular expression: every id and foreign key is checked.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// runValidators applies the field's validators in Kong's validators_order and returns the first failure.
func runValidators(f *Field, v any) any {
	if msg := firstFailure(f, v); msg != "" {
		return orErr(f, msg)
	}
	return nil
}

func firstFailure(f *Field, v any) string {
	str, isString := v.(string)
	num, isNumber := toFloat(v)
	if f.Eq != nil && !equal(v, f.Eq) {
		return "value must be " + luaString(f.Eq)
	}
	if f.NeTrue && v == true {
		return "value must not be true"
	}
	if f.NotOneOf != nil && containsValue(f.NotOneOf, v) {
		return f.notOneOfError()
	}
	if f.OneOf != nil && !containsValue(f.OneOf, v) {
		return f.oneOfError()
	}
	if f.Gt != nil && isNumber && !(num > *f.Gt) {
		return "value must be greater than " + formatNumber(*f.Gt)
	}
	if f.Timestamp && isNumber && !(num > 0) {
		return "expected a valid timestamp"
	}
	if f.UUID && isString && !IsUUID(str) {
		return "expected a valid UUID"
	}
	if f.IsRegex && isString {
		if _, err := regexp.Compile(str); err != nil {
			return "not a valid regex: " + str
		}
	}
	if f.Between != nil && isNumber && (num < f.Between[0] || num > f.Between[1]) {
		return fmt.Sprintf("value should be between %d and %d", int64(f.Between[0]), int64(f.Between[1]))
	}
	lenMin := f.LenMin
	if lenMin == nil && f.Type == "string" {
		one := 1
		lenMin = &one
	}
	if n, ok := length(v); ok {
		switch {
		case f.LenEq != nil && n != *f.LenEq:
			return fmt.Sprintf("length must be %d", *f.LenEq)
		case lenMin != nil && n < *lenMin:
			return fmt.Sprintf("length must be at least %d", *lenMin)
		case f.LenMax != nil && n > *f.LenMax:
			return fmt.Sprintf("length must be at most %d", *f.LenMax)
		}
	}
	if isString {
		if msg := stringFailure(f, str); msg != "" {
			return msg
		}
	}
	if f.Contains != nil {
		list, _ := asList(v)
		if !containsValue(list, f.Contains) {
			return "expected to contain: " + luaString(f.Contains)
		}
	}
	if f.Custom != nil {
		if msg := f.Custom(v); msg != "" {
			return msg
		}
	}
	if f.MutuallyExclusiveSubsets != nil {
		if msg := exclusiveSubsets(f.MutuallyExclusiveSubsets, v); msg != "" {
			return msg
		}
	}
	return ""
}

func stringFailure(f *Field, str string) string {
	if f.StartsWith != "" && !strings.HasPrefix(str, f.StartsWith) {
		return "should start with: " + f.StartsWith
	}
	if f.NotMatch != "" && luaMatch(f.NotMatch, str) {
		return "invalid value: " + str
	}
	for _, p := range f.MatchNone {
		if luaMatch(p.Pattern, str) {
			return p.Err
		}
	}
	if f.Match != "" && !luaMatch(f.Match, str) {
		return "invalid value: " + str
	}
	for _, p := range f.MatchAll {
		if !luaMatch(p.Pattern, str) {
			return p.Err
		}
	}
	if f.MatchAny != nil {
		for _, p := range f.MatchAny.Patterns {
			if luaMatch(p, str) {
				return ""
			}
		}
		// Kong falls back to its generic message when a match_any has no err of its own (the jwt algorithm check
		// has none); an empty message here would read as a pass.
		if f.MatchAny.Err == "" {
			return "invalid value: " + str
		}
		return f.MatchAny.Err
	}
	return ""
}

func length(v any) (int, bool) {
	switch t := v.(type) {
	case string:
		return len(t), true
	case []any:
		return len(t), true
	case map[string]any:
		return len(t), true
	}
	return 0, false
}

func containsValue(list []any, v any) bool {
	for _, e := range list {
		if equal(e, v) {
			return true
		}
	}
	return false
}

func joinValues(list []any) string {
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = luaString(e)
	}
	return strings.Join(parts, ", ")
}

func exclusiveSubsets(subsets [][]string, v any) string {
	list, _ := asList(v)
	var members [][]string
	var seenSmall [8]bool
	seen := seenSmall[:]
	if len(subsets) > len(seen) {
		seen = make([]bool, len(subsets))
	}
	for _, e := range list {
		str, isString := e.(string)
		for i, subset := range subsets {
			// A subset holds strings, which equal only the same string.
			if isString && slices.Contains(subset, str) && !seen[i] {
				seen[i] = true
				members = append(members, subset)
			}
		}
	}
	if len(members) <= 1 {
		return ""
	}
	parts := make([]string, len(members))
	for i, m := range members {
		parts[i] = "(" + quotedList(m) + ")"
	}
	return "these sets are mutually exclusive: " + strings.Join(parts, ", ")
}

func quotedList(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = "'" + w + "'"
	}
	return strings.Join(parts, ", ")
}

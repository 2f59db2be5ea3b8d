package schema

import (
	"fmt"
	"strings"
)

// checker describes how Kong runs one kind of entity check (run_entity_check in kong/db/schema/init.lua).
type checker struct {
	fields      []string        // fields the check reads
	required    map[string]bool // fields whose absence skips the check with "field required for entity check"
	withMissing bool
	withInvalid bool
	fn          func(input map[string]any, errs map[string]any) (ok bool, err, customErr string)
	format      string // message format for err; "" = err is the message
}

func runCheck(eff *Schema, input map[string]any, c Check, errs map[string]any) {
	ch := describe(eff, c)
	var missing []string
	allNil := true
	allOK := true
	for _, name := range ch.fields {
		path := strings.Split(name, ".")
		v, present := getPath(input, path)
		if !present {
			if !ch.withMissing && ch.required[name] {
				missing = append(missing, name)
			}
		} else {
			allNil = false
			if s, ok := v.(string); ok && isReference(s) {
				if f := fieldAt(eff, path); f != nil && f.Referenceable {
					return
				}
			}
		}
		if _, bad := errs[name]; bad {
			allOK = false
		}
	}
	if !allOK && !ch.withInvalid {
		return
	}
	if allNil && !ch.withMissing {
		return
	}
	if missing != nil {
		for _, name := range missing {
			setPath(errs, strings.Split(name, "."), msgRequiredForCheck)
		}
		return
	}
	ok, err, customErr := ch.fn(input, errs)
	if ok {
		return
	}
	msg := customErr
	if msg == "" {
		msg = err
		if ch.format != "" {
			msg = fmt.Sprintf(ch.format, err)
		}
	}
	list, _ := errs["@entity"].([]any)
	errs["@entity"] = append(list, msg)
}

func describe(eff *Schema, c Check) checker {
	all := func(names []string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	switch {
	case c.AtLeastOneOf != nil:
		names := c.AtLeastOneOf
		return checker{fields: names, required: all(names), withMissing: true, withInvalid: true,
			format: "at least one of these fields must be non-empty: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				return countNonEmpty(in, names) > 0, quotedList(names), ""
			}}
	case c.OnlyOneOf != nil:
		names := c.OnlyOneOf
		return checker{fields: names, required: all(names), withInvalid: true,
			format: "exactly one of these fields must be non-empty: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				return countNonEmpty(in, names) == 1, quotedList(names), ""
			}}
	case c.Distinct != nil:
		names := c.Distinct
		return checker{fields: names, required: all(names), withInvalid: true,
			format: "values of these fields must be distinct: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				var seen []any
				for _, n := range names {
					v, _ := getPath(in, strings.Split(n, "."))
					if !isNonEmpty(v) {
						continue
					}
					if containsValue(seen, v) {
						return false, quotedList(names), ""
					}
					seen = append(seen, v)
				}
				return true, "", ""
			}}
	case c.MutuallyRequired != nil:
		names := c.MutuallyRequired
		return checker{fields: names, required: all(names), withMissing: true,
			format: "all or none of these fields must be set: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				n := countNonEmpty(in, names)
				return n == 0 || n == len(names), quotedList(names), ""
			}}
	case c.MutuallyExclusive != nil:
		names := c.MutuallyExclusive
		return checker{fields: names, required: all(names), withMissing: true,
			format: "only one or none of these fields must be set: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				return countNonEmpty(in, names) <= 1, quotedList(names), ""
			}}
	case c.Conditional != nil:
		return conditionalChecker(eff, c.Conditional)
	case c.ConditionalAtLeastOneOf != nil:
		return conditionalAtLeastChecker(eff, c.ConditionalAtLeastOneOf)
	case c.Custom != nil:
		cc := c.Custom
		return checker{fields: cc.FieldSources, required: all(cc.FieldSources), withMissing: cc.RunWithMissingFields,
			fn: func(in, _ map[string]any) (bool, string, string) {
				msg := cc.Fn(in)
				return msg == "", msg, ""
			}}
	}
	panic("schema: empty entity check")
}

func conditionalChecker(eff *Schema, c *Conditional) checker {
	ifPath := strings.Split(c.IfField, ".")
	thenPath := strings.Split(c.ThenField, ".")
	ifMatch := inherit(fieldAt(eff, ifPath), c.IfMatch)
	thenMatch := inherit(fieldAt(eff, thenPath), c.ThenMatch)
	return checker{
		fields:      []string{c.IfField, c.ThenField},
		required:    map[string]bool{c.IfField: true},
		withInvalid: true,
		format:      "failed conditional validation given value of field '%s'",
		fn: func(in, errs map[string]any) (bool, string, string) {
			ifValue, _ := getPath(in, ifPath)
			thenValue, _ := getPath(in, thenPath)
			if validateField(ifMatch, ifValue) != nil {
				return true, "", ""
			}
			if c.ThenMatch.Required && thenValue == nil {
				setPath(errs, thenPath, msgRequired)
				return false, c.IfField, ""
			}
			if err := validateField(thenMatch, thenValue); err != nil {
				setPath(errs, thenPath, err)
				custom := ""
				if c.ThenErr != "" {
					custom = formatOptional(c.ThenErr, c.IfField)
				}
				return false, c.IfField, custom
			}
			return true, "", ""
		},
	}
}

func conditionalAtLeastChecker(eff *Schema, c *ConditionalAtLeastOneOf) checker {
	ifPath := strings.Split(c.IfField, ".")
	base := fieldAt(eff, ifPath)
	ifMatch := inherit(base, c.IfMatch)
	var elseMatch *Field
	if c.ElseMatch != nil {
		elseMatch = inherit(base, *c.ElseMatch)
	}
	fields := append([]string{c.IfField}, c.ThenAtLeastOneOf...)
	fields = append(fields, c.ElseThenAtLeastOneOf...)
	return checker{
		fields:      fields,
		withMissing: true,
		withInvalid: true,
		format:      "at least one of these fields must be non-empty: %s",
		fn: func(in, _ map[string]any) (bool, string, string) {
			ifValue, present := getPath(in, ifPath)
			if !present {
				return true, "", ""
			}
			names, custom := c.ThenAtLeastOneOf, c.ThenErr
			if validateField(ifMatch, ifValue) != nil {
				if elseMatch == nil || validateField(elseMatch, ifValue) != nil {
					return true, "", ""
				}
				names, custom = c.ElseThenAtLeastOneOf, c.ElseThenErr
			}
			if countNonEmpty(in, names) > 0 {
				return true, "", ""
			}
			list := quotedList(names)
			if custom != "" {
				custom = formatOptional(custom, list)
			}
			return false, list, custom
		},
	}
}

// formatOptional formats a Kong message that may or may not have a %s slot.
func formatOptional(format, arg string) string {
	if strings.Contains(format, "%s") {
		return fmt.Sprintf(format, arg)
	}
	return format
}

func countNonEmpty(in map[string]any, names []string) int {
	n := 0
	for _, name := range names {
		if v, _ := getPath(in, strings.Split(name, ".")); isNonEmpty(v) {
			n++
		}
	}
	return n
}

// fieldAt finds the field at a dotted path through records.
func fieldAt(s *Schema, path []string) *Field {
	fields := s.Fields
	var found *Field
	for _, p := range path {
		found = nil
		for i := range fields {
			if fields[i].Name == p {
				found = &fields[i]
				break
			}
		}
		if found == nil {
			return nil
		}
		fields = found.Fields
	}
	return found
}

// inherit builds a conditional's match: the match's own attributes over those of the tested field, as
// Kong's metatable __index does.
func inherit(base *Field, match Field) *Field {
	if base == nil {
		return &match
	}
	f := *base
	f.Required = base.Required || match.Required
	if match.Type != "" {
		f.Type = match.Type
	}
	if match.Elements != nil {
		f.Elements = match.Elements
	}
	if match.Eq != nil {
		f.Eq = match.Eq
	}
	if match.EqNull {
		f.EqNull = true
	}
	if match.OneOf != nil {
		f.OneOf = match.OneOf
	}
	if match.NotOneOf != nil {
		f.NotOneOf = match.NotOneOf
	}
	if match.Gt != nil {
		f.Gt = match.Gt
	}
	if match.LenEq != nil {
		f.LenEq = match.LenEq
	}
	if match.Match != "" {
		f.Match = match.Match
	}
	if match.MatchAny != nil {
		f.MatchAny = match.MatchAny
	}
	if match.Contains != nil {
		f.Contains = match.Contains
	}
	if match.Custom != nil {
		f.Custom = match.Custom
	}
	return &f
}

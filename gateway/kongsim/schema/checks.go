package schema

import (
	"fmt"
	"strings"
)

// checker describes how Kong runs one kind of entity check (run_entity_check in kong/db/schema/init.lua).
type checker struct {
	fields      []string        // fields the check reads
	paths       [][]string      // each field's dotted name split
	required    map[string]bool // fields whose absence skips the check with "field required for entity check"
	withMissing bool
	withInvalid bool
	fn          func(input map[string]any, errs map[string]any) (ok bool, err, customErr string)
	format      string // message format for err; "" = err is the message
}

func runCheck(eff *Schema, input map[string]any, ch checker, errs map[string]any) {
	var missing []string
	allNil := true
	allOK := true
	for i, name := range ch.fields {
		path := ch.paths[i]
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
	ch := describeKind(eff, c)
	ch.paths = splitPaths(ch.fields)
	return ch
}

func splitPaths(names []string) [][]string {
	paths := make([][]string, len(names))
	for i, name := range names {
		paths[i] = strings.Split(name, ".")
	}
	return paths
}

func describeKind(eff *Schema, c Check) checker {
	all := func(names []string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	switch {
	case c.AtLeastOneOf != nil:
		names, paths, list := c.AtLeastOneOf, splitPaths(c.AtLeastOneOf), quotedList(c.AtLeastOneOf)
		return checker{fields: names, required: all(names), withMissing: true, withInvalid: true,
			format: "at least one of these fields must be non-empty: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				return countNonEmpty(in, paths) > 0, list, ""
			}}
	case c.OnlyOneOf != nil:
		names, paths, list := c.OnlyOneOf, splitPaths(c.OnlyOneOf), quotedList(c.OnlyOneOf)
		return checker{fields: names, required: all(names), withInvalid: true,
			format: "exactly one of these fields must be non-empty: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				return countNonEmpty(in, paths) == 1, list, ""
			}}
	case c.Distinct != nil:
		names, paths, list := c.Distinct, splitPaths(c.Distinct), quotedList(c.Distinct)
		return checker{fields: names, required: all(names), withInvalid: true,
			format: "values of these fields must be distinct: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				var seen []any
				for _, path := range paths {
					v, _ := getPath(in, path)
					if !isNonEmpty(v) {
						continue
					}
					if containsValue(seen, v) {
						return false, list, ""
					}
					seen = append(seen, v)
				}
				return true, "", ""
			}}
	case c.MutuallyRequired != nil:
		names, paths, list := c.MutuallyRequired, splitPaths(c.MutuallyRequired), quotedList(c.MutuallyRequired)
		return checker{fields: names, required: all(names), withMissing: true,
			format: "all or none of these fields must be set: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				n := countNonEmpty(in, paths)
				return n == 0 || n == len(names), list, ""
			}}
	case c.MutuallyExclusive != nil:
		names, paths, list := c.MutuallyExclusive, splitPaths(c.MutuallyExclusive), quotedList(c.MutuallyExclusive)
		return checker{fields: names, required: all(names), withMissing: true,
			format: "only one or none of these fields must be set: %s",
			fn: func(in, _ map[string]any) (bool, string, string) {
				return countNonEmpty(in, paths) <= 1, list, ""
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
	thenPaths, elsePaths := splitPaths(c.ThenAtLeastOneOf), splitPaths(c.ElseThenAtLeastOneOf)
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
			names, paths, custom := c.ThenAtLeastOneOf, thenPaths, c.ThenErr
			if validateField(ifMatch, ifValue) != nil {
				if elseMatch == nil || validateField(elseMatch, ifValue) != nil {
					return true, "", ""
				}
				names, paths, custom = c.ElseThenAtLeastOneOf, elsePaths, c.ElseThenErr
			}
			if countNonEmpty(in, paths) > 0 {
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

func countNonEmpty(in map[string]any, paths [][]string) int {
	n := 0
	for _, path := range paths {
		if v, _ := getPath(in, path); isNonEmpty(v) {
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
	cacheMessages(&f) // base's are for base's one_of
	return &f
}

package schema

import "maps"

// Select returns a stored entity as Kong outputs it on every read and write response (process_auto_fields in
// "select" context): each deprecated shorthand field, of the entity or of any record in it, is echoed next to
// the field it was replaced with and holds that field's value, so rate-limiting's config.redis_host mirrors
// config.redis.host (null when that is null). Kong leaves a shorthand out only when its replacement is absent.
// obj is not modified: the maps on the way to an echoed field are copied, everything else is shared.
func (s *Schema) Select(obj map[string]any) map[string]any {
	eff, _ := s.resolve(obj)
	out, _ := selectRecord(eff.Fields, eff.Shorthands, obj)
	return out
}

// selectRecord echoes the deprecated shorthands of one record and recurses into its records; changed reports
// whether out is a copy.
func selectRecord(fields []Field, shorthands []Shorthand, obj map[string]any) (out map[string]any, changed bool) {
	out = obj
	own := func() {
		if !changed {
			out, changed = maps.Clone(obj), true
		}
	}
	for _, sh := range shorthands {
		if sh.ReplacedWith == nil {
			continue
		}
		if v, ok := getPath(obj, sh.ReplacedWith); ok {
			own()
			out[sh.Name] = v
		}
	}
	for i := range fields {
		f := &fields[i]
		m, ok := obj[f.Name].(map[string]any)
		if f.Type != "record" || !ok {
			continue
		}
		if sub, subChanged := selectRecord(f.Fields, f.Shorthands, m); subChanged {
			own()
			out[f.Name] = sub
		}
	}
	return out, changed
}

// ExpandShorthands returns a partial entity (a PATCH body) with its shorthand fields expanded, as Kong's
// process_auto_fields does in "update" context before the stored entity is merged in: a deprecated
// config.redis_host then replaces the stored config.redis.host instead of clashing with it. Shorthands that
// are ill-typed or disagree with the body's own value stay in place for Validate to report. obj is not
// modified.
func (s *Schema) ExpandShorthands(obj map[string]any) map[string]any {
	data, _ := deepCopy(obj).(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	eff, _ := s.resolve(data)
	expandRecord(eff.Fields, eff.Shorthands, data)
	return data
}

func expandRecord(fields []Field, shorthands []Shorthand, data map[string]any) {
	applyShorthands(shorthands, data)
	for i := range fields {
		f := &fields[i]
		if m, ok := data[f.Name].(map[string]any); ok && f.Type == "record" {
			expandRecord(f.Fields, f.Shorthands, m)
		}
	}
}

// ShorthandErrors returns what Kong's process_auto_fields rejects before any validation: a shorthand field of
// the wrong type, or a deprecated one whose value disagrees with the field it was replaced with (the two may
// both be given when they agree). Kong returns the first record's errors unwrapped, so they are keyed by the
// shorthand's own name even inside config: {"redis_host": "both deprecated and new field are used …"}. nil
// when there are none.
func (s *Schema) ShorthandErrors(obj map[string]any) map[string]any {
	eff, _ := s.resolve(obj)
	return shorthandErrors(eff.Fields, eff.Shorthands, obj)
}

func shorthandErrors(fields []Field, shorthands []Shorthand, data map[string]any) map[string]any {
	errs := map[string]any{}
	for _, sh := range shorthands {
		if v, ok := data[sh.Name]; ok {
			if msg := shorthandError(sh, v, data); msg != "" {
				errs[sh.Name] = msg
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for i := range fields {
		f := &fields[i]
		if m, ok := data[f.Name].(map[string]any); ok && f.Type == "record" {
			if errs := shorthandErrors(f.Fields, f.Shorthands, m); errs != nil {
				return errs
			}
		}
	}
	return nil
}

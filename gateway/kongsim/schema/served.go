package schema

// Served returns the body of GET /schemas/{entity} or /schemas/plugins/{name} in Kong's shape:
// {"fields":[{"<name>":{"type":..,"default":..,"required":..,...}}, ...], "entity_checks":[...]}. Custom
// validator functions are left out, as Kong leaves them out; so are the fields' descriptions.
func (s *Schema) Served() map[string]any {
	src := s
	if s.served != nil {
		src = s.served
	}
	return map[string]any{
		"fields":        servedFields(src.Fields),
		"entity_checks": servedChecks(src.EntityChecks),
	}
}

func servedFields(fields []Field) []any {
	out := make([]any, len(fields))
	for i := range fields {
		out[i] = map[string]any{fields[i].Name: servedField(&fields[i])}
	}
	return out
}

func servedField(f *Field) map[string]any {
	m := map[string]any{}
	set := func(key string, on bool, v any) {
		if on {
			m[key] = v
		}
	}
	set("type", f.Type != "", f.Type)
	set("required", f.Required, true)
	set("required", f.NotRequired, false)
	set("default", f.HasDefault, f.Default)
	for key, on := range map[string]bool{
		"unique": f.Unique, "auto": f.Auto, "uuid": f.UUID, "timestamp": f.Timestamp, "abstract": f.Abstract,
		"referenceable": f.Referenceable, "encrypted": f.Encrypted, "transient": f.Transient, "is_regex": f.IsRegex,
	} {
		set(key, on, true)
	}
	set("reference", f.Reference != "", f.Reference)
	set("on_delete", f.OnDelete != "", f.OnDelete)
	set("eq", f.EqNull, nil)
	set("eq", f.Eq != nil, f.Eq)
	set("ne", f.NeTrue, true)
	set("err", f.Err != "", f.Err)
	set("one_of", f.OneOf != nil, f.OneOf)
	set("not_one_of", f.NotOneOf != nil, f.NotOneOf)
	if f.Gt != nil {
		m["gt"] = *f.Gt
	}
	set("between", f.Between != nil, floatsToAny(f.Between))
	for key, n := range map[string]*int{"len_eq": f.LenEq, "len_min": f.LenMin, "len_max": f.LenMax} {
		if n != nil {
			m[key] = float64(*n)
		}
	}
	set("starts_with", f.StartsWith != "", f.StartsWith)
	set("match", f.Match != "", f.Match)
	set("not_match", f.NotMatch != "", f.NotMatch)
	set("match_all", f.MatchAll != nil, servedPatterns(f.MatchAll))
	set("match_none", f.MatchNone != nil, servedPatterns(f.MatchNone))
	if f.MatchAny != nil {
		m["match_any"] = map[string]any{"patterns": normalize(f.MatchAny.Patterns), "err": f.MatchAny.Err}
	}
	set("contains", f.Contains != nil, f.Contains)
	if f.MutuallyExclusiveSubsets != nil {
		subsets := make([]any, len(f.MutuallyExclusiveSubsets))
		for i, s := range f.MutuallyExclusiveSubsets {
			subsets[i] = normalize(s)
		}
		m["mutually_exclusive_subsets"] = subsets
	}
	for key, sub := range map[string]*Field{"elements": f.Elements, "keys": f.Keys, "values": f.Values} {
		if sub != nil {
			m[key] = servedField(sub)
		}
	}
	if f.Type == "record" && f.Fields != nil {
		m["fields"] = servedFields(f.Fields)
	}
	if d := f.Deprecation; d != nil {
		dep := map[string]any{"message": d.Message, "removal_in_version": "4.0"}
		if d.OldDefault != nil {
			dep["old_default"] = normalize(d.OldDefault)
		}
		m["deprecation"] = dep
	}
	if f.EntityChecks != nil {
		m["entity_checks"] = servedChecks(f.EntityChecks)
	}
	if f.Shorthands != nil {
		m["shorthand_fields"] = servedShorthands(f.Shorthands)
	}
	return m
}

func floatsToAny(fs []float64) []any {
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = f
	}
	return out
}

func servedPatterns(ps []PatternErr) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = map[string]any{"pattern": p.Pattern, "err": p.Err}
	}
	return out
}

func servedShorthands(shs []Shorthand) []any {
	out := make([]any, len(shs))
	for i, sh := range shs {
		def := map[string]any{"type": sh.Type}
		if sh.Deprecation != "" {
			dep := map[string]any{"message": sh.Deprecation, "removal_in_version": "4.0"}
			if sh.ReplacedWith != nil {
				dep["replaced_with"] = []any{map[string]any{"path": normalize(sh.ReplacedWith)}}
			}
			def["deprecation"] = dep
		}
		out[i] = map[string]any{sh.Name: def}
	}
	return out
}

func servedChecks(checks []Check) []any {
	out := make([]any, 0, len(checks))
	for _, c := range checks {
		var name string
		var arg any
		switch {
		case c.AtLeastOneOf != nil:
			name, arg = "at_least_one_of", normalize(c.AtLeastOneOf)
		case c.OnlyOneOf != nil:
			name, arg = "only_one_of", normalize(c.OnlyOneOf)
		case c.Distinct != nil:
			name, arg = "distinct", normalize(c.Distinct)
		case c.MutuallyRequired != nil:
			name, arg = "mutually_required", normalize(c.MutuallyRequired)
		case c.MutuallyExclusive != nil:
			name, arg = "mutually_exclusive", normalize(c.MutuallyExclusive)
		case c.Conditional != nil:
			cc := c.Conditional
			a := map[string]any{
				"if_field": cc.IfField, "if_match": servedField(&cc.IfMatch),
				"then_field": cc.ThenField, "then_match": servedField(&cc.ThenMatch),
			}
			if cc.ThenErr != "" {
				a["then_err"] = cc.ThenErr
			}
			name, arg = "conditional", a
		case c.ConditionalAtLeastOneOf != nil:
			cc := c.ConditionalAtLeastOneOf
			a := map[string]any{
				"if_field": cc.IfField, "if_match": servedField(&cc.IfMatch),
				"then_at_least_one_of": normalize(cc.ThenAtLeastOneOf),
			}
			if cc.ThenErr != "" {
				a["then_err"] = cc.ThenErr
			}
			if cc.ElseMatch != nil {
				a["else_match"] = servedField(cc.ElseMatch)
				a["else_then_at_least_one_of"] = normalize(cc.ElseThenAtLeastOneOf)
				a["else_then_err"] = cc.ElseThenErr
			}
			name, arg = "conditional_at_least_one_of", a
		case c.Custom != nil:
			a := map[string]any{"field_sources": normalize(c.Custom.FieldSources)}
			if c.Custom.RunWithMissingFields {
				a["run_with_missing_fields"] = true
			}
			name, arg = "custom_entity_check", a
		}
		out = append(out, map[string]any{name: arg})
	}
	return out
}

package schema

// compile does once, when the package loads, what validating an entity would otherwise redo on every request:
// each entity check is described (its fields, paths and conditional matches built), and each record field gets
// the schema its subfields form, compiled too. Schemas are never changed afterwards, so what compile builds is
// shared by concurrent requests without a lock. Subschemas (plugins, vaults, route protocols) are compiled with
// their parent.
func (s *Schema) compile() {
	if s.checkers != nil {
		return
	}
	s.checkers = make([]checker, len(s.EntityChecks))
	for i, c := range s.EntityChecks {
		compileCheck(c)
		s.checkers[i] = describe(s, c)
	}
	compileFields(s.Fields)
	for _, sub := range s.subschemas {
		sub.compile()
	}
}

// compileCheck compiles the fields a conditional check matches values with (their elements' messages).
func compileCheck(c Check) {
	if cc := c.Conditional; cc != nil {
		compileField(&cc.IfMatch)
		compileField(&cc.ThenMatch)
	}
	if cc := c.ConditionalAtLeastOneOf; cc != nil {
		compileField(&cc.IfMatch)
		if cc.ElseMatch != nil {
			compileField(cc.ElseMatch)
		}
	}
}

func compileFields(fields []Field) {
	for i := range fields {
		compileField(&fields[i])
	}
}

func compileField(f *Field) {
	cacheMessages(f)
	if f.Type == "record" && f.record == nil {
		f.record = &Schema{Fields: f.Fields, EntityChecks: f.EntityChecks, Shorthands: f.Shorthands}
		f.record.compile()
	}
	for _, sub := range []*Field{f.Elements, f.Keys, f.Values} {
		if sub != nil {
			compileField(sub)
		}
	}
}

// checker returns how to run the schema's i-th entity check: described by compile, or now for a schema built
// after it (the tests' own).
func (s *Schema) checker(i int) checker {
	if s.checkers != nil {
		return s.checkers[i]
	}
	return describe(s, s.EntityChecks[i])
}

// cacheMessages builds the messages of f's one_of and not_one_of checks.
func cacheMessages(f *Field) {
	f.oneOfErr, f.notOneOfErr = "", ""
	if f.OneOf != nil {
		f.oneOfErr = f.oneOfError()
	}
	if f.NotOneOf != nil {
		f.notOneOfErr = f.notOneOfError()
	}
}

func (f *Field) oneOfError() string {
	if f.oneOfErr != "" {
		return f.oneOfErr
	}
	return "expected one of: " + joinValues(f.OneOf)
}

func (f *Field) notOneOfError() string {
	if f.notOneOfErr != "" {
		return f.notOneOfErr
	}
	return "must not be one of: " + joinValues(f.NotOneOf)
}

// FieldNames lists the names of the fields and shorthand fields of every bundled schema (entities, their
// subschemas and plugins, records' fields included), each once, in no particular order.
func FieldNames() []string {
	seen := map[string]bool{}
	var fromFields func(fields []Field)
	fromField := func(f *Field) {
		seen[f.Name] = true
		for _, sh := range f.Shorthands {
			seen[sh.Name] = true
		}
		fromFields(f.Fields)
		for _, sub := range []*Field{f.Elements, f.Keys, f.Values} {
			if sub != nil {
				fromFields([]Field{*sub})
			}
		}
	}
	fromFields = func(fields []Field) {
		for i := range fields {
			fromField(&fields[i])
		}
	}
	var fromSchema func(s *Schema)
	fromSchema = func(s *Schema) {
		for _, sh := range s.Shorthands {
			seen[sh.Name] = true
		}
		fromFields(s.Fields)
		for _, sub := range s.subschemas {
			fromSchema(sub)
		}
	}
	for _, s := range entities {
		fromSchema(s)
	}
	delete(seen, "")
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	return names
}

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
		s.checkers[i] = describe(s, c)
	}
	compileFields(s.Fields)
	for _, sub := range s.subschemas {
		sub.compile()
	}
}

func compileFields(fields []Field) {
	for i := range fields {
		compileField(&fields[i])
	}
}

func compileField(f *Field) {
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

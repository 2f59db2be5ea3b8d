package schema

// subschemaDef is what a subschema adds to its parent: fields that replace the parent's of the same name, and
// entity checks run after the parent's.
type subschemaDef struct {
	Fields       []Field
	EntityChecks []Check
}

func init() {
	all := []*Schema{servicesSchema(), routesSchema(), consumersSchema(), pluginsSchema(), upstreamsSchema(),
		targetsSchema(), certificatesSchema(), caCertificatesSchema(), snisSchema(), vaultsSchema(),
		keySetsSchema(), keysSchema(), tagsSchema(), filterChainsSchema()}
	all = append(all, credentialSchemas()...)
	for _, s := range all {
		prepare(s.Fields)
		entities[s.Name] = s
	}
	attach(entities["routes"], routeSubschemas())
	vaultDefs := vaultSubschemas()
	attach(entities["vaults"], vaultDefs)
	for name, def := range vaultDefs {
		entities["vaults"].subschemas[name].served = &Schema{Fields: def.Fields, EntityChecks: def.EntityChecks}
	}

	bundled := append(bundledPlugins(), moreBundledPlugins()...)
	defs := map[string]subschemaDef{}
	for _, p := range bundled {
		defs[p.name] = subschemaDef{Fields: p.fields, EntityChecks: p.checks}
	}
	pluginEntity := entities["plugins"]
	attach(pluginEntity, defs)
	for _, p := range bundled {
		merged := pluginEntity.subschemas[p.name]
		merged.Name = p.name
		merged.priority = p.priority
		merged.served = &Schema{Fields: defs[p.name].Fields, EntityChecks: p.checks}
		plugins[p.name] = merged
	}
	for _, s := range entities {
		s.compile()
	}
}

// prepare applies what Kong does when it loads an entity schema: records become required unless marked
// otherwise (Entity.new's make_records_required), and default literals become decoded-JSON values.
func prepare(fields []Field) {
	for i := range fields {
		prepareField(&fields[i], true)
	}
}

func prepareField(f *Field, recordsRequired bool) {
	if f.HasDefault {
		f.Default = normalize(f.Default)
	}
	f.OneOf = normalizeList(f.OneOf)
	f.NotOneOf = normalizeList(f.NotOneOf)
	f.Eq = normalize(f.Eq)
	f.Contains = normalize(f.Contains)
	if f.Type == "record" && recordsRequired && !f.NotRequired && !f.Abstract {
		f.Required = true
	}
	for _, sub := range []*Field{f.Elements, f.Keys, f.Values} {
		if sub != nil {
			prepareField(sub, false)
		}
	}
	for i := range f.Fields {
		prepareField(&f.Fields[i], recordsRequired && f.Type == "record")
	}
}

func normalizeList(list []any) []any {
	if list == nil {
		return nil
	}
	return normalize(list).([]any)
}

// attach builds, for every subschema key, the parent specialised by that subschema.
func attach(parent *Schema, defs map[string]subschemaDef) {
	parent.subschemas = map[string]*Schema{}
	for key, def := range defs {
		prepare(def.Fields)
		merged := *parent
		merged.subschemaKey, merged.subschemaError, merged.subschemas = "", "", nil
		merged.Fields = make([]Field, len(parent.Fields))
		copy(merged.Fields, parent.Fields)
		for _, sf := range def.Fields {
			replaced := false
			for i := range merged.Fields {
				if merged.Fields[i].Name == sf.Name {
					merged.Fields[i] = sf
					replaced = true
				}
			}
			if !replaced {
				merged.Fields = append(merged.Fields, sf)
			}
		}
		merged.EntityChecks = append(append([]Check(nil), parent.EntityChecks...), def.EntityChecks...)
		parent.subschemas[key] = &merged
	}
}

package schema

// Schemas Kong serves at /schemas/{name} for entities kongsim does not store: tags
// (kong/db/schema/entities/tags.lua) and filter_chains (kong/db/schema/entities/filter_chains.lua, with the
// filter record of kong/db/schema/others/wasm_filter.lua as a node with wasm off loads it: no filter names).

func tagsSchema() *Schema {
	return &Schema{Name: "tags", PrimaryKey: []string{"tag"}, EndpointKey: "tag", Fields: []Field{
		{Name: "tag", Type: "string", Required: true, Custom: validTag},
		{Name: "entity_name", Type: "string", Required: true},
		named("entity_id", required(tdUUID())),
	}}
}

func filterChainsSchema() *Schema {
	return &Schema{Name: "filter_chains", PrimaryKey: []string{"id"}, EndpointKey: "name",
		CacheKey: []string{"route", "service"}, AdminAPIName: "filter-chains",
		Fields: []Field{
			idField(),
			named("name", tdUTF8Name()),
			{Name: "enabled", Type: "boolean", Required: true, Default: true, HasDefault: true},
			{Name: "route", Type: "foreign", Reference: "routes", OnDelete: "cascade", HasDefault: true, Unique: true},
			{Name: "service", Type: "foreign", Reference: "services", OnDelete: "cascade", HasDefault: true, Unique: true},
			{Name: "filters", Type: "array", Required: true, LenMin: ptrInt(1), Elements: &Field{Type: "record", Fields: []Field{
				{Name: "name", Type: "string", Required: true, OneOf: []any{}, Err: "no such filter"},
				{Name: "enabled", Type: "boolean", Default: true, HasDefault: true, Required: true},
				{Name: "config", Type: "json", NotRequired: true},
			}}},
			createdAt(), updatedAt(),
			tagsField(),
		},
		EntityChecks: []Check{
			{MutuallyExclusive: []string{"service", "route"}},
			{AtLeastOneOf: []string{"service", "route"}},
			{Custom: &CustomCheck{FieldSources: []string{"filters"}, Fn: func(map[string]any) string {
				return "no wasm filters are configured"
			}}},
		},
	}
}

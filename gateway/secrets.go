package gateway

import (
	"context"

	"github.com/kongsnap/kongsnap/snapshot"
)

// learnSecrets reads the schemas of every kind and plugin s holds (GET /schemas/{entity} and
// /schemas/plugins/{name}, once per Client) and records each field Kong marks `encrypted = true` as a secret with
// snapshot.LearnSecrets, so that a plugin's secret (oauth2's config.provision_key, a custom plugin's token) is
// encrypted, redacted and hidden from diffs like a credential's. Kong marks exactly the fields its Enterprise
// keyring encrypts at rest (kong/db/schema/init.lua, the "encrypted" field attribute), bundled plugins and
// custom ones alike. A schema the gateway does not serve (404) gives no secrets; any other failure fails the read,
// since a secret left unknown would be written in plaintext.
func (c *Client) learnSecrets(ctx context.Context, s *snapshot.Snapshot) error {
	paths := map[string]bool{}
	for _, kind := range snapshot.Kinds {
		if s.CountOf(kind) > 0 {
			paths["/schemas/"+string(kind)] = true
		}
	}
	names := pluginNames([]*snapshot.Snapshot{s})
	for _, name := range names {
		paths[pluginSchemaPath(name)] = true
	}
	schemas, err := c.schemas(ctx, paths)
	if err != nil {
		return err
	}
	for _, kind := range snapshot.Kinds {
		if kind == snapshot.KindPlugin {
			continue
		}
		if r := schemas["/schemas/"+string(kind)]; r != nil {
			snapshot.LearnSecrets(kind, "", r.secretPaths("")...)
		}
	}
	for _, name := range names {
		if r := schemas[pluginSchemaPath(name)]; r != nil {
			snapshot.LearnSecrets(snapshot.KindPlugin, name, r.secretPaths("")...)
		}
	}
	return nil
}

// secretPaths returns the paths of the record's encrypted fields in snapshot.SecretFields's notation: "a.b" for a
// field of a record, "a[].b" for a field of every element of a list of records, "a.*" for every value of a map of
// records holding one.
func (r *record) secretPaths(prefix string) []string {
	var out []string
	for i := range r.fields {
		f := &r.fields[i]
		path := prefix + f.name
		switch {
		case f.encrypted:
			out = append(out, path)
		case f.record != nil:
			out = append(out, f.record.secretPaths(path+".")...)
		case f.elements != nil && f.elements.record != nil:
			out = append(out, f.elements.record.secretPaths(path+"[].")...)
		case f.values != nil && f.values.record != nil:
			if len(f.values.record.secretPaths("")) > 0 {
				out = append(out, path+".*")
			}
		}
	}
	return out
}

package snapshot

// Redacted is the value a secret field holds in a snapshot written in redact mode. It is never a real secret, so
// restore refuses to write it and diff treats it as "unknown" rather than as a change.
const Redacted = "<redacted by kongsnap>"

// SecretFields lists, per kind, the JSON paths of the fields whose values are secrets (KindInfo.Secrets): they are
// encrypted (or redacted) in files and never shown in diffs, logs or pull requests. "config.*" means every value
// under config.
var SecretFields = func() map[Kind][]string {
	m := map[Kind][]string{}
	for _, info := range kindTable {
		if len(info.Secrets) > 0 {
			m[info.Kind] = info.Secrets
		}
	}
	return m
}()

// SecretValues returns the secret values an entity carries (see SecretFields), to scrub from messages about it:
// Kong's unique-violation message quotes a duplicate key-auth key, for example.
func SecretValues(e any) []string {
	fields, err := toFields(e)
	if err != nil {
		return nil
	}
	var out []string
	_ = visitSecrets(KindOf(e), fields, func(_, value string) (string, error) {
		out = append(out, value)
		return value, nil
	})
	return out
}

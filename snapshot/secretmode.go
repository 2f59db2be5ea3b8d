package snapshot

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// SecretMode says how secret fields are written to files.
type SecretMode string

// The secret modes. The zero value encrypts.
const (
	// SecretsEncrypt writes every secret encrypted with the keyring's first key; it fails with ErrNoKey when the
	// snapshot holds secrets and no keyring is given.
	SecretsEncrypt SecretMode = "encrypt"
	// SecretsRedact writes the Redacted placeholder instead of every secret; such a snapshot cannot be restored.
	SecretsRedact SecretMode = "redact"
	// SecretsPlain writes secrets as they are. Only ever used when chosen explicitly.
	SecretsPlain SecretMode = "plain"
)

// ParseSecretMode returns the mode spelled s; "" means SecretsEncrypt.
func ParseSecretMode(s string) (SecretMode, error) {
	switch SecretMode(s) {
	case "", SecretsEncrypt:
		return SecretsEncrypt, nil
	case SecretsRedact, SecretsPlain:
		return SecretMode(s), nil
	}
	return "", fmt.Errorf("unknown secret mode %q (want encrypt, redact or plain)", s)
}

// SecretField names one secret field of one entity, for people: which values a redacted snapshot lacks.
type SecretField struct {
	Kind   Kind
	Entity string // Describe of the entity
	Field  string // JSON path, such as "password" or "config.token"
}

func (f SecretField) String() string { return f.Entity + " field " + f.Field }

// RedactedFields lists the fields that hold the Redacted placeholder instead of a real value, sorted. A snapshot
// with any cannot be restored: the gateway would receive the placeholder as the secret. Every field is checked,
// not only those known to be secret now: a file may have been written when a gateway's schema said more.
func (s *Snapshot) RedactedFields() []SecretField {
	var out []SecretField
	for _, kind := range Kinds {
		for _, e := range s.Entities(kind) {
			if !holdsString(reflect.ValueOf(e), Redacted) {
				continue // most entities: their field map, which names the paths, is not needed
			}
			fields, err := toFields(e)
			if err != nil {
				continue
			}
			_ = visitEvery(fields, func(path string, value string) (string, error) {
				if value == Redacted {
					out = append(out, SecretField{Kind: kind, Entity: Describe(e), Field: path})
				}
				return value, nil
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Entity != out[j].Entity {
			return out[i].Entity < out[j].Entity
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// holdsString reports whether any string in v (a field, an element, a map's key or value, at any depth) is s.
// An entity's field map (toFields) holds its strings as they are, so one that does not hold s has no field
// whose value is s.
func holdsString(v reflect.Value, s string) bool {
	switch v.Kind() {
	case reflect.String:
		return v.String() == s
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && holdsString(v.Elem(), s)
	case reflect.Struct:
		for i := range v.NumField() {
			if holdsString(v.Field(i), s) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return false // bytes: base64 in JSON, never s
		}
		for i := range v.Len() {
			if holdsString(v.Index(i), s) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if holdsString(it.Key(), s) || holdsString(it.Value(), s) {
				return true
			}
		}
	}
	return false
}

// visitSecrets calls fn with every secret string value of an entity's field map (see SecretPaths) and stores what
// fn returns in its place. Non-string values under a "config.*" path (numbers, booleans) are not secrets and are
// left alone; a secret field holding a map or list has every string inside it visited.
func visitSecrets(kind Kind, fields map[string]any, fn func(path, value string) (string, error)) error {
	name, _ := fields["name"].(string)
	for _, spec := range SecretPaths(kind, name) {
		if err := visitPath(fields, splitPath(spec), "", fn); err != nil {
			return err
		}
	}
	return nil
}

// visitFieldSecrets is visitSecrets for an entity's fields in writing order, with the secret paths of its kind
// (and plugin) at hand.
func visitFieldSecrets(paths []string, f *entityFields, fn func(path, value string) (string, error)) error {
	for _, spec := range paths {
		parts := splitPath(spec)
		if parts[0] == "*" {
			all := f.asMap()
			if err := visitPath(all, parts, "", fn); err != nil {
				return err
			}
			for k, v := range all {
				f.set(k, v)
			}
			continue
		}
		i := f.index(parts[0])
		if i < 0 || f.list[i].value == nil {
			continue
		}
		out, changed, err := visitAt(f.list[i].value, parts[1:], parts[0], fn)
		if err != nil {
			return err
		}
		if changed {
			f.list[i].value = out
		}
	}
	return nil
}

// splitPaths holds what splitPath returned for each path: writing a gateway visits the same few secret paths for
// every entity of a kind, and splitting them anew each time was half a million allocations at 100,000 entities.
var splitPaths sync.Map // string → []string, never modified

// splitPath splits a secret path at its dots, and "a[]" into "a" and "[]". The result is shared: not to be
// modified.
func splitPath(spec string) []string {
	if parts, ok := splitPaths.Load(spec); ok {
		return parts.([]string)
	}
	parts := splitPathOnce(spec)
	splitPaths.Store(spec, parts)
	return parts
}

func splitPathOnce(spec string) []string {
	var parts []string
	for _, p := range strings.Split(spec, ".") {
		if name, ok := strings.CutSuffix(p, "[]"); ok {
			parts = append(parts, name, "[]")
			continue
		}
		parts = append(parts, p)
	}
	return parts
}

// visitEvery calls fn with every string value of a field map, at any depth.
func visitEvery(fields map[string]any, fn func(path, value string) (string, error)) error {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, changed, err := visitAll(fields[k], k, fn)
		if err != nil {
			return err
		}
		if changed {
			fields[k] = v
		}
	}
	return nil
}

func visitPath(m map[string]any, parts []string, prefix string, fn func(path, value string) (string, error)) error {
	name := parts[0]
	if name == "*" {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, changed, err := visitAll(m[k], prefix+k, fn)
			if err != nil {
				return err
			}
			if changed {
				m[k] = v
			}
		}
		return nil
	}
	value, ok := m[name]
	if !ok || value == nil {
		return nil
	}
	out, changed, err := visitAt(value, parts[1:], prefix+name, fn)
	if err != nil {
		return err
	}
	if changed {
		m[name] = out
	}
	return nil
}

// visitAt is visitPath for the value at path, rest being the parts of the secret path after it: it returns the
// value to store there, and whether that is another value (a string fn changed). Maps and lists are edited in
// place, and only where fn changed a string: a value fn leaves as it is is never stored again, so visiting with an
// fn that changes nothing writes nothing (hidesSomething relies on it: a config the writer writes is the live one).
func visitAt(value any, rest []string, path string, fn func(path, value string) (string, error)) (any, bool, error) {
	if len(rest) > 0 && rest[0] == "[]" {
		list, ok := value.([]any)
		if !ok {
			return value, false, nil
		}
		for i, item := range list {
			at := path + "[" + strconv.Itoa(i) + "]"
			if len(rest) == 1 {
				out, changed, err := visitAll(item, at, fn)
				if err != nil {
					return nil, false, err
				}
				if changed {
					list[i] = out
				}
				continue
			}
			if child, ok := item.(map[string]any); ok {
				if err := visitPath(child, rest[1:], at+".", fn); err != nil {
					return nil, false, err
				}
			}
		}
		return value, false, nil
	}
	if len(rest) > 0 {
		child, ok := value.(map[string]any)
		if !ok {
			return value, false, nil
		}
		return value, false, visitPath(child, rest, path+".", fn)
	}
	return visitAll(value, path, fn)
}

// visitAll calls fn with every string in v, at any depth; it returns what is to be stored in v's place, and
// whether that is another value (v is a string fn changed), as visitAt does.
func visitAll(v any, path string, fn func(path, value string) (string, error)) (any, bool, error) {
	switch t := v.(type) {
	case string:
		out, err := fn(path, t)
		return out, err == nil && out != t, err
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out, changed, err := visitAll(t[k], path+"."+k, fn)
			if err != nil {
				return nil, false, err
			}
			if changed {
				t[k] = out
			}
		}
	case []any:
		for i := range t {
			out, changed, err := visitAll(t[i], path+"["+strconv.Itoa(i)+"]", fn)
			if err != nil {
				return nil, false, err
			}
			if changed {
				t[i] = out
			}
		}
	}
	return v, false, nil
}

// secretContext binds an encrypted value to one field of one entity: its kind, its id (its name when it has no
// id) and the field's path.
func secretContext(kind Kind, e any, path string) string {
	identity := ID(e)
	if identity == "" {
		identity = Name(e)
	}
	return strings.Join([]string{"kongsnap:v1", string(kind), identity, path}, "\x00")
}

// hideSecrets rewrites an entity's secret values for a file, according to the mode.
// paths are the secret paths of the entity's kind (and plugin), as SecretPaths returns them. fields may share
// maps with the entity (the writer passes a plugin's config through, writtenConfig), so they are not edited in
// place: when there is something to hide, fields' maps are replaced by copies first; when there is nothing (plain
// mode, or no secret value but Redacted), nothing is visited again.
func hideSecrets(kind Kind, e any, fields *entityFields, paths []string, mode SecretMode, ring *Keyring) error {
	if mode == SecretsPlain || !hidesSomething(paths, fields) {
		return nil
	}
	for i, fd := range fields.list {
		if _, ok := fd.value.(map[string]any); ok {
			if c, ok := copyJSONValue(fd.value); ok {
				fields.list[i].value = c
			}
		}
	}
	return visitFieldSecrets(paths, fields, func(path, value string) (string, error) {
		if value == Redacted {
			return value, nil
		}
		switch mode {
		case SecretsPlain:
			return value, nil
		case SecretsRedact:
			return Redacted, nil
		}
		if ring == nil {
			return "", fmt.Errorf("%s field %s is a secret and mode is encrypt: %w (give a key, or choose redact)",
				Describe(e), path, ErrNoKey)
		}
		return ring.seal(secretContext(kind, e, path), value), nil
	})
}

// hidesSomething reports whether f holds a secret value hideSecrets would change or refuse (any but Redacted, in
// the modes that hide them), without changing anything: visiting with an fn that returns each value as it is
// writes nothing.
func hidesSomething(paths []string, f *entityFields) bool {
	found := false
	_ = visitFieldSecrets(paths, f, func(_, value string) (string, error) {
		found = found || value != Redacted
		return value, nil
	})
	return found
}

// ErrPlaintextSecret means a secret field holds plaintext in files whose manifest says secrets are encrypted:
// someone replaced a ciphertext by hand.
var ErrPlaintextSecret = errors.New("secret in plaintext where the snapshot's secrets are encrypted")

// revealSecrets decrypts an entity's encrypted values read from a file; plain and redacted values stay as they are.
// Besides the fields known to be secret, any value sealed by kongsnap's keyring is decrypted wherever it is: the
// file may have been written from a gateway whose schemas marked more fields encrypted than this run has seen,
// and the field is then learned as a secret (LearnSecrets) so that diffs of it never show its value.
// With opts.Encrypted (the manifest says secrets: encrypt), a field every kongsnap encrypts (the kind's own
// Secrets) holding plaintext is refused.
func revealSecrets(kind Kind, e any, fields map[string]any, opts ReadOptions) (bool, error) {
	ring := opts.Keyring
	changed := false
	known := map[string]bool{}
	decrypt := func(path, value string) (string, error) {
		if ring == nil {
			return "", fieldError(path, fmt.Errorf("decrypting %s: value is encrypted and no key was given: %w",
				Describe(e), ErrNoKey))
		}
		plain, err := ring.open(secretContext(kind, e, path), value)
		if err != nil {
			return "", fieldError(path, fmt.Errorf("decrypting %s: %w", Describe(e), err))
		}
		changed = true
		return plain, nil
	}
	err := visitSecrets(kind, fields, func(path, value string) (string, error) {
		known[path] = true
		if !isEncrypted(value) {
			if opts.Encrypted && value != Redacted && builtinSecret(kind, path) {
				return "", fieldError(path, fmt.Errorf("%s: %w (the manifest says secrets: encrypt); "+
					"refusing a snapshot edited by hand", Describe(e), ErrPlaintextSecret))
			}
			return value, nil
		}
		return decrypt(path, value)
	})
	if err != nil {
		return changed, err
	}
	if !anyString(fields, mayBeSealed) {
		return changed, nil // nothing below is sealed or redacted: the visit would find nothing to do
	}
	name, _ := fields["name"].(string)
	err = visitEvery(fields, func(path, value string) (string, error) {
		if known[path] || !sealedValue.MatchString(value) && value != Redacted {
			return value, nil
		}
		LearnSecrets(kind, name, indexFree(path))
		if value == Redacted {
			return value, nil
		}
		return decrypt(path, value)
	})
	return changed, err
}

// mayBeSealed reports whether s could be a value revealSecrets' second visit acts on (sealed, or Redacted): every
// sealed value has the keyring's prefix.
func mayBeSealed(s string) bool { return s == Redacted || isEncrypted(s) }

// anyString reports whether pred holds for any string visitAll would visit in v (a field map's values, at any
// depth), without building the paths a visit names them by.
func anyString(v any, pred func(string) bool) bool {
	switch t := v.(type) {
	case string:
		return pred(t)
	case map[string]any:
		for _, e := range t {
			if anyString(e, pred) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if anyString(e, pred) {
				return true
			}
		}
	}
	return false
}

// builtinSecret reports whether path is one of the kind's own secret fields (KindInfo.Secrets, "config.*" covering
// everything under config), which every snapshot written with secrets encrypted holds sealed; fields learned from a
// gateway's schemas may predate the snapshot.
func builtinSecret(kind Kind, path string) bool {
	info := kind.Info()
	if info == nil {
		return false
	}
	for _, p := range info.Secrets {
		if prefix, wild := strings.CutSuffix(p, "*"); wild && strings.HasPrefix(path, prefix) || p == path {
			return true
		}
	}
	return false
}

package snapshot

import (
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/kong/go-kong/kong"
)

// Redacted is the value a secret field holds in a snapshot written in redact mode. It is never a real secret, so
// restore refuses to write it and diff treats it as "unknown" rather than as a change.
const Redacted = "<redacted by kongsnap>"

// SecretFields lists, per kind, the JSON paths of the fields whose values are secrets whatever the gateway's
// schemas say (KindInfo.Secrets): they are encrypted (or redacted) in files and never shown in diffs, logs or pull
// requests. "config.*" means every value under config; "a[].b" means field b of every element of list a. The
// fields Kong marks encrypted in the schemas a gateway serves are secrets too (LearnSecrets, SecretPaths).
var SecretFields = func() map[Kind][]string {
	m := map[Kind][]string{}
	for _, info := range kindTable {
		if len(info.Secrets) > 0 {
			m[info.Kind] = info.Secrets
		}
	}
	return m
}()

// SecretValues returns the secret values an entity carries (see SecretPaths), to scrub from messages about it:
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

// learned holds the secret fields taken from served schemas, for the life of the process (one kongsnap run).
var learned = struct {
	mu      sync.RWMutex
	kinds   map[Kind]map[string]bool
	plugins map[string]map[string]bool // plugin name → paths
}{kinds: map[Kind]map[string]bool{}, plugins: map[string]map[string]bool{}}

// LearnSecrets records that fields of kind are secrets: for plugins, fields of the plugin named plugin (its
// config.provision_key), for other kinds, fields of every entity of the kind. The gateway package calls it with
// every field Kong's served schemas mark `encrypted = true` (what Kong Enterprise's keyring encrypts at rest), so
// that a custom plugin's secret is as safe as a bundled one's. What is learned is never forgotten during the run:
// two gateways' schemas only add to each other, so a field one of them calls secret stays secret for both.
func LearnSecrets(kind Kind, plugin string, paths ...string) {
	if len(paths) == 0 {
		return
	}
	learned.mu.Lock()
	defer learned.mu.Unlock()
	set := learned.kinds[kind]
	if kind == KindPlugin {
		set = learned.plugins[plugin]
	}
	if set == nil {
		set = map[string]bool{}
		if kind == KindPlugin {
			learned.plugins[strings.Clone(plugin)] = set // it outlives the file text it may be a piece of
		} else {
			learned.kinds[kind] = set
		}
	}
	for _, p := range paths {
		set[strings.Clone(p)] = true
	}
}

// SecretPaths returns the paths of the secret fields of an entity of kind, sorted: SecretFields's and those
// learned from schemas. For a plugin, plugin is its name (the fields' "name").
func SecretPaths(kind Kind, plugin string) []string {
	out := append([]string(nil), SecretFields[kind]...)
	learned.mu.RLock()
	set := learned.kinds[kind]
	if kind == KindPlugin {
		set = learned.plugins[plugin]
	}
	for p := range set {
		if !contains(out, p) {
			out = append(out, p)
		}
	}
	learned.mu.RUnlock()
	sort.Strings(out)
	return out
}

// EntitySecretPaths is SecretPaths for one entity, its plugin name taken from the entity.
func EntitySecretPaths(e any) []string {
	name := ""
	if p, ok := e.(*kong.Plugin); ok && p.Name != nil {
		name = *p.Name
	}
	return SecretPaths(KindOf(e), name)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sealedValue is the exact shape of a value kongsnap's keyring wrote: prefix, key id, base64.
var sealedValue = regexp.MustCompile(`^kongsnap:v1:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}$`)

// indexFree turns a concrete path ("config.targets[0].auth.header_value") into the form paths are learned in
// ("config.targets[].auth.header_value").
func indexFree(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			if j := strings.IndexByte(path[i:], ']'); j > 0 {
				b.WriteString("[]")
				i += j
				continue
			}
		}
		b.WriteByte(path[i])
	}
	return b.String()
}

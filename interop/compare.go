// Package interop checks kongsim against the real decK CLI: scripts/interop.sh drives decK, and this package
// decides whether the file decK dumped from kongsim still holds every entity of the decK file it synced.
package interop

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Options say what a comparison may overlook.
type Options struct {
	// IgnoreIDs drops every "id" key on both sides, for a dump taken without --with-id (decK then keeps ids only
	// where an entity has no name-like key).
	IgnoreIDs bool
	// Ignore lists dotted key paths without list indexes, such as "consumers.basicauth_credentials.password",
	// whose values are not compared (Kong stores basic-auth passwords hashed, so no dump can return them).
	Ignore []string
}

// entityLists are the keys of a decK file that hold entities; when current has one that target lacks, its
// members are reported as unexpected. (A service's ca_certificates or a route's snis, lists of strings, are not
// entities there.)
var entityLists = map[string]bool{
	"services": true, "routes": true, "plugins": true, "consumers": true, "consumer_groups": true,
	"upstreams": true, "targets": true, "certificates": true, "snis": true, "ca_certificates": true,
	"vaults": true, "key_sets": true, "keys": true, "partials": true, "filter_chains": true,
	"keyauth_credentials": true, "basicauth_credentials": true, "hmacauth_credentials": true,
	"jwt_secrets": true, "acls": true, "oauth2_credentials": true, "mtls_auth_credentials": true,
}

// identityKeys are tried in order to name an entity in a list; "key" and "cert" come last because for
// certificates they hold whole PEM blocks.
var identityKeys = []string{
	"id", "name", "username", "custom_id", "target", "group", "client_id", "prefix", "kid", "key", "cert",
}

// Differences reports every way current fails to hold what target says, one line per difference, sorted.
// Both are decoded decK files. Every field target sets must be present in current with an equal value; current
// may carry more fields (decK dumps the defaults Kong filled in). Lists of mappings (entities, or records such
// as a route's sources) must hold the same members in any order, entities matched by their id or name-like key.
// Lists of scalars are compared as multisets; numbers compare by value whatever their Go type.
func Differences(target, current map[string]any, opts Options) []string {
	c := comparer{opts: opts}
	c.maps("", "", target, current)
	sort.Strings(c.diffs)
	return c.diffs
}

type comparer struct {
	opts  Options
	diffs []string
}

func (c *comparer) addf(format string, args ...any) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
}

// maps compares two mappings. at is the position for messages, keyPath the dotted path for Options.Ignore.
func (c *comparer) maps(at, keyPath string, target, current map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(target)) {
		childKeyPath := join(keyPath, k)
		if c.skipped(k, childKeyPath) {
			continue
		}
		got, ok := current[k]
		if !ok {
			c.addf("%s: missing", join(at, k))
			continue
		}
		c.values(join(at, k), childKeyPath, target[k], got)
	}
	for _, k := range slices.Sorted(maps.Keys(current)) {
		if _, ok := target[k]; ok || !entityLists[k] || c.skipped(k, join(keyPath, k)) {
			continue
		}
		list, _ := current[k].([]any)
		if !allMaps(list) {
			continue
		}
		for _, e := range list {
			c.addf("%s: unexpected %s", join(at, k), c.describe(e))
		}
	}
}

func (c *comparer) skipped(key, keyPath string) bool {
	return (c.opts.IgnoreIDs && key == "id") || slices.Contains(c.opts.Ignore, keyPath)
}

func (c *comparer) values(at, keyPath string, target, current any) {
	switch want := target.(type) {
	case map[string]any:
		got, ok := current.(map[string]any)
		if !ok {
			c.addf("%s: want a mapping, got %s", at, short(current))
			return
		}
		c.maps(at, keyPath, want, got)
	case []any:
		got, ok := current.([]any)
		if !ok {
			c.addf("%s: want a list, got %s", at, short(current))
			return
		}
		if allMaps(want) || (len(want) == 0 && allMaps(got)) {
			c.entityList(at, keyPath, want, got)
			return
		}
		if !sameMultiset(want, got) {
			c.addf("%s: want %s, got %s", at, short(want), short(got))
		}
	default:
		if !scalarEqual(want, current) {
			c.addf("%s: want %s, got %s", at, short(want), short(current))
		}
	}
}

// entityList pairs each target member with the current member of the same identity, or, for lists of plain
// records such as a route's sources, with any unused member that holds it entirely.
func (c *comparer) entityList(at, keyPath string, target, current []any) {
	used := make([]bool, len(current))
	for _, w := range target {
		want, ok := w.(map[string]any)
		if !ok {
			c.addf("%s: want a list of mappings, got member %s", at, short(w))
			continue
		}
		key, val := c.identity(want)
		memberAt := fmt.Sprintf("%s[%s=%s]", at, key, short(val))
		if key == "" {
			memberAt = fmt.Sprintf("%s[%s]", at, short(want))
		}
		i := c.find(keyPath, key, val, want, current, used)
		if i < 0 {
			c.addf("%s: missing", memberAt)
			continue
		}
		used[i] = true
		c.maps(memberAt, keyPath, want, current[i].(map[string]any))
	}
	for i, g := range current {
		if !used[i] {
			c.addf("%s: unexpected %s", at, c.describe(g))
		}
	}
}

func (c *comparer) identity(m map[string]any) (string, any) {
	for _, k := range identityKeys {
		if c.opts.IgnoreIDs && k == "id" {
			continue
		}
		if v, ok := m[k].(string); ok && v != "" {
			return k, v
		}
	}
	return "", nil
}

// find returns the index of the unused current member that matches want: the one with the same identity (or,
// when several share it, as plugin names at the top level may, the one that holds want entirely), or for members
// without identity any that holds want entirely; -1 when none does.
func (c *comparer) find(keyPath, key string, val any, want map[string]any, current []any, used []bool) int {
	first := -1
	for i, g := range current {
		got, ok := g.(map[string]any)
		if used[i] || !ok || (key != "" && got[key] != val) {
			continue
		}
		if first < 0 && key != "" {
			first = i
		}
		probe := comparer{opts: c.opts}
		probe.maps("", keyPath, want, got)
		if len(probe.diffs) == 0 {
			return i
		}
	}
	return first
}

func allMaps(list []any) bool {
	for _, v := range list {
		if _, ok := v.(map[string]any); !ok {
			return false
		}
	}
	return len(list) > 0
}

func sameMultiset(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
next:
	for _, x := range a {
		for i, y := range b {
			if !used[i] && scalarEqual(x, y) {
				used[i] = true
				continue next
			}
		}
		return false
	}
	return true
}

func scalarEqual(a, b any) bool {
	x, okA := number(a)
	y, okB := number(b)
	if okA || okB {
		return okA && okB && x == y
	}
	return reflect.DeepEqual(a, b)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func (c *comparer) describe(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return short(v)
	}
	if k, val := c.identity(m); k != "" {
		return fmt.Sprintf("member %s=%s", k, short(val))
	}
	return "member " + short(m)
}

// short renders a value for a message, cutting long strings such as PEM blocks.
func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if str, ok := v.(string); ok {
		s = fmt.Sprintf("%q", str)
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strings.ReplaceAll(s, "\n", `\n`)
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

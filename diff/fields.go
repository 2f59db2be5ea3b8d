package diff

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Fields returns a go-kong entity as the JSON field map Compare compares, normalised so that spellings Kong treats
// alike are equal:
//   - created_at and updated_at are dropped: they change on every write and restore cannot set them;
//   - a null, an empty list and an empty object are all dropped, at any depth in objects (list elements are kept,
//     so indexes stay true). Kong answers null for some unset fields and [] for others, go-kong omits both and a
//     decK file may spell either; Kong 3.9's entity schemas give none of them a meaning of its own;
//   - fields Kong's schemas type as sets are sorted and deduplicated: tags on every kind, and protocols, methods,
//     snis, sources and destinations of routes, protocols of plugins. Arrays (paths, hosts, ...) keep their order;
//   - computed or duplicated fields are dropped: a CA certificate's cert_digest (Kong derives it from cert) and a
//     certificate's snis (SNIs are entities of their own);
//   - numbers are float64, as encoding/json decodes them.
//
// References stay as the entity holds them ({"id": ...} or {"name": ...}); Compare compares them by the parent's
// identity instead. Fields returns nil for a value that is not an entity or does not encode as JSON.
func Fields(e any) map[string]any {
	kind := snapshot.KindOf(e)
	if kind == "" {
		return nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil
	}
	return fieldsFromJSON(kind, b)
}

func fieldsFromJSON(kind snapshot.Kind, b []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	return normalize(kind, m)
}

// noise lists, per kind, the top-level fields Fields drops besides the timestamps.
var noise = map[snapshot.Kind][]string{
	snapshot.KindCACertificate: {"cert_digest"},
	snapshot.KindCertificate:   {"snis"},
}

// setFields lists, per kind, the top-level fields Kong's schemas type as "set" besides tags (which every kind has).
var setFields = map[snapshot.Kind][]string{
	snapshot.KindRoute:  {"protocols", "methods", "snis", "sources", "destinations"},
	snapshot.KindPlugin: {"protocols"},
}

func isSet(kind snapshot.Kind, field string) bool {
	if field == "tags" {
		return true
	}
	for _, f := range setFields[kind] {
		if f == field {
			return true
		}
	}
	return false
}

// normalize applies Fields' rules to m in place and returns it.
func normalize(kind snapshot.Kind, m map[string]any) map[string]any {
	delete(m, "created_at")
	delete(m, "updated_at")
	for _, f := range noise[kind] {
		delete(m, f)
	}
	normalizeMap(m)
	for k, v := range m {
		if list, ok := v.([]any); ok && isSet(kind, k) {
			m[k] = sortSet(list)
		}
	}
	return m
}

func normalizeMap(m map[string]any) {
	for k, v := range m {
		v = normalizeValue(v)
		if IsEmpty(v) {
			delete(m, k)
			continue
		}
		m[k] = v
	}
}

// normalizeValue drops empty values inside objects and turns Go values that are not JSON-like (an int from a
// Defaults table, a []string) into their JSON form.
func normalizeValue(v any) any {
	switch v := v.(type) {
	case nil, string, bool, float64:
		return v
	case map[string]any:
		normalizeMap(v)
		return v
	case []any:
		for i, item := range v {
			v[i] = normalizeValue(item)
		}
		return v
	case int:
		return float64(v)
	case int64:
		return float64(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprint(v)
	}
	return normalizeValue(out)
}

// sortSet orders a set's elements by their JSON encoding and drops duplicates, as Kong stores a set.
func sortSet(list []any) []any {
	type keyed struct {
		key  string
		item any
	}
	items := make([]keyed, len(list))
	for i, item := range list {
		key, ok := item.(string)
		if !ok {
			b, _ := json.Marshal(item)
			key = string(b)
		}
		items[i] = keyed{key, item}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	out := list[:0]
	for i, it := range items {
		if i > 0 && it.key == items[i-1].key {
			continue
		}
		out = append(out, it.item)
	}
	return out
}

// walker compares two field maps of one kind and collects the fields that differ.
type walker struct {
	kind    snapshot.Kind
	ignore  []string // path globs whose fields are not compared
	secrets []string // path globs whose values are never shown
	out     []FieldChange
}

func (w *walker) object(prefix string, a, b map[string]any) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		av, inA := a[k]
		bv, inB := b[k]
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		w.value(path, av, bv, inA, inB, prefix == "" && isSet(w.kind, k))
	}
}

// value compares one field. An object present on one side only is walked field by field, so that every added or
// removed leaf is checked against the ignore rules and the secret paths on its own.
func (w *walker) value(path string, a, b any, inA, inB, set bool) {
	if w.ignored(path) {
		return
	}
	am, aMap := a.(map[string]any)
	bm, bMap := b.(map[string]any)
	if (aMap || !inA) && (bMap || !inB) {
		w.object(path, am, bm)
		return
	}
	if a == snapshot.Redacted || b == snapshot.Redacted {
		return
	}
	secret := w.secret(path)
	if inA && inB {
		al, aList := a.([]any)
		bl, bList := b.([]any)
		if aList && bList && !set && !secret {
			for i := range max(len(al), len(bl)) {
				var av, bv any
				if i < len(al) {
					av = al[i]
				}
				if i < len(bl) {
					bv = bl[i]
				}
				w.value(path+"["+strconv.Itoa(i)+"]", av, bv, i < len(al), i < len(bl), false)
			}
			return
		}
		if reflect.DeepEqual(a, b) {
			return
		}
	}
	change := FieldChange{Path: path, Kind: fieldAction(inA, inB), Secret: secret}
	if !secret {
		change.From, change.To = a, b
	}
	w.out = append(w.out, change)
}

func fieldAction(inCurrent, inTarget bool) Action {
	switch {
	case !inCurrent:
		return Added
	case !inTarget:
		return Removed
	}
	return Changed
}

func (w *walker) ignored(path string) bool {
	for _, p := range w.ignore {
		if glob(p, path) {
			return true
		}
	}
	return false
}

// secretGlobs returns the secret paths of two entities paired for comparison as globs: "a[].b" becomes "a[*].b".
func secretGlobs(current, target any) []string {
	var out []string
	for _, e := range []any{current, target} {
		for _, p := range snapshot.EntitySecretPaths(e) {
			out = append(out, strings.ReplaceAll(p, "[]", "[*]"))
		}
	}
	return out
}

// secret reports whether a secret lives at path: the path, one of its ancestors or one of its descendants is a
// secret path of the kind.
func (w *walker) secret(path string) bool {
	for _, p := range w.secrets {
		if strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			return true
		}
		for _, prefix := range pathPrefixes(path) {
			if glob(p, prefix) {
				return true
			}
		}
	}
	return false
}

// pathPrefixes returns path and every ancestor of it: "a.b[1]" gives "a", "a.b", "a.b[1]".
func pathPrefixes(path string) []string {
	var out []string
	for i := 1; i < len(path); i++ {
		if path[i] == '.' || path[i] == '[' {
			out = append(out, path[:i])
		}
	}
	return append(out, path)
}

// glob matches a field path against a pattern in which "*" stands for any run of characters, dots included:
// "config.*" matches "config.minute" and "config.limits[0].name".
func glob(pattern, s string) bool {
	star, next := -1, 0
	p, i := 0, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, next = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			next++
			p, i = star+1, next
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// lessPath orders field paths segment by segment, list indexes by number: "paths[2]" before "paths[10]".
func lessPath(a, b string) bool {
	for a != "" && b != "" {
		sa, ra := cutSegment(a)
		sb, rb := cutSegment(b)
		if sa != sb {
			na, errA := strconv.Atoi(strings.Trim(sa, "[]"))
			nb, errB := strconv.Atoi(strings.Trim(sb, "[]"))
			if errA == nil && errB == nil && sa[0] == '[' && sb[0] == '[' {
				return na < nb
			}
			return sa < sb
		}
		a, b = ra, rb
	}
	return len(a) < len(b)
}

// cutSegment splits the first segment ("name" or "[3]") off a path.
func cutSegment(path string) (segment, rest string) {
	path = strings.TrimPrefix(path, ".")
	end := len(path)
	for i := 1; i < len(path); i++ {
		if path[i] == '.' || path[i] == '[' {
			end = i
			break
		}
	}
	if path[0] == '[' {
		if i := strings.IndexByte(path, ']'); i >= 0 {
			end = i + 1
		}
	}
	return path[:end], path[end:]
}

package gateway

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/kongsnap/kongsnap/snapshot"
)

// writePath is the collection an entity is created in (POST) and under which it is addressed by id (PUT,
// DELETE): the kind's top-level collection (snapshot.KindInfo.Path), or its owner's nested one for credentials
// and targets (KindInfo.Owner).
func writePath(e any) (string, error) {
	info := snapshot.KindOf(e).Info()
	if info == nil {
		return "", fmt.Errorf("cannot write %T", e)
	}
	if info.Owner == "" {
		return info.Path, nil
	}
	for _, f := range snapshot.RefFields(e) {
		if f.Field != info.Owner {
			continue
		}
		if len(f.Refs) > 0 {
			if path := info.CollectionUnder(f.Refs[0]); path != "" {
				return path, nil
			}
		}
		return "", fmt.Errorf("%s names no %s id", snapshot.Describe(e), f.Kind.Singular())
	}
	return "", fmt.Errorf("cannot write %T: its kind has no %s", e, info.Owner)
}

// normalize makes an entity as the snapshot holds it: no created_at/updated_at, foreign keys as {id} only, a
// certificate's SNI names cleared (SNIs are entities of their own).
func normalize(e any) {
	info := snapshot.KindOf(e).Info()
	if info == nil {
		return
	}
	info.Clear(e)
	if refsByID(e) {
		return
	}
	for _, r := range snapshot.Refs(e) {
		r.SetID(r.ID)
	}
}

// refsByID reports whether every foreign key of an entity is already {id} alone, or unset: what Kong sends, and
// what normalize would make of it anew, with two allocations and a closure for each of a gateway's references.
func refsByID(e any) bool {
	v := reflect.ValueOf(e).Elem()
	fields, known := refStructFields(v.Type())
	if !known {
		return false
	}
	for _, f := range fields {
		fk := v.Field(f.index)
		if fk.IsZero() {
			continue
		}
		if f.id < 0 {
			return false
		}
		parent := fk.Elem()
		for i := range parent.NumField() {
			if i != f.id && !parent.Field(i).IsZero() {
				return false
			}
		}
		if id := parent.Field(f.id); id.IsNil() || id.Elem().String() == "" {
			return false
		}
	}
	return true
}

// refStructField is a reference field of an entity's struct: its index and, when it points to a struct with an
// "id" string pointer, that field's index in the struct (else -1).
type refStructField struct {
	index, id int
}

// refLayout is what refStructFields found for one struct type.
type refLayout struct {
	fields []refStructField
	known  bool
}

var refLayouts sync.Map // reflect.Type of an entity's struct → refLayout

// refStructFields finds the struct fields of an entity type that hold its references (snapshot.RefFields), and
// reports whether it found every one.
func refStructFields(t reflect.Type) ([]refStructField, bool) {
	if cached, ok := refLayouts.Load(t); ok {
		l := cached.(refLayout)
		return l.fields, l.known
	}
	l := refLayout{known: true}
	for _, rf := range snapshot.RefFields(reflect.New(t).Interface()) {
		f := refStructField{index: -1, id: -1}
		for i := range t.NumField() {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name == rf.Field {
				f.index = i
			}
		}
		if f.index < 0 {
			l = refLayout{}
			break
		}
		if ft := t.Field(f.index).Type; ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			for i := range ft.Elem().NumField() {
				sf := ft.Elem().Field(i)
				if name, _, _ := strings.Cut(sf.Tag.Get("json"), ","); name == "id" && sf.Type == reflect.TypeFor[*string]() {
					f.id = i
				}
			}
		}
		l.fields = append(l.fields, f)
	}
	refLayouts.Store(t, l)
	return l.fields, l.known
}

// lacks says why the gateway, by its own account in GET /, does not have a kind's collection, or "" when it
// should have it: an older Kong (KindInfo.Since; CA certificates came in 1.3, vaults in 3.0, keys and key sets in
// 3.1), or the owning plugin (KindInfo.Plugin) not available on the server.
func (c *Client) lacks(info *snapshot.KindInfo) string {
	if info.Since != "" && c.version != "" && versionBefore(c.version, info.Since) {
		return fmt.Sprintf("Kong %s predates it (added in %s)", c.version, info.Since)
	}
	if info.Plugin != "" && c.plugins != nil && !c.plugins[info.Plugin] {
		return fmt.Sprintf("the %s plugin is not in plugins.available_on_server", info.Plugin)
	}
	return ""
}

// versionBefore reports whether Kong version v ("3.9.1", "3.4.3.12", "2.8.1-enterprise-edition") is older than
// major.minor min. A version it cannot parse is taken as current: never older.
func versionBefore(v, min string) bool {
	parse := func(s string) (int, int, bool) {
		parts := strings.SplitN(s, ".", 3)
		if len(parts) < 2 {
			return 0, 0, false
		}
		major, err1 := strconv.Atoi(parts[0])
		minor, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
		return major, minor, err1 == nil && err2 == nil
	}
	vMajor, vMinor, ok := parse(v)
	mMajor, mMinor, _ := parse(min)
	if !ok {
		return false
	}
	return vMajor < mMajor || vMajor == mMajor && vMinor < mMinor
}

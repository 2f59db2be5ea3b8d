package snapshot

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"sync"
)

// A file Write makes is its header (_format_version, and _info when select tags are set) followed by its
// sections, each a key alone on its line ("services:") and its sorted entries: a "  - " line and the lines after
// it, indented by four or more, or blank inside a literal block. Each entry is written from its entity and what
// nests under it alone, so two snapshots' files compare entry by entry as text.

// fileText is a file Write made, split into its header and the text of its sections' entries.
type fileText struct {
	header   string
	sections []sectionText
}

// sectionText is one top-level section: its key and its entries' text, each ending in a newline.
type sectionText struct {
	key     string
	entries []string
}

// splitFile splits src, a file Write made, by text; ok is false for text of any other shape.
func splitFile(src string) (f fileText, ok bool) {
	if !strings.HasPrefix(src, "_format_version: ") || !strings.HasSuffix(src, "\n") {
		return fileText{}, false
	}
	seen := map[string]bool{}
	var sec *sectionText
	start := -1 // of the entry being read
	end := func(at int) {
		if start >= 0 {
			sec.entries = append(sec.entries, src[start:at])
		}
		start = -1
	}
	for at := 0; at < len(src); {
		next := at + strings.IndexByte(src[at:], '\n') + 1
		line := src[at : next-1]
		if start >= 0 && strings.HasPrefix(line, "    ") {
			at = next // most lines: one inside an entry
			continue
		}
		switch key, isKey := strings.CutSuffix(line, ":"); {
		case isKey && sectionKinds[key] != "" && !seen[key]:
			if sec == nil {
				f.header = src[:at]
			}
			end(at)
			seen[key] = true
			f.sections = append(f.sections, sectionText{key: key})
			sec = &f.sections[len(f.sections)-1]
		case sec == nil:
			if !headerLine(line) {
				return fileText{}, false
			}
		case strings.HasPrefix(line, "  - "):
			end(at)
			start = at
		case start >= 0 && line == "": // a blank line inside a literal block; deeper lines were passed over above
		default:
			return fileText{}, false
		}
		at = next
	}
	if sec == nil {
		f.header = src
	}
	end(len(src))
	for _, s := range f.sections {
		if len(s.entries) == 0 {
			return fileText{}, false
		}
	}
	return f, true
}

// headerLine reports whether a line before the first section is one a header Write makes holds.
func headerLine(line string) bool {
	return strings.HasPrefix(line, "_format_version: ") || line == "_info:" || strings.HasPrefix(line, "  ")
}

// DifferingEntries returns, for the files of two snapshots that Write made (only the files that differ will do),
// what each holds that the other lacks, as files of the same names: the header and only the top-level entries
// whose text the other side lacks. Reading the two results decodes only what changed. Files other than decK
// files (the manifest) are left out. ok is false when a file is not of the shape Write makes or the files' headers
// differ (another format version, other select tags): then only the whole snapshots say what changed.
func DifferingEntries(old, new Files) (oldPart, newPart Files, ok bool) {
	names := map[string]bool{}
	for name := range old {
		names[name] = IsStateFile(name)
	}
	for name := range new {
		names[name] = IsStateFile(name)
	}
	oldPart, newPart = Files{}, Files{}
	header := ""
	sorted := sortedTrue(names)
	// Every file of each side is split on a goroutine of its own: a scan of each line, hundreds of thousands in a
	// changed file of a large snapshot, with the other core idle.
	type split struct {
		f  *fileText
		ok bool
	}
	olds, news := make([]split, len(sorted)), make([]split, len(sorted))
	var wg sync.WaitGroup
	for i, name := range sorted {
		wg.Go(func() { olds[i].f, olds[i].ok = splitPresent(old, name) })
		wg.Go(func() { news[i].f, news[i].ok = splitPresent(new, name) })
	}
	wg.Wait()
	for i, name := range sorted {
		o, n := olds[i].f, news[i].f
		if !olds[i].ok || !news[i].ok {
			return nil, nil, false
		}
		for _, f := range []*fileText{o, n} {
			if f == nil {
				continue
			}
			if header == "" {
				header = f.header
			}
			if f.header != header {
				return nil, nil, false
			}
		}
		oldOnly, newOnly := unpaired(o, n)
		if part := o.render(oldOnly); part != nil {
			oldPart[name] = part
		}
		if part := n.render(newOnly); part != nil {
			newPart[name] = part
		}
	}
	return oldPart, newPart, true
}

// sortedTrue returns the names set to true, sorted.
func sortedTrue(set map[string]bool) []string {
	var names []string
	for name, ok := range set {
		if ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// splitPresent splits files[name]; a file files lacks is nil, and ok.
func splitPresent(files Files, name string) (*fileText, bool) {
	data, ok := files[name]
	if !ok {
		return nil, true
	}
	f, ok := splitFile(inPlace(data)) // the entries are copied out by render
	return &f, ok
}

// unpaired pairs the entries two files hold alike, section by section, each text paired at most once, and returns
// per section of each file whether each entry is left without a pair: what that file holds that the other lacks.
// A missing file (nil) pairs nothing. The files Write makes are sorted alike, so nearly every entry pairs with the
// one at its own place in the other file; only the rest are looked up by text (comparing places is a memcmp of
// each file, where hashing every entry of two 25 MB files, both ways, was a third of a changed backup's summary).
func unpaired(o, n *fileText) (oldOnly, newOnly [][]bool) {
	oldOnly, newOnly = o.allUnpaired(), n.allUnpaired()
	if o == nil || n == nil {
		return oldOnly, newOnly
	}
	for i, os := range o.sections {
		j := slices.IndexFunc(n.sections, func(s sectionText) bool { return s.key == os.key })
		if j < 0 {
			continue
		}
		ns := n.sections[j]
		for k := range min(len(os.entries), len(ns.entries)) {
			if os.entries[k] == ns.entries[k] {
				oldOnly[i][k], newOnly[j][k] = false, false
			}
		}
		var rest map[string][]int // the new section's entries still unpaired, by text
		for k, e := range ns.entries {
			if newOnly[j][k] {
				if rest == nil {
					rest = map[string][]int{}
				}
				rest[e] = append(rest[e], k)
			}
		}
		for k, e := range os.entries {
			if at := rest[e]; oldOnly[i][k] && len(at) > 0 {
				oldOnly[i][k], newOnly[j][at[0]] = false, false
				rest[e] = at[1:]
			}
		}
	}
	return oldOnly, newOnly
}

// allUnpaired is unpaired's starting point for f: every entry of every section without a pair (nil for a nil f).
func (f *fileText) allUnpaired() [][]bool {
	if f == nil {
		return nil
	}
	marks := make([][]bool, len(f.sections))
	for i, s := range f.sections {
		marks[i] = make([]bool, len(s.entries))
		for k := range marks[i] {
			marks[i][k] = true
		}
	}
	return marks
}

// render returns f's header and the entries keep marks, section by section, as a file; nil when f is missing or
// keeps none.
func (f *fileText) render(keep [][]bool) []byte {
	if f == nil {
		return nil
	}
	var buf bytes.Buffer
	for i, s := range f.sections {
		written := false
		for k, e := range s.entries {
			if !keep[i][k] {
				continue
			}
			if !written {
				buf.WriteString(s.key + ":\n")
				written = true
			}
			buf.WriteString(e)
		}
	}
	if buf.Len() == 0 {
		return nil
	}
	return append([]byte(f.header), buf.Bytes()...)
}

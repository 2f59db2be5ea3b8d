// Package drift renders the difference between an environment's branch and its live gateway as the pull request
// a reviewer reads: a headline, a table per kind, each changed entity with only its changed fields, and the
// unified diff of the decK files folded away, cut to fit GitHub's limit.
package drift

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// MaxBody is GitHub's limit on a pull request body, in characters.
const MaxBody = 65536

// Labels every drift pull request carries, plus env:<connection>.
const Label = "kongsnap:drift"

// Report is what one environment's drift pull request says.
type Report struct {
	Connection string
	// Branch is the environment branch (the baseline) and BaselineCommit its head when the drift was seen.
	Branch         string
	BaselineCommit string
	// Changes is diff.Compare(baseline, live): "added" means added on the live gateway.
	Changes diff.Changes
	// Unified is the unified diff of the decK files, baseline to live.
	Unified string
	// RestoreWorkflow names the workflow that restores a connection, for the footer.
	RestoreWorkflow string
	// MaxChars caps the body; default MaxBody.
	MaxChars int
}

// Title is the pull request title: stable while the drift is the same, so an unchanged drift edits nothing.
func (r Report) Title() string {
	return fmt.Sprintf("Drift on %s: %s", r.Connection, r.Changes.Summary())
}

// Labels returns the pull request labels.
func (r Report) Labels() []string {
	return []string{Label, "env:" + r.Connection}
}

// Body renders the pull request body. It is deterministic: the same drift gives the same bytes, so a run that sees
// the same drift again sends no edit.
func (r Report) Body() string {
	limit := r.MaxChars
	if limit <= 0 {
		limit = MaxBody
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Drift on `%s`: %s\n\n", r.Connection, r.Changes.Summary())
	fmt.Fprintf(&b, "The live gateway no longer matches branch `%s` (snapshot `%s`). This pull request holds the live "+
		"configuration; below is what changed on the gateway, entity by entity.\n\n", r.Branch, short(r.BaselineCommit))
	writeCounts(&b, r.Changes)
	writeScopeWarnings(&b, r.Changes)
	writeEntities(&b, r.Changes)
	footer := r.footer()
	writeUnified(&b, r.Unified, limit-b.Len()-len(footer))
	b.WriteString(footer)
	return b.String()
}

func writeCounts(b *strings.Builder, changes diff.Changes) {
	counts := changes.Counts()
	b.WriteString("| kind | added on gateway | removed from gateway | changed |\n|---|---:|---:|---:|\n")
	for _, k := range snapshot.Kinds {
		c, ok := counts[k]
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %d | %d | %d |\n", k, c.Added, c.Removed, c.Changed)
	}
	b.WriteString("\n")
}

func writeScopeWarnings(b *strings.Builder, changes diff.Changes) {
	for _, c := range changes {
		if !c.ScopeChanged {
			continue
		}
		for _, f := range c.Fields {
			if f.Path == "scope" {
				fmt.Fprintf(b, "> [!WARNING]\n> **Plugin scope changed**: %s moved from %s to %s. A plugin's scope decides "+
					"which traffic it applies to; review this one first.\n\n", c.Identity, text(f.From), text(f.To))
			}
		}
	}
}

func writeEntities(b *strings.Builder, changes diff.Changes) {
	byKind := map[snapshot.Kind][]diff.Change{}
	for _, c := range changes {
		byKind[c.Kind] = append(byKind[c.Kind], c)
	}
	for _, k := range snapshot.Kinds {
		list := byKind[k]
		if len(list) == 0 {
			continue
		}
		fmt.Fprintf(b, "### %s\n\n", k)
		for _, c := range list {
			switch c.Action {
			case diff.Added:
				fmt.Fprintf(b, "- ➕ **added on the gateway**: %s\n", c.Identity)
			case diff.Removed:
				fmt.Fprintf(b, "- ➖ **removed from the gateway**: %s\n", c.Identity)
			case diff.Changed:
				fmt.Fprintf(b, "- ✏️ **changed**: %s\n\n", c.Identity)
				writeFields(b, c.Fields)
			}
		}
		b.WriteString("\n")
	}
}

func writeFields(b *strings.Builder, fields []diff.FieldChange) {
	b.WriteString("  | field | branch | live |\n  |---|---|---|\n")
	for _, f := range fields {
		from, to := value(f.From), value(f.To)
		if f.Secret {
			from, to = "🔒 secret", "🔒 changed"
		}
		switch f.Kind {
		case "added":
			from = "*(unset)*"
		case "removed":
			to = "*(unset)*"
		}
		fmt.Fprintf(b, "  | `%s` | %s | %s |\n", f.Path, from, to)
	}
	b.WriteString("\n")
}

// writeUnified adds the unified diff in a collapsed block, cut at a line boundary to fit budget characters.
func writeUnified(b *strings.Builder, unified string, budget int) {
	if unified == "" {
		return
	}
	const head, tail = "<details><summary>Unified diff of the decK files</summary>\n\n```diff\n", "```\n\n</details>\n\n"
	const cutNote = "\n> The diff above was cut to fit GitHub's pull request size limit; " +
		"run `kongsnap diff` or compare the branches for all of it.\n\n"
	room := budget - len(head) - len(tail)
	if room <= 0 {
		b.WriteString(cutNote)
		return
	}
	body, cut := unified, false
	if len(body) > room {
		room -= len(cutNote)
		if i := strings.LastIndexByte(body[:max(room, 0)], '\n'); i >= 0 {
			body = body[:i+1]
		} else {
			body = ""
		}
		cut = true
	}
	b.WriteString(head + body)
	if !strings.HasSuffix(body, "\n") && body != "" {
		b.WriteString("\n")
	}
	b.WriteString(tail)
	if cut {
		b.WriteString(cutNote)
	}
}

func (r Report) footer() string {
	workflow := r.RestoreWorkflow
	if workflow == "" {
		workflow = "kongsnap restore"
	}
	return fmt.Sprintf("---\n**To accept** this drift as the new baseline, merge this pull request.\n\n"+
		"**To revert** the gateway to the baseline, close this pull request and restore snapshot `%s`: run the "+
		"*%s* workflow with connection `%s` and sha `%s`, or\n\n```sh\nkongsnap restore --connection %s --to %s --dry-run\n"+
		"kongsnap restore --connection %s --to %s --yes\n```\n",
		short(r.BaselineCommit), workflow, r.Connection, r.BaselineCommit, r.Connection, r.BaselineCommit,
		r.Connection, r.BaselineCommit)
}

// value renders a field value compactly for a table cell.
func value(v any) string {
	if v == nil {
		return "*(null)*"
	}
	s := text(v)
	if len(s) > 120 {
		s = s[:117] + "…"
	}
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", "⏎") + "`"
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = text(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + text(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

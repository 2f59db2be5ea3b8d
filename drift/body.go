// Package drift renders the difference between an environment's branch and its live gateway as the pull request
// a reviewer reads (PullRequestBody): when and where it was seen, the counts per kind, each changed entity with
// only its changed fields, and the unified diff of the decK files folded away. The body always fits GitHub's
// limit: what has no room is counted, never cut mid-way.
package drift

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// MaxBody is GitHub's limit on a pull request body, in characters.
const MaxBody = 65536

// Labels every drift pull request carries, plus env:<connection>.
const Label = "kongsnap:drift"

// PullRequestBody is what one environment's drift pull request says: its title, labels and body.
type PullRequestBody struct {
	Connection string
	// Branch is the environment branch (the baseline) and BaselineCommit its head when the drift was seen.
	Branch         string
	BaselineCommit string
	// DriftBranch holds the live configuration; the body sends readers there for what it had no room to list.
	DriftBranch string
	// Changes is diff.Compare(baseline, live): "added" means added on the live gateway.
	Changes diff.Changes
	// Unified is the unified diff of the decK files, baseline to live.
	Unified string
	// DetectedAt is when this drift was first seen, and RunURL the run that saw it (empty outside GitHub Actions).
	// Both belong to the drift, not to the run rendering it, so the same drift renders the same bytes.
	DetectedAt time.Time
	RunURL     string
	// RestoreWorkflow is the workflow file that restores a connection (kongsnap-restore.yml), for the footer.
	RestoreWorkflow string
	// Rejected, when set, is the drift pull request (its URL) a reviewer closed without merging before this one.
	Rejected string
	// MaxChars caps the body; default MaxBody.
	MaxChars int
}

// DefaultRestoreWorkflow is the restore workflow file `kongsnap init` writes, named in the footer's gh command.
const DefaultRestoreWorkflow = "kongsnap-restore.yml"

// maxTitle keeps a title with many kinds readable; GitHub cuts titles at 256 characters.
const maxTitle = 200

// Title is the pull request title: stable while the drift is the same, so an unchanged drift edits nothing.
func (r PullRequestBody) Title() string {
	title := fmt.Sprintf("Drift on %s: %s", r.Connection, r.Changes.Summary())
	if len(title) > maxTitle {
		title = fmt.Sprintf("Drift on %s: %d changes across %d kinds", r.Connection, len(r.Changes), len(r.Changes.Counts()))
	}
	return title
}

// Labels returns the pull request labels.
func (r PullRequestBody) Labels() []string {
	return []string{Label, "env:" + r.Connection}
}

// Body renders the pull request body; it never repeats the title. It is deterministic: the same drift gives the
// same bytes, so a run that sees the same drift again sends no edit. It always fits MaxChars (counted in bytes,
// which is never fewer than GitHub's characters): the counts per kind and the footer always show; the entity list
// and the unified diff share the rest, the list first, and what has no room is counted ("and 1,187 more consumers
// added, see the branch").
func (r PullRequestBody) Body() string {
	limit := r.MaxChars
	if limit <= 0 {
		limit = MaxBody
	}
	var head strings.Builder
	fmt.Fprintf(&head, "The live gateway of `%s` no longer matches branch `%s` (snapshot `%s`). This pull request holds "+
		"the live configuration; below is what changed on the gateway, entity by entity.\n\n",
		r.Connection, r.Branch, short(r.BaselineCommit))
	if !r.DetectedAt.IsZero() {
		fmt.Fprintf(&head, "Drift detected %s", r.DetectedAt.UTC().Format("2006-01-02 15:04 UTC"))
		if r.RunURL != "" {
			fmt.Fprintf(&head, " by [this run](%s)", r.RunURL)
		}
		head.WriteString(".\n\n")
	}
	if r.Rejected != "" {
		fmt.Fprintf(&head, "> A different drift than the one rejected in %s (closed without merging).\n\n", r.Rejected)
	}
	writeCounts(&head, r.Changes)
	footer := r.footer()
	room := limit - head.Len() - len(footer)
	// The list may take all the room the unified diff does not need, but leaves the diff at least a quarter.
	listRoom := room - min(len(r.Unified)+unifiedFrame, room/4)
	var b strings.Builder
	b.WriteString(head.String())
	writeList(&b, r.Changes, listRoom, r.seeBranch())
	writeUnified(&b, r.Unified, limit-b.Len()-len(footer))
	b.WriteString(footer)
	return b.String()
}

func (r PullRequestBody) seeBranch() string {
	if r.DriftBranch == "" {
		return "see the drift branch"
	}
	return "see branch `" + r.DriftBranch + "`"
}

func writeCounts(b *strings.Builder, changes diff.Changes) {
	counts := changes.Counts()
	b.WriteString("| kind | added on gateway | removed from gateway | changed |\n|---|---:|---:|---:|\n")
	for _, k := range snapshot.Kinds {
		c, ok := counts[k]
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %d | %d | %d |\n", plural(k), c.Added, c.Removed, c.Changed)
	}
	b.WriteString("\n")
}

// plural names a kind as people say it: "services", "key-auth credentials", "CA certificates".
func plural(k snapshot.Kind) string { return k.Singular() + "s" }

// writeList writes the scope warnings and the entities kind by kind within budget bytes. Entities that do not fit
// are counted per kind and action instead; room for those counts is kept aside as the list grows.
func writeList(b *strings.Builder, changes diff.Changes, budget int, seeBranch string) {
	var list strings.Builder
	left := map[snapshot.Kind]*diff.Counts{}
	reserve := func() int {
		return len(left) * 3 * (len(moreNote(snapshot.KindBasicAuth, diff.Changed, 1_000_000, seeBranch)) + 1)
	}
	for _, c := range changes {
		if left[c.Kind] == nil {
			left[c.Kind] = &diff.Counts{}
		}
		count(left[c.Kind], c.Action, 1)
	}
	full := false
	add := func(s string) bool {
		if full || list.Len()+len(s)+reserve() > budget {
			full = true
			return false
		}
		list.WriteString(s)
		return true
	}
	for _, c := range changes {
		if c.ScopeChanged {
			add(scopeWarning(c))
		}
	}
	full = false
	byKind := map[snapshot.Kind][]diff.Change{}
	for _, c := range changes {
		byKind[c.Kind] = append(byKind[c.Kind], c)
	}
	for _, k := range snapshot.Kinds {
		kindChanges := byKind[k]
		if len(kindChanges) == 0 {
			continue
		}
		listed := add(fmt.Sprintf("### %s\n\n", capitalise(plural(k))))
		for _, c := range kindChanges {
			if !listed || !add(entity(c)) {
				break
			}
			count(left[k], c.Action, -1)
		}
		rest := *left[k]
		delete(left, k) // its notes are written now, from the room kept for them
		for _, a := range []diff.Action{diff.Added, diff.Removed, diff.Changed} {
			if n := pick(&rest, a); n > 0 {
				list.WriteString(moreNote(k, a, n, seeBranch) + "\n")
			}
		}
		if listed {
			list.WriteString("\n")
		}
	}
	b.WriteString(list.String())
}

func count(c *diff.Counts, a diff.Action, n int) {
	switch a {
	case diff.Added:
		c.Added += n
	case diff.Removed:
		c.Removed += n
	default:
		c.Changed += n
	}
}

func pick(c *diff.Counts, a diff.Action) int {
	switch a {
	case diff.Added:
		return c.Added
	case diff.Removed:
		return c.Removed
	}
	return c.Changed
}

// moreNote counts what the list had no room for: "- … and 1,187 more consumers added on the gateway, see …".
func moreNote(k snapshot.Kind, a diff.Action, n int, seeBranch string) string {
	noun := k.Singular()
	if n != 1 {
		noun = plural(k)
	}
	what := map[diff.Action]string{diff.Added: "added on the gateway", diff.Removed: "removed from the gateway",
		diff.Changed: "changed"}[a]
	return fmt.Sprintf("- … and %s more %s %s (no room to list them here; %s)", thousands(n), noun, what, seeBranch)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func capitalise(s string) string {
	if s == "" || strings.ToUpper(s[:1]) == s[:1] {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func entity(c diff.Change) string {
	var b strings.Builder
	switch c.Action {
	case diff.Added:
		fmt.Fprintf(&b, "- ➕ **added on the gateway**: %s\n", c.Identity)
	case diff.Removed:
		fmt.Fprintf(&b, "- ➖ **removed from the gateway**: %s\n", c.Identity)
	case diff.Changed:
		fmt.Fprintf(&b, "- ✏️ **changed**: %s\n\n", c.Identity)
		writeFields(&b, c.Fields)
	}
	return b.String()
}

// scopeWarning flags a plugin that moved between scopes: it now applies to other traffic.
func scopeWarning(c diff.Change) string {
	var b strings.Builder
	for _, f := range c.Fields {
		if f.Path == "scope" {
			fmt.Fprintf(&b, "> [!WARNING]\n> **Plugin scope changed**: %s moved from %s to %s. A plugin's scope decides "+
				"which traffic it applies to; review this one first.\n\n", c.Identity, text(f.From), text(f.To))
		}
	}
	return b.String()
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

const (
	unifiedHead  = "<details><summary>Unified diff of the decK files</summary>\n\n```diff\n"
	unifiedTail  = "```\n\n</details>\n\n"
	cutNote      = "\n> The diff above was cut to fit GitHub's pull request size limit; run `kongsnap diff` or compare the branches for all of it.\n\n"
	unifiedFrame = len(unifiedHead) + len(unifiedTail) + len(cutNote) + 1
)

// writeUnified adds the unified diff in a collapsed block, cut at a line boundary to fit budget characters.
func writeUnified(b *strings.Builder, unified string, budget int) {
	if unified == "" {
		return
	}
	head, tail := unifiedHead, unifiedTail
	room := budget - len(head) - len(tail)
	if room <= 0 {
		if budget >= len(cutNote) {
			b.WriteString(cutNote)
		}
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

func (r PullRequestBody) footer() string {
	workflow := r.RestoreWorkflow
	if workflow == "" {
		workflow = DefaultRestoreWorkflow
	}
	gh := fmt.Sprintf("gh workflow run %s -f connection=%s -f ref=%s", workflow, r.Connection, r.BaselineCommit)
	return fmt.Sprintf("---\n**To accept** this drift as the new baseline, merge this pull request.\n\n"+
		"**To revert** the gateway to the baseline, close this pull request and restore snapshot `%s` with the "+
		"restore workflow: the first command plans (anyone may), the second applies after the environment's approval.\n\n"+
		"```sh\n%s\n%s -f apply=true\n```\n\nOr from a checkout of this repository:\n\n"+
		"```sh\nkongsnap restore --connection %s --to %s --dry-run\nkongsnap restore --connection %s --to %s --yes\n```\n",
		short(r.BaselineCommit), gh, gh, r.Connection, r.BaselineCommit, r.Connection, r.BaselineCommit)
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

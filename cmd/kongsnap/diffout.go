package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/report"
)

// diffJSON is `kongsnap diff --output json` and the diff's --report file.
type diffJSON struct {
	SchemaVersion int          `json:"schema_version"`
	Command       string       `json:"command"`
	Connection    string       `json:"connection"`
	Ref           string       `json:"ref"`
	Commit        string       `json:"commit"`
	Drift         bool         `json:"drift"`
	Summary       string       `json:"summary"`
	Changes       []changeJSON `json:"changes"`
}

// entityJSON is an entity's identity wherever a JSON document names one.
type entityJSON struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
	// Scope is what the entity belongs to: "global" or `route "orders"` for a plugin, the service of an unnamed
	// route, the consumer of a credential; empty for top-level entities.
	Scope string `json:"scope"`
}

type changeJSON struct {
	Entity   entityJSON  `json:"entity"`
	Action   string      `json:"action"`
	Identity string      `json:"identity"`
	Fields   []fieldJSON `json:"fields"`
}

type fieldJSON struct {
	Path   string `json:"path"`
	Change string `json:"change"`
	From   any    `json:"from"`
	To     any    `json:"to"`
	Secret bool   `json:"secret"`
}

func newDiffJSON(res *app.DiffResult) diffJSON {
	out := diffJSON{SchemaVersion: report.SchemaVersion, Command: "diff", Connection: res.Connection, Ref: res.Ref,
		Commit: res.Commit, Drift: res.Drift, Summary: res.Summary, Changes: []changeJSON{}}
	for _, c := range res.Changes {
		ch := changeJSON{Entity: entityJSON{Kind: string(c.Kind), ID: c.ID, Name: c.Name, Scope: scopeOf(c.Identity)},
			Action: string(c.Action), Identity: c.Identity, Fields: []fieldJSON{}}
		for _, f := range c.Fields {
			ch.Fields = append(ch.Fields, fieldJSON{Path: f.Path, Change: string(f.Kind), From: f.From, To: f.To, Secret: f.Secret})
		}
		out.Changes = append(out.Changes, ch)
	}
	return out
}

// scopeOf reads the scope out of an identity (`plugin "cors" on route "orders"`, `key-auth credential 5c1e… of
// consumer "alice"`): what follows the entity's own quoted name or id.
func scopeOf(identity string) string {
	if strings.HasSuffix(identity, " (global)") {
		return "global"
	}
	rest := identity
	sep := func(s string) int { // the first " on ", " of " or " in ", and its length
		first := -1
		for _, sep := range []string{" on ", " of ", " in "} {
			if i := strings.Index(s, sep); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
		return first
	}
	// The entity's own name is quoted and may hold a separator; skip it when it comes first.
	if q := strings.IndexByte(rest, '"'); q >= 0 && (sep(rest) < 0 || q < sep(rest)) {
		if name, err := strconv.QuotedPrefix(rest[q:]); err == nil {
			rest = rest[q+len(name):]
		}
	}
	if i := sep(rest); i >= 0 {
		return rest[i+4:]
	}
	return ""
}

// publishDiff shows a comparison: text (coloured on a terminal) or JSON on stdout, the JSON report file, and under
// GitHub Actions a step summary and a warning annotation on drift.
func (g *globals) publishDiff(res *app.DiffResult, reportPath, output string) error {
	g.endProgress()
	doc := newDiffJSON(res)
	asJSON := output == "json" || reportPath == "-"
	if asJSON {
		if err := writeJSON(g.stdout, doc); err != nil {
			return err
		}
	} else {
		writeDiffText(g.stdout, res, g.colours())
	}
	if reportPath != "" && reportPath != "-" {
		if err := writeJSONFile(reportPath, doc); err != nil {
			return err
		}
	}
	if err := appendStepSummary(g.getenv, diffMarkdown(res)); err != nil {
		return err
	}
	if g.getenv("GITHUB_ACTIONS") == "true" && res.Drift {
		w := g.stdout
		if asJSON {
			w = g.stderr
		}
		fmt.Fprintf(w, "::warning title=kongsnap diff %s: drift::%s differs from %s: %s\n", res.Connection, res.Connection,
			res.Ref, res.Summary)
	}
	return nil
}

func writeDiffText(w io.Writer, res *app.DiffResult, p palette) {
	if !res.Drift {
		fmt.Fprintf(w, "%s: no drift from %s (%s)\n", res.Connection, res.Ref, shortSHA(res.Commit))
		return
	}
	fmt.Fprintf(w, "%s: live differs from %s (%s): %s\n\n", res.Connection, res.Ref, shortSHA(res.Commit), res.Summary)
	for _, ch := range res.Changes {
		switch ch.Action {
		case diff.Added:
			fmt.Fprintf(w, "%s %s\n", p.green("+ added on gateway:"), ch.Identity)
		case diff.Removed:
			fmt.Fprintf(w, "%s %s\n", p.red("- removed from gateway:"), ch.Identity)
		default:
			fmt.Fprintf(w, "%s %s\n", p.yellow("~ changed:"), ch.Identity)
		}
		for _, f := range ch.Fields {
			if f.Secret {
				fmt.Fprintf(w, "    %s: (secret changed)\n", f.Path)
				continue
			}
			fmt.Fprintf(w, "    %s: %s → %s\n", f.Path, p.red(compact(f.From)), p.green(compact(f.To)))
		}
	}
}

// diffMarkdown is the step summary of a diff: the verdict and the counts per kind and action.
func diffMarkdown(res *app.DiffResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### kongsnap diff %s\n\n", res.Connection)
	if !res.Drift {
		fmt.Fprintf(&b, "✅ No drift from `%s` (`%s`).\n", res.Ref, shortSHA(res.Commit))
		return b.String()
	}
	fmt.Fprintf(&b, "⚠️ The live gateway differs from `%s` (`%s`): %s.\n\n", res.Ref, shortSHA(res.Commit), res.Summary)
	b.WriteString("| kind | added on gateway | removed from gateway | changed |\n|---|---:|---:|---:|\n")
	type counts struct{ added, removed, changed int }
	var order []string
	byKind := map[string]*counts{}
	for _, c := range res.Changes {
		name := c.Kind.Singular() + "s"
		if byKind[name] == nil {
			byKind[name] = &counts{}
			order = append(order, name)
		}
		switch c.Action {
		case diff.Added:
			byKind[name].added++
		case diff.Removed:
			byKind[name].removed++
		default:
			byKind[name].changed++
		}
	}
	for _, name := range order {
		n := byKind[name]
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", name, n.added, n.removed, n.changed)
	}
	return b.String()
}

func compact(v any) string {
	if v == nil {
		return "null"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// writeJSONFile writes v to path through a temporary file, so a reader never sees half a document.
func writeJSONFile(path string, v any) error {
	return report.WriteFile(path, func(w io.Writer) error { return writeJSON(w, v) })
}

// appendStepSummary appends Markdown to $GITHUB_STEP_SUMMARY; outside GitHub Actions it does nothing.
func appendStepSummary(getenv func(string) string, markdown string) error {
	path := getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing step summary: %w", err)
	}
	if _, err := io.WriteString(f, markdown+"\n"); err != nil {
		f.Close()
		return fmt.Errorf("writing step summary: %w", err)
	}
	return f.Close()
}

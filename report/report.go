// Package report records what a kongsnap run did to each connection and shows it where people look: a table on
// the terminal (its status words coloured there), a JSON file (schema_version SchemaVersion), a GitHub step summary
// with counts per kind and action, and GitHub Actions annotations (errors for failures, warnings for drift).
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Status is where one connection's run stands.
type Status string

// A connection moves pending → running → completed | unchanged | failed, or is skipped when it is not due. A drift
// run reports rejected drift while the gateway still holds a drift a reviewer closed without merging.
const (
	Pending   Status = "pending"
	Running   Status = "running"
	Completed Status = "completed"
	Unchanged Status = "unchanged"
	Failed    Status = "failed"
	Skipped   Status = "skipped"
	Rejected  Status = "rejected drift"
	// Planned is a restore that showed its plan and applied nothing: a dry run, or a plan no one confirmed.
	Planned Status = "planned"
)

// Result is one connection's outcome.
type Result struct {
	Connection  string `json:"connection"`
	Status      Status `json:"status"`
	Reason      string `json:"reason,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Commit      string `json:"commit,omitempty"`
	Tag         string `json:"tag,omitempty"`
	Branch      string `json:"branch,omitempty"`
	KongVersion string `json:"kong_version,omitempty"`
	Entities    int    `json:"entities,omitempty"`
	Drift       bool   `json:"drift,omitempty"`
	PullRequest string `json:"pull_request,omitempty"`
	// Counts is the drift (added, removed, changed) or the restore plan (create, update, delete) per kind, in
	// the order shown.
	Counts   []Count       `json:"counts,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Operations are a restore's operations by outcome; nil for other commands.
	Operations *Operations `json:"operations,omitempty"`
}

// Operations lists a restore's operations by what became of them. Rejected ones were refused by the gateway's
// validation before anything was written; failed ones by the gateway while applying; unknown ones were sent and
// never answered (the gateway may or may not have applied them); not applied ones were never sent.
type Operations struct {
	Applied    []Operation `json:"applied"`
	Failed     []Operation `json:"failed"`
	Unknown    []Operation `json:"unknown"`
	NotApplied []Operation `json:"not_applied"`
	Rejected   []Operation `json:"rejected,omitempty"`
}

// Operation is one operation of a restore plan: its step (1-based, as the plan lists it), what it does, and the
// gateway's message when it failed.
type Operation struct {
	Step      int    `json:"step"`
	Operation string `json:"operation"`
	Error     string `json:"error,omitempty"`
}

func (o *Operations) scrub(secrets []string) {
	for _, list := range [][]Operation{o.Applied, o.Failed, o.Unknown, o.NotApplied, o.Rejected} {
		for i := range list {
			list[i].Operation, list[i].Error = Scrub(list[i].Operation, secrets), Scrub(list[i].Error, secrets)
		}
	}
}

// SchemaVersion is the version of every JSON document kongsnap prints or writes (run reports, --output json). It
// changes only when a key is removed or changes meaning; new keys may appear in any version.
const SchemaVersion = 1

// Count is how many entities of one kind one action touches.
type Count struct {
	Kind   string `json:"kind"`
	Action string `json:"action"`
	Count  int    `json:"count"`
}

// Report is the outcome of one run over several connections. It is safe for concurrent use.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	Command       string    `json:"command"`
	RunID         string    `json:"run_id"`
	Trigger       string    `json:"trigger"`
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished"`
	Results       []Result  `json:"results"`

	mu       sync.Mutex
	secrets  []string
	onChange func(Result)
}

// New starts a report. Every string in secrets is replaced by "***" wherever the report shows text, a last line
// of defence behind code that never puts a credential in an error in the first place. onChange, when not nil, is
// called on every status change.
func New(command, runID, trigger string, started time.Time, secrets []string, onChange func(Result)) *Report {
	return &Report{SchemaVersion: SchemaVersion, Results: []Result{}, Command: command, RunID: runID, Trigger: trigger, Started: started, secrets: secrets, onChange: onChange}
}

// Set records a connection's result, replacing an earlier one for the same connection.
func (r *Report) Set(res Result) {
	res.Reason = Scrub(res.Reason, r.secrets)
	res.Summary = Scrub(res.Summary, r.secrets)
	if res.Operations != nil {
		res.Operations.scrub(r.secrets)
	}
	r.mu.Lock()
	replaced := false
	for i := range r.Results {
		if r.Results[i].Connection == res.Connection {
			r.Results[i] = res
			replaced = true
		}
	}
	if !replaced {
		r.Results = append(r.Results, res)
	}
	sort.Slice(r.Results, func(i, j int) bool { return r.Results[i].Connection < r.Results[j].Connection })
	r.mu.Unlock()
	if r.onChange != nil {
		r.onChange(res)
	}
}

// Finish stamps the end of the run.
func (r *Report) Finish(at time.Time) {
	r.mu.Lock()
	r.Finished = at
	r.mu.Unlock()
}

// Failed reports whether any connection failed.
func (r *Report) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, res := range r.Results {
		if res.Status == Failed {
			return true
		}
	}
	return false
}

// Snapshot returns a copy of the results.
func (r *Report) Snapshot() []Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Result(nil), r.Results...)
}

// Scrub replaces every occurrence of each secret in s with "***".
func Scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// WriteTable prints one line per connection.
func (r *Report) WriteTable(w io.Writer) error { return r.WriteColourTable(w, nil) }

// WriteColourTable is WriteTable with each status word passed through colour (nil for none), for a terminal.
// colour must add the same number of bytes to every word, the header included, so the columns stay aligned.
func (r *Report) WriteColourTable(w io.Writer, colour func(header bool, s Status) string) error {
	if colour == nil {
		colour = func(_ bool, s Status) string { return string(s) }
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CONNECTION\t%s\tENTITIES\tCOMMIT\tDETAIL\n", colour(true, "STATUS"))
	for _, res := range r.Snapshot() {
		detail := res.Summary
		if res.Reason != "" {
			detail = res.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", res.Connection, colour(false, res.Status), count(res.Entities), short(res.Commit), detail)
	}
	return tw.Flush()
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteJSONFile writes the report to path, replacing it atomically so a reader never sees half a report.
func (r *Report) WriteJSONFile(path string) error {
	return WriteFile(path, r.WriteJSON)
}

// WriteFile writes a document to path through a temporary file renamed into place, so a reader never sees half of
// it.
func WriteFile(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// Markdown renders the report for a GitHub step summary.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### kongsnap %s\n\n", r.Command)
	b.WriteString("| connection | status | entities | commit | detail |\n|---|---|---|---|---|\n")
	for _, res := range r.Snapshot() {
		detail := res.Summary
		if res.Reason != "" {
			detail = res.Reason
		}
		detail = escapeCell(detail)
		if res.PullRequest != "" {
			detail = strings.TrimSpace(detail + " " + link(res.PullRequest))
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s | %s |\n", res.Connection, icon(res.Status), res.Status,
			count(res.Entities), code(short(res.Commit)), detail)
	}
	for _, res := range r.Snapshot() {
		writeCounts(&b, res)
	}
	return b.String()
}

// link shows a pull request as a link; a rendered file (no GitHub) as its path.
func link(url string) string {
	if strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://") {
		return "[pull request](" + url + ")"
	}
	return code(url)
}

// writeCounts adds a connection's table of counts per kind and action: its drift, or its restore plan.
func writeCounts(b *strings.Builder, res Result) {
	if len(res.Counts) == 0 {
		return
	}
	var kinds, actions []string
	cells := map[[2]string]int{}
	for _, c := range res.Counts {
		if !slices.Contains(kinds, c.Kind) {
			kinds = append(kinds, c.Kind)
		}
		if !slices.Contains(actions, c.Action) {
			actions = append(actions, c.Action)
		}
		cells[[2]string{c.Kind, c.Action}] += c.Count
	}
	what := "changes"
	if res.Drift {
		what = "drift"
	} else if slices.Contains(actions, "create") || slices.Contains(actions, "update") || slices.Contains(actions, "delete") {
		what = "plan"
	}
	fmt.Fprintf(b, "\n#### %s: %s\n\n| kind | %s |\n|---|%s\n", res.Connection, what, strings.Join(actions, " | "),
		strings.Repeat("---:|", len(actions)))
	for _, k := range kinds {
		row := make([]string, len(actions))
		for i, a := range actions {
			row[i] = fmt.Sprint(cells[[2]string{k, a}])
		}
		fmt.Fprintf(b, "| %s | %s |\n", k, strings.Join(row, " | "))
	}
}

// AppendStepSummary appends the Markdown report to the file GitHub Actions names in GITHUB_STEP_SUMMARY; it does
// nothing outside Actions.
func (r *Report) AppendStepSummary(getenv func(string) string) error {
	path := getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing step summary: %w", err)
	}
	if _, err := io.WriteString(f, r.Markdown()+"\n"); err != nil {
		f.Close()
		return fmt.Errorf("writing step summary: %w", err)
	}
	return f.Close()
}

// WriteAnnotations prints a GitHub Actions ::error:: line for each failed connection and a ::warning:: line for
// each drifted one, so both show on the run page without opening the log.
func (r *Report) WriteAnnotations(w io.Writer) {
	for _, res := range r.Snapshot() {
		switch {
		case res.Status == Failed:
			fmt.Fprintf(w, "::error title=kongsnap %s %s failed::%s\n", r.Command, res.Connection, escapeAnnotation(res.Reason))
		case res.Drift:
			msg := res.Summary
			if res.PullRequest != "" {
				msg += " (" + res.PullRequest + ")"
			}
			fmt.Fprintf(w, "::warning title=kongsnap %s %s: drift::%s\n", r.Command, res.Connection, escapeAnnotation(msg))
		}
	}
}

func escapeAnnotation(s string) string {
	s = strings.ReplaceAll(s, "%", "%25")
	s = strings.ReplaceAll(s, "\r", "%0D")
	return strings.ReplaceAll(s, "\n", "%0A")
}

func escapeCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

func icon(s Status) string {
	switch s {
	case Completed:
		return "✅"
	case Unchanged, Planned:
		return "➖"
	case Failed:
		return "❌"
	case Skipped:
		return "⏭️"
	case Rejected:
		return "🚫"
	}
	return "⏳"
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func count(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

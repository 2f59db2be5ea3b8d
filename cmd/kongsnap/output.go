package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/report"
)

// publish shows a run's report everywhere people look and turns a failed connection into a failed command: the
// table (or, with --output json or --report -, the JSON report) on stdout, the JSON file, the GitHub step summary
// and annotations.
func (g *globals) publish(rep *report.Report, reportPath, output string) error {
	g.endProgress()
	asJSON := output == "json" || reportPath == "-"
	var err error
	if asJSON {
		err = rep.WriteJSON(g.stdout)
	} else {
		err = rep.WriteColourTable(g.stdout, g.colours().status)
	}
	if err != nil {
		return err
	}
	if err := g.publishElsewhere(rep, reportPath, asJSON); err != nil {
		return err
	}
	if rep.Failed() {
		where := "the table above"
		if asJSON {
			where = "the report"
		}
		return fmt.Errorf("%s failed for at least one connection (see %s)", rep.Command, where)
	}
	return nil
}

// publishRestore is publish for restore, whose plan app.Restore has already printed.
func (g *globals) publishRestore(rep *report.Report, reportPath, output string) error {
	g.endProgress()
	asJSON := output == "json" || reportPath == "-"
	if asJSON {
		if err := rep.WriteJSON(g.stdout); err != nil {
			return err
		}
	}
	return g.publishElsewhere(rep, reportPath, asJSON)
}

// publishElsewhere writes the report file, the step summary and the annotations. Annotations go to stderr when
// stdout carries JSON, so that it stays parseable (the runner reads workflow commands from both).
func (g *globals) publishElsewhere(rep *report.Report, reportPath string, stdoutIsJSON bool) error {
	if reportPath != "" && reportPath != "-" {
		if err := rep.WriteJSONFile(reportPath); err != nil {
			return err
		}
	}
	if err := rep.AppendStepSummary(g.getenv); err != nil {
		return err
	}
	if g.getenv("GITHUB_ACTIONS") == "true" {
		var w io.Writer = g.stdout
		if stdoutIsJSON {
			w = g.stderr
		}
		rep.WriteAnnotations(w)
	}
	return nil
}

// progress shows each connection's status as it changes, on stderr, so a person watching a run (or its log) sees
// which connection is pending, running, done or failed.
func (g *globals) progress(r report.Result) {
	line := fmt.Sprintf("%s: %s", r.Connection, r.Status)
	if r.Duration > 0 {
		line += fmt.Sprintf(" in %s", r.Duration.Round(time.Millisecond))
	}
	if r.Reason != "" {
		line += ": " + r.Reason
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.live.clear()
	fmt.Fprintln(g.stderr, line)
}

func (g *globals) writeLog(connection string, entries []app.LogEntry, output string) error {
	if output == "json" {
		return writeJSON(g.stdout, newLogJSON(connection, entries))
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMIT\tTIME\tKONG\tENTITIES\tTRIGGER\tSUMMARY")
	for _, e := range entries {
		fmt.Fprintf(tw, "%.12s\t%s\t%s\t%s\t%s\t%s\n", e.Commit, e.Time.UTC().Format("2006-01-02 15:04:05Z"),
			e.KongVersion, e.Entities, e.Trigger, e.Summary)
	}
	return tw.Flush()
}

func (g *globals) show(ctx context.Context, env *app.Env, opts showOptions) error {
	if opts.Output != "json" || opts.File != "" {
		return app.Show(ctx, env, opts.Ref, opts.File)
	}
	info, err := app.ReadSnapshot(ctx, env, opts.Ref)
	if err != nil {
		return err
	}
	return writeJSON(g.stdout, newShowJSON(opts.Ref, info))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// status colours a status word: green done, red failed, yellow running, grey unchanged or skipped.
func (p palette) status(header bool, s report.Status) string {
	switch {
	case header:
		return p.plain(string(s))
	case s == report.Completed:
		return p.green(string(s))
	case s == report.Failed:
		return p.red(string(s))
	case s == report.Unchanged || s == report.Skipped:
		return p.dim(string(s))
	}
	return p.yellow(string(s))
}

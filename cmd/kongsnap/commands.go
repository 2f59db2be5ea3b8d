package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"
	"text/tabwriter"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/report"
)

func runBackup(ctx context.Context, g *globals, args []string) error {
	var opts app.BackupOptions
	var conns stringList
	var reportPath string
	flags := g.newFlags("backup", "[--connection NAME]... [--all] [--message TEXT] [--report FILE]")
	flags.Var(&conns, "connection", "connection to back up, whatever its schedule (repeatable)")
	flags.BoolVar(&opts.All, "all", false, "back up every enabled connection, due or not")
	flags.StringVar(&opts.Message, "message", "", "paragraph added to every commit this run makes")
	flags.StringVar(&opts.Trigger, "trigger", "", "recorded in the commit trailer: schedule or manual (default: schedule under a scheduled GitHub workflow, else manual)")
	flags.DurationVar(&opts.Window, "window", 0, "period of the scheduler running kongsnap; a connection is due when its cron fires within it (default 1h)")
	flags.IntVar(&opts.Parallelism, "parallelism", 4, "connections read at once")
	flags.StringVar(&reportPath, "report", "", "also write the run report as JSON to this file")
	if err := parse(flags, args); err != nil {
		return err
	}
	opts.Connections = conns
	opts.OnChange = g.progress
	if opts.Trigger == "" && g.getenv("GITHUB_EVENT_NAME") == "schedule" {
		opts.Trigger = app.TriggerSchedule
	}
	env, err := g.env(false)
	if err != nil {
		return err
	}
	rep, err := app.Backup(ctx, env, opts)
	if err != nil {
		return err
	}
	return publish(g, rep, reportPath, "backup")
}

func runDump(ctx context.Context, g *globals, args []string) error {
	opts := app.DumpOptions{Headers: headerList{}}
	flags := g.newFlags("dump", "(--connection NAME | --admin-url URL) -o DIR|-")
	flags.StringVar(&opts.Connection, "connection", "", "connection from the config file")
	flags.StringVar(&opts.AdminURL, "admin-url", "", "Kong Admin API URL, instead of a configured connection")
	flags.Var(headerList(opts.Headers), "header", "extra request header 'Name: value' for --admin-url (repeatable)")
	flags.StringVar(&opts.Output, "o", "", "output directory, or - for one merged decK file on stdout")
	flags.StringVar(&opts.Secrets, "secrets", "", "encrypt (default), redact or plain")
	if err := parse(flags, args); err != nil {
		return err
	}
	if (opts.Connection == "") == (opts.AdminURL == "") || opts.Output == "" {
		flags.Usage()
		return errUsage
	}
	env, err := g.env(opts.AdminURL != "")
	if err != nil {
		return err
	}
	return app.Dump(ctx, env, opts)
}

func runLog(ctx context.Context, g *globals, args []string) error {
	var connection string
	var limit int
	flags := g.newFlags("log", "--connection NAME [-n N]")
	flags.StringVar(&connection, "connection", "", "connection whose snapshots to list")
	flags.IntVar(&limit, "n", 20, "how many snapshots, newest first")
	if err := parse(flags, args); err != nil {
		return err
	}
	if connection == "" {
		flags.Usage()
		return errUsage
	}
	env, err := g.env(false)
	if err != nil {
		return err
	}
	entries, err := app.Log(ctx, env, connection, limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMIT\tTIME\tKONG\tENTITIES\tTRIGGER\tSUMMARY")
	for _, e := range entries {
		fmt.Fprintf(tw, "%.12s\t%s\t%s\t%s\t%s\t%s\n", e.Commit, e.Time.UTC().Format("2006-01-02 15:04:05Z"),
			e.KongVersion, e.Entities, e.Trigger, e.Summary)
	}
	return tw.Flush()
}

func runShow(ctx context.Context, g *globals, args []string) error {
	flags := g.newFlags("show", "REF [--file NAME]")
	var file string
	flags.StringVar(&file, "file", "", "print this file of the snapshot instead of its summary")
	if err := parse(flags, args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return errUsage
	}
	env, err := g.env(false)
	if err != nil {
		return err
	}
	return app.Show(ctx, env, flags.Arg(0), file)
}

// publish shows a run's report everywhere people look and turns a failed connection into a failed command.
func publish(g *globals, rep *report.Report, reportPath, command string) error {
	if err := rep.WriteTable(g.stdout); err != nil {
		return err
	}
	if reportPath != "" {
		if err := rep.WriteJSONFile(reportPath); err != nil {
			return err
		}
	}
	if err := rep.AppendStepSummary(g.getenv); err != nil {
		return err
	}
	if g.getenv("GITHUB_ACTIONS") == "true" {
		rep.WriteAnnotations(g.stdout)
	}
	if rep.Failed() {
		return fmt.Errorf("%s failed for at least one connection (see the table above)", command)
	}
	return nil
}

// progress shows each connection's status as it changes, on stderr, so a person watching a run (or its log) sees
// which connection is pending, running, done or failed.
func (g *globals) progress(r report.Result) {
	line := fmt.Sprintf("%s: %s", r.Connection, r.Status)
	if r.Reason != "" {
		line += ": " + r.Reason
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	fmt.Fprintln(g.stderr, line)
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func runDiff(ctx context.Context, g *globals, args []string) error {
	var opts app.DiffOptions
	flags := g.newFlags("diff", "--connection NAME [--ref REF] [--output text|json]")
	flags.StringVar(&opts.Connection, "connection", "", "connection to compare")
	flags.StringVar(&opts.Ref, "ref", "", "snapshot to compare with: SHA, tag or branch (default the connection's branch)")
	flags.StringVar(&opts.Output, "output", "text", "text or json")
	if err := parse(flags, args); err != nil {
		return err
	}
	if opts.Connection == "" || (opts.Output != "text" && opts.Output != "json") {
		flags.Usage()
		return errUsage
	}
	env, err := g.env(false)
	if err != nil {
		return err
	}
	res, err := app.Diff(ctx, env, opts)
	if err != nil {
		return err
	}
	if res.Drift {
		return errDrift
	}
	return nil
}

func runDrift(ctx context.Context, g *globals, args []string) error {
	var opts app.DriftOptions
	var conns stringList
	var reportPath string
	flags := g.newFlags("drift", "[--connection NAME]... [--all] [--render-dir DIR] [--report FILE]")
	flags.Var(&conns, "connection", "connection to check, whatever its schedule (repeatable)")
	flags.BoolVar(&opts.All, "all", false, "check every enabled connection, due or not")
	flags.DurationVar(&opts.Window, "window", 0, "period of the scheduler running kongsnap (default 1h)")
	flags.StringVar(&opts.RenderDir, "render-dir", "", "write each pull request body to DIR/<connection>.md instead of opening it on GitHub")
	flags.StringVar(&opts.RestoreWorkflow, "restore-workflow", "kongsnap restore", "restore workflow named in pull requests")
	flags.StringVar(&reportPath, "report", "", "also write the run report as JSON to this file")
	if err := parse(flags, args); err != nil {
		return err
	}
	opts.Connections = conns
	opts.OnChange = g.progress
	env, err := g.env(false)
	if err != nil {
		return err
	}
	if opts.RenderDir == "" {
		prs, err := app.NewPullRequests(env)
		if err != nil {
			return err
		}
		opts.PullRequests = prs
	}
	rep, err := app.Drift(ctx, env, opts)
	if err != nil {
		return err
	}
	return publish(g, rep, reportPath, "drift")
}

func runPrune(ctx context.Context, g *globals, args []string) error {
	var opts app.PruneOptions
	var conns stringList
	var reportPath string
	flags := g.newFlags("prune", "[--connection NAME]... [--dry-run] [--report FILE]")
	flags.Var(&conns, "connection", "connection whose snapshot tags to prune (repeatable; default every enabled one)")
	flags.BoolVar(&opts.DryRun, "dry-run", false, "list what would be deleted, delete nothing")
	flags.StringVar(&reportPath, "report", "", "also write the run report as JSON to this file")
	if err := parse(flags, args); err != nil {
		return err
	}
	opts.Connections = conns
	env, err := g.env(false)
	if err != nil {
		return err
	}
	rep, err := app.Prune(ctx, env, opts)
	if err != nil {
		return err
	}
	return publish(g, rep, reportPath, "prune")
}

func runInit(_ context.Context, g *globals, args []string) error {
	var dir string
	var force bool
	flags := g.newFlags("init", "[--dir DIR] [--force]")
	flags.StringVar(&dir, "dir", ".", "repository to write kongsnap.yaml and .github/workflows/ into")
	flags.BoolVar(&force, "force", false, "overwrite existing files")
	if err := parse(flags, args); err != nil {
		return err
	}
	return app.Init(dir, force, g.stdout)
}

func runRestore(ctx context.Context, g *globals, args []string) error {
	var opts app.RestoreOptions
	var sections stringList
	var reportPath string
	flags := g.newFlags("restore", "--connection NAME --to SHA|TAG|BRANCH [--sections LIST] [--dry-run] [--yes] [...]")
	flags.StringVar(&opts.Connection, "connection", "", "connection to restore")
	flags.StringVar(&opts.To, "to", "", "snapshot to restore: commit SHA, tag or branch")
	flags.Var(&sections, "sections", "only these sections, comma-separated (services, consumers, plugins, upstreams, certificates, ca_certificates, vaults, keys, or a kind)")
	flags.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and write nothing")
	flags.BoolVar(&opts.Yes, "yes", false, "apply without asking (required when not run from a terminal)")
	flags.BoolVar(&opts.NoDelete, "no-delete", false, "never delete live entities the snapshot lacks")
	flags.IntVar(&opts.MaxDeletes, "max-deletes", 0, "refuse a plan deleting more entities (default 10% of live, at least 10; -1 no limit)")
	flags.BoolVar(&opts.AllowEmpty, "allow-empty", false, "allow restoring an empty or nearly empty snapshot")
	flags.BoolVar(&opts.SkipBasicAuth, "skip-basic-auth", false, "leave basic-auth credentials out (snapshots hold only Kong's password hashes)")
	flags.StringVar(&opts.AdminURL, "admin-url", "", "restore into this Admin API instead of the connection's (a recovery drill; nothing is recorded)")
	flags.BoolVar(&opts.NoRecord, "no-record", false, "do not commit the restored state to the connection's branch")
	flags.IntVar(&opts.Parallelism, "parallelism", 10, "operations applied at once")
	flags.StringVar(&reportPath, "report", "", "also write the run report as JSON to this file")
	if err := parse(flags, args); err != nil {
		return err
	}
	if opts.Connection == "" || opts.To == "" {
		flags.Usage()
		return errUsage
	}
	opts.Sections = sections
	if g.confirm != nil {
		opts.Confirm = g.confirm
	}
	env, err := g.env(false)
	if err != nil {
		return err
	}
	rep, err := app.Restore(ctx, env, opts)
	if errors.Is(err, app.ErrDryRun) {
		err = nil
	}
	if rep != nil && reportPath != "" {
		if werr := rep.WriteJSONFile(reportPath); werr != nil && err == nil {
			err = werr
		}
	}
	if rep != nil {
		if werr := rep.AppendStepSummary(g.getenv); werr != nil && err == nil {
			err = werr
		}
		if g.getenv("GITHUB_ACTIONS") == "true" {
			rep.WriteAnnotations(g.stdout)
		}
	}
	return err
}

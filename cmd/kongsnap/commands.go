package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/drift"
	"github.com/kongsnap/kongsnap/report"
)

// Options of each command: flags parse into these, and tests read them through globals.runF.

type backupOptions struct {
	App    app.BackupOptions
	Report string
	Output string
}

type driftOptions struct {
	App    app.DriftOptions
	Report string
	Output string
}

type dumpOptions struct {
	App app.DumpOptions
}

type diffOptions struct {
	App    app.DiffOptions
	Report string
	Output string
}

type restoreOptions struct {
	App    app.RestoreOptions
	Report string
	Output string
}

type pruneOptions struct {
	App    app.PruneOptions
	Report string
	Output string
}

type logOptions struct {
	Connection string
	Limit      int
	Output     string
}

type showOptions struct {
	Ref    string
	File   string
	Output string
}

type initOptions struct {
	App app.InitOptions
}

// outputFlags adds --output text|json and its alias --json, and returns a check that resolves them after parsing.
func outputFlags(flags *pflag.FlagSet, output *string) func() error {
	var asJSON bool
	flags.StringVar(output, "output", "text", "output format: text or json")
	flags.BoolVar(&asJSON, "json", false, "shorthand for --output json")
	return func() error {
		if asJSON {
			*output = "json"
		}
		if *output != "text" && *output != "json" {
			return usagef("--output %q: want text or json", *output)
		}
		return nil
	}
}

func completeOutput(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]cobra.Completion{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q (%s takes flags only)", args[0], cmd.Name())
	}
	return nil
}

func requireFlags(cmd *cobra.Command, names ...string) error {
	for _, name := range names {
		if !cmd.Flags().Changed(name) {
			return usagef("--%s is required", name)
		}
	}
	return nil
}

// appRun is what a command run in the app environment states beyond the steps every such command shares.
type appRun struct {
	// name and opts are what dispatch hands tests.
	name string
	opts any
	// check, optional, resolves --output and --json (outputFlags).
	check func() error
	// required names the flags that must be given.
	required []string
	// prepare, optional, applies the command's own defaults and checks, after check and required.
	prepare func(cmd *cobra.Command, args []string) error
	// adHoc, optional, says the command needs no config file this time (g.env's optional).
	adHoc func() bool
	// run does the command's work in the environment.
	run func(cmd *cobra.Command, env *app.Env) error
}

// runE is the RunE of r: check the output flags, require flags, prepare, then dispatch and, outside tests, open
// the environment and run.
func (g *globals) runE(r appRun) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if r.check != nil {
			if err := r.check(); err != nil {
				return err
			}
		}
		if err := requireFlags(cmd, r.required...); err != nil {
			return err
		}
		if r.prepare != nil {
			if err := r.prepare(cmd, args); err != nil {
				return err
			}
		}
		return g.dispatch(r.name, r.opts, func() error {
			env, err := g.env(r.adHoc != nil && r.adHoc())
			if err != nil {
				return err
			}
			return r.run(cmd, env)
		})
	}
}

// publishRun publishes the report of a run that produced one (err nil).
func (g *globals) publishRun(rep *report.Report, err error, reportPath, output string) error {
	if err != nil {
		return err
	}
	return g.publish(rep, reportPath, output)
}

// trailingFlags adds the flags that end a command with output: --report (when report is set; what says what its
// JSON holds), --output and --json; and completes --connection (when the command has it) and --output. It returns
// outputFlags' check.
func (g *globals) trailingFlags(cmd *cobra.Command, report *string, what string, output *string) func() error {
	f := cmd.Flags()
	if report != nil {
		f.StringVar(report, "report", "", "also write "+what+" as JSON to this file (- for stdout)")
	}
	check := outputFlags(f, output)
	if f.Lookup("connection") != nil {
		_ = cmd.RegisterFlagCompletionFunc("connection", g.completeConnections)
	}
	completeOutput(cmd)
	return check
}

func newCmdBackup(g *globals) *cobra.Command {
	var opts backupOptions
	cmd := &cobra.Command{
		Use:   "backup [--connection NAME]... [--all]",
		Short: "Back up connections into their git branches",
		Long: "Back up the connections due in this window (or those named, whatever their schedule, or --all) into\n" +
			"their git branches. Each connection runs on its own: one failing never stops the others.",
		Example: "  kongsnap backup\n  kongsnap backup --connection prod --message 'before the 3.9 upgrade'\n" +
			"  kongsnap backup --all --output json",
		Args: noArgs,
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.App.Connections, "connection", nil, "connection to back up, whatever its schedule (repeatable)")
	f.BoolVar(&opts.App.All, "all", false, "back up every enabled connection, due or not")
	f.StringVar(&opts.App.Message, "message", "", "paragraph added to every commit this run makes")
	f.StringVar(&opts.App.Trigger, "trigger", "", "recorded in the commit trailer: schedule or manual (default: schedule under a scheduled GitHub workflow, else manual)")
	f.DurationVar(&opts.App.Window, "window", 0, "period of the scheduler running kongsnap; a connection is due when its cron fires within it (default 1h)")
	f.IntVar(&opts.App.Parallelism, "parallelism", 4, "connections read at once")
	cmd.RunE = g.runE(appRun{
		name: "backup", opts: &opts,
		check: g.trailingFlags(cmd, &opts.Report, "the run report", &opts.Output),
		prepare: func(*cobra.Command, []string) error {
			if opts.App.Trigger == "" && g.getenv("GITHUB_EVENT_NAME") == "schedule" {
				opts.App.Trigger = app.TriggerSchedule
			}
			return nil
		},
		run: func(cmd *cobra.Command, env *app.Env) error {
			opts.App.OnChange = g.progress
			rep, err := app.Backup(cmd.Context(), env, opts.App)
			return g.publishRun(rep, err, opts.Report, opts.Output)
		},
	})
	return cmd
}

func newCmdDump(g *globals) *cobra.Command {
	opts := dumpOptions{App: app.DumpOptions{Headers: map[string]string{}}}
	cmd := &cobra.Command{
		Use:   "dump (--connection NAME | --admin-url URL) -o DIR|FILE.yaml|FILE.json|- [--force]",
		Short: "Write a gateway's configuration as decK files",
		Long: "Write a gateway's configuration as a decK directory (swapped in whole, never half-written), as one\n" +
			"merged decK file when -o ends in .yaml, .yml or .json (as decK's -o), or with -o - on stdout. An existing\n" +
			"-o path is replaced only if it is a previous kongsnap dump (a directory holding MANIFEST.kongsnap, or a\n" +
			"file kongsnap wrote); anything else is refused unless --force. --kong-addr, --headers and the\n" +
			"DECK_KONG_ADDR and DECK_HEADERS variables work as in decK.",
		Example: "  kongsnap dump --connection prod -o prod-dump/\n" +
			"  kongsnap dump --kong-addr http://localhost:8001 --headers 'Kong-Admin-Token: $TOKEN' -o - > kong.yaml",
		Args: noArgs,
	}
	cmd.RunE = g.runE(appRun{
		name: "dump", opts: &opts,
		prepare: func(cmd *cobra.Command, _ []string) error {
			if opts.App.Connection == "" && opts.App.AdminURL == "" {
				if addr := g.getenv("DECK_KONG_ADDR"); addr != "" {
					opts.App.AdminURL = addr
				}
			}
			if opts.App.AdminURL != "" && !cmd.Flags().Changed("header") && g.getenv("DECK_HEADERS") != "" {
				if err := headerList(opts.App.Headers).Set(g.getenv("DECK_HEADERS")); err != nil {
					return usagef("DECK_HEADERS: %v", err)
				}
			}
			if (opts.App.Connection == "") == (opts.App.AdminURL == "") {
				return usagef("give either --connection or --admin-url (--kong-addr)")
			}
			if opts.App.Output == "" {
				return usagef("-o DIR (or -o FILE.yaml, or -o - for stdout) is required")
			}
			return nil
		},
		adHoc: func() bool { return opts.App.AdminURL != "" },
		run:   func(cmd *cobra.Command, env *app.Env) error { return app.Dump(cmd.Context(), env, opts.App) },
	})
	f := cmd.Flags()
	f.StringVar(&opts.App.Connection, "connection", "", "connection from the config file")
	f.StringVar(&opts.App.AdminURL, "admin-url", "", "Kong Admin API URL, instead of a configured connection (decK: --kong-addr)")
	f.Var(headerList(opts.App.Headers), "header", "extra request header 'Name: value' for --admin-url (repeatable; decK: --headers)")
	f.StringVarP(&opts.App.Output, "output-file", "o", "", "output directory, FILE.yaml|.yml|.json for one merged decK file, or - for stdout")
	f.BoolVar(&opts.App.Force, "force", false, "replace the -o path even if it is not a previous kongsnap dump")
	f.StringVar(&opts.App.Secrets, "secrets", "", "encrypt (default), redact or plain")
	f.StringSliceVar(&opts.App.SelectTags, "select-tag", nil, "only entities carrying this tag (repeatable, as decK)")
	_ = cmd.RegisterFlagCompletionFunc("connection", g.completeConnections)
	_ = cmd.RegisterFlagCompletionFunc("secrets", cobra.FixedCompletions([]cobra.Completion{"encrypt", "redact", "plain"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("output-file")
	return cmd
}

func newCmdDiff(g *globals) *cobra.Command {
	var opts diffOptions
	cmd := &cobra.Command{
		Use:   "diff --connection NAME [--ref REF]",
		Short: "Compare a live gateway with its branch or a snapshot (exit 2 on drift)",
		Long: "Compare a connection's live gateway with its branch (or any snapshot) entity by entity and field by\n" +
			"field. Secrets show as \"changed\", never their values. Exit code 0: no drift, 2: drift, 1: failed.",
		Example: "  kongsnap diff --connection prod\n  kongsnap diff --connection prod --ref kongsnap/prod/2026-01-31T02:00:00Z --json",
		Args:    noArgs,
	}
	f := cmd.Flags()
	f.StringVar(&opts.App.Connection, "connection", "", "connection to compare")
	f.StringVar(&opts.App.Ref, "ref", "", "snapshot to compare with: SHA, tag or branch (default the connection's branch)")
	f.StringSliceVar(&opts.App.SelectTags, "select-tag", nil, "only entities carrying this tag, on both sides (repeatable, as decK)")
	cmd.RunE = g.runE(appRun{
		name: "diff", opts: &opts,
		check:    g.trailingFlags(cmd, &opts.Report, "the comparison", &opts.Output),
		required: []string{"connection"},
		run: func(cmd *cobra.Command, env *app.Env) error {
			res, err := app.Diff(cmd.Context(), env, opts.App)
			if err != nil {
				return err
			}
			if err := g.publishDiff(res, opts.Report, opts.Output); err != nil {
				return err
			}
			if res.Drift {
				return errDrift
			}
			return nil
		},
	})
	return cmd
}

func newCmdDrift(g *globals) *cobra.Command {
	var opts driftOptions
	cmd := &cobra.Command{
		Use:   "drift [--connection NAME]... [--all] [--render-dir DIR]",
		Short: "Open, update or close one drift pull request per environment",
		Long: "Compare each due connection's live gateway with its branch. With on_drift: pull-request, a drift is\n" +
			"committed to kongsnap/drift/<name> and shown in one pull request, kept up to date and closed when the\n" +
			"drift is gone. Merging it accepts the live state; closing it unmerged rejects it: that same live state\n" +
			"is reported as \"rejected drift\" and gets no new pull request (on_reject: restore reverts it). With\n" +
			"on_drift: commit, the live state is committed as a backup would.",
		Example: "  kongsnap drift\n  kongsnap drift --connection prod --render-dir out/   # write the PR body, no GitHub",
		Args:    noArgs,
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.App.Connections, "connection", nil, "connection to check, whatever its schedule (repeatable)")
	f.BoolVar(&opts.App.All, "all", false, "check every enabled connection, due or not")
	f.DurationVar(&opts.App.Window, "window", 0, "period of the scheduler running kongsnap (default 1h)")
	f.StringVar(&opts.App.RenderDir, "render-dir", "", "write each pull request body to DIR/<connection>.md instead of opening it on GitHub")
	f.StringVar(&opts.App.RestoreWorkflow, "restore-workflow", drift.DefaultRestoreWorkflow, "restore workflow file named in pull requests (gh workflow run FILE)")
	_ = cmd.MarkFlagDirname("render-dir")
	cmd.RunE = g.runE(appRun{
		name: "drift", opts: &opts,
		check: g.trailingFlags(cmd, &opts.Report, "the run report", &opts.Output),
		run: func(cmd *cobra.Command, env *app.Env) error {
			opts.App.OnChange = g.progress
			if opts.App.RenderDir == "" {
				prs, err := app.NewPullRequests(env)
				if err != nil {
					return err
				}
				opts.App.PullRequests = prs
			}
			rep, err := app.Drift(cmd.Context(), env, opts.App)
			return g.publishRun(rep, err, opts.Report, opts.Output)
		},
	})
	return cmd
}

func newCmdRestore(g *globals) *cobra.Command {
	opts := restoreOptions{App: app.RestoreOptions{Headers: map[string]string{}}}
	cmd := &cobra.Command{
		Use:   "restore --connection NAME --to SHA|TAG|BRANCH",
		Short: "Converge a gateway toward a snapshot (dry run unless --yes)",
		Long: "Converge a connection's gateway toward a snapshot: check the snapshot's integrity, plan against the live\n" +
			"gateway, refuse unsafe plans before any write, apply, verify, and record the restored state on the\n" +
			"connection's branch. Without --yes it asks at a terminal, and elsewhere only prints the plan.",
		Example: "  kongsnap restore --connection prod --to kong/prod --dry-run\n" +
			"  kongsnap restore --connection prod --to 0123456789ab --sections plugins,consumers --yes",
		Args: noArgs,
	}
	f := cmd.Flags()
	f.StringVar(&opts.App.Connection, "connection", "", "connection to restore")
	f.StringVar(&opts.App.To, "to", "", "snapshot to restore: commit SHA, tag or branch")
	f.StringSliceVar(&opts.App.Sections, "sections", nil, "only these sections, comma-separated (services, consumers, plugins, upstreams, certificates, ca_certificates, vaults, keys, or a kind)")
	f.BoolVar(&opts.App.DryRun, "dry-run", false, "print the plan and write nothing")
	f.BoolVar(&opts.App.Yes, "yes", false, "apply without asking (required when not run from a terminal)")
	f.BoolVar(&opts.App.NoDelete, "no-delete", false, "never delete live entities the snapshot lacks")
	f.IntVar(&opts.App.MaxDeletes, "max-deletes", 0, "refuse a plan deleting more entities (default 10% of live, at least 10; -1 no limit)")
	f.BoolVar(&opts.App.AllowEmpty, "allow-empty", false, "allow restoring an empty or nearly empty snapshot")
	f.BoolVar(&opts.App.SkipBasicAuth, "skip-basic-auth", false, "leave basic-auth credentials out (snapshots hold only Kong's password hashes)")
	f.StringVar(&opts.App.AdminURL, "admin-url", "", "restore into this Admin API instead of the connection's (a recovery drill; nothing is recorded; decK: --kong-addr)")
	f.Var(headerList(opts.App.Headers), "header", "request header 'Name: value' sent instead of the connection's headers (repeatable)")
	f.BoolVar(&opts.App.TLSSkipVerify, "tls-skip-verify", false, "do not verify the Admin API's certificate")
	f.StringVar(&opts.App.CACert, "ca-cert", "", "PEM file of the CA certificates that sign the Admin API's certificate")
	f.StringVar(&opts.App.FromConnection, "from-connection", "", "restore a snapshot of this other connection (a clone of prod into staging)")
	f.BoolVar(&opts.App.AllowUnprotectedWindow, "allow-unprotected-window", false, "apply a plan that leaves a route or service for a while without a plugin it has before and after (--yes alone does not)")
	f.BoolVar(&opts.App.AllowVersionMismatch, "allow-version-mismatch", false, "restore into a gateway of another Kong major version than the snapshot's")
	f.BoolVar(&opts.App.NoRecord, "no-record", false, "do not commit the restored state to the connection's branch")
	f.IntVar(&opts.App.Parallelism, "parallelism", 10, "operations applied at once")
	f.BoolVar(&opts.App.FullPlan, "full-plan", false, "print every operation of a plan over 200 (default: counts per kind and action, and the first of each)")
	cmd.RunE = g.runE(appRun{
		name: "restore", opts: &opts,
		check:    g.trailingFlags(cmd, &opts.Report, "the run report", &opts.Output),
		required: []string{"connection", "to"},
		prepare: func(*cobra.Command, []string) error {
			if g.confirm != nil {
				opts.App.Confirm = g.confirm
			}
			return nil
		},
		run: func(cmd *cobra.Command, env *app.Env) error {
			rep, err := app.Restore(cmd.Context(), env, opts.App)
			if rep == nil {
				return err
			}
			if perr := g.publishRestore(rep, opts.Report, opts.Output); perr != nil && err == nil {
				err = perr
			}
			if err == nil && !opts.App.DryRun && rep.Snapshot()[0].Status == report.Planned {
				err = errNotApplied
			}
			return err
		},
	})
	return cmd
}

func newCmdPrune(g *globals) *cobra.Command {
	var opts pruneOptions
	cmd := &cobra.Command{
		Use:     "prune [--connection NAME]... [--dry-run]",
		Short:   "Delete snapshot tags the retention policy no longer keeps",
		Long:    "Delete snapshot tags outside each connection's retention policy, locally and on every remote. Commits stay.",
		Example: "  kongsnap prune --dry-run\n  kongsnap prune --connection prod",
		Args:    noArgs,
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.App.Connections, "connection", nil, "connection whose snapshot tags to prune (repeatable; default every enabled one)")
	f.BoolVar(&opts.App.DryRun, "dry-run", false, "list what would be deleted, delete nothing")
	cmd.RunE = g.runE(appRun{
		name: "prune", opts: &opts,
		check: g.trailingFlags(cmd, &opts.Report, "the run report", &opts.Output),
		run: func(cmd *cobra.Command, env *app.Env) error {
			rep, err := app.Prune(cmd.Context(), env, opts.App)
			return g.publishRun(rep, err, opts.Report, opts.Output)
		},
	})
	return cmd
}

func newCmdLog(g *globals) *cobra.Command {
	var opts logOptions
	cmd := &cobra.Command{
		Use:     "log --connection NAME [-n N]",
		Short:   "List the snapshots of a connection",
		Long:    "List a connection's snapshots, newest first: commit, time, Kong version, entity count, trigger.",
		Example: "  kongsnap log --connection prod\n  kongsnap log --connection prod -n 5 --json",
		Args:    noArgs,
	}
	f := cmd.Flags()
	f.StringVar(&opts.Connection, "connection", "", "connection whose snapshots to list")
	f.IntVarP(&opts.Limit, "limit", "n", 20, "how many snapshots, newest first")
	cmd.RunE = g.runE(appRun{
		name: "log", opts: &opts,
		check:    g.trailingFlags(cmd, nil, "", &opts.Output),
		required: []string{"connection"},
		run: func(cmd *cobra.Command, env *app.Env) error {
			entries, err := app.Log(cmd.Context(), env, opts.Connection, opts.Limit)
			if err != nil {
				return err
			}
			return g.writeLog(opts.Connection, entries, opts.Output)
		},
	})
	return cmd
}

func newCmdShow(g *globals) *cobra.Command {
	var opts showOptions
	cmd := &cobra.Command{
		Use:   "show REF [--file NAME]",
		Short: "Show a snapshot: its commit, Kong version and entity counts",
		Long:  "Show a snapshot (commit SHA, tag or branch): its commit, trailers, tags and files, or one of its files.",
		Example: "  kongsnap show kong/prod\n  kongsnap show kong/prod --file services.yaml\n" +
			"  kongsnap show --file services.yaml kongsnap/prod/2026-01-31T02:00:00Z",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("show takes one snapshot (a commit SHA, tag or branch), got %d arguments", len(args))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.File, "file", "", "print this file of the snapshot instead of its summary")
	cmd.RunE = g.runE(appRun{
		name: "show", opts: &opts,
		check: g.trailingFlags(cmd, nil, "", &opts.Output),
		prepare: func(_ *cobra.Command, args []string) error {
			opts.Ref = args[0]
			return nil
		},
		run: func(cmd *cobra.Command, env *app.Env) error { return g.show(cmd.Context(), env, opts) },
	})
	return cmd
}

func newCmdInit(g *globals) *cobra.Command {
	var opts initOptions
	cmd := &cobra.Command{
		Use:   "init [--dir DIR] [--local] [--force]",
		Short: "Write a starter kongsnap.yaml and example workflows",
		Long: "Write a starter kongsnap.yaml and the example GitHub workflows into a repository, asking nothing. Outside\n" +
			"a git repository it creates one (the config's path: . is then this new repository). --local writes a\n" +
			"config with no GitHub section and no remotes, and no workflows. It prints the variables the config reads,\n" +
			"and never overwrites a file unless --force is given.",
		Example: "  kongsnap init\n  kongsnap init --local\n  kongsnap init --dir my-backups",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.dispatch("init", &opts, func() error { return app.Init(opts.App, g.stdout) })
		},
	}
	cmd.Flags().StringVar(&opts.App.Dir, "dir", ".", "directory to write kongsnap.yaml and .github/workflows/ into")
	cmd.Flags().BoolVar(&opts.App.Local, "local", false, "a config with no GitHub section and no remotes, and no workflows")
	cmd.Flags().BoolVar(&opts.App.Force, "force", false, "overwrite existing files")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

func newCmdVersion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print kongsnap's version, commit and build date",
		Example: "  kongsnap version\n  kongsnap --version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(g.stdout, "kongsnap", versionString())
			return err
		},
	}
}

func newCmdAction(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:    "action",
		Short:  "Run as the GitHub Action (reads INPUT_* variables)",
		Hidden: true,
		Args:   noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAction(cmd.Context(), g)
		},
	}
}

// headerList is a repeatable "Name: value" flag; one value may hold several, comma-separated (as DECK_HEADERS).
type headerList map[string]string

func (h headerList) String() string { return "" }
func (h headerList) Type() string   { return "header" }

func (h headerList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, value, ok := strings.Cut(part, ":")
		if !ok {
			return fmt.Errorf("header %q is not Name: value", strings.TrimSpace(name))
		}
		h[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/config"
)

// Exit codes, decK's convention for diff: 0 fine, 1 failed, 2 drift found; 3 a restore plan shown and nothing
// applied (no --yes and no terminal to confirm at, or not confirmed), so that a workflow cannot take it for a
// restore; 64 is a command line that could not be understood (sysexits' EX_USAGE).
const (
	exitOK         = 0
	exitError      = 1
	exitDrift      = 2
	exitNotApplied = 3
	exitUsage      = 64
)

// errDrift is returned by commands that found drift; it maps to exit code 2.
var errDrift = errors.New("drift found")

// errNotApplied is returned by a restore that showed its plan and applied nothing without --dry-run; it maps to
// exit code 3.
var errNotApplied = errors.New("plan shown, nothing applied")

// usageError is a command line that could not be understood; it maps to exit code 64.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// globals are what every command shares: the persistent flags, where output goes, and how to ask a person.
type globals struct {
	configPath string
	verbose    bool
	stdout     io.Writer
	stderr     io.Writer
	getenv     func(string) string
	// stdoutTTY and stderrTTY say whether output goes to a terminal (colour, live progress).
	stdoutTTY, stderrTTY bool
	// confirm asks a person at a terminal to approve a plan; nil when not interactive.
	confirm func(prompt string) bool
	// clock is the time "now" for due connections; nil is the system clock.
	clock func() time.Time
	// runF, in tests, receives each command's parsed options instead of running the command.
	runF func(command string, opts any) error
	// mu serialises progress lines written from concurrent connections.
	mu sync.Mutex
	// live is the progress line on a terminal's stderr, nil elsewhere.
	live *liveProgress
}

// run is main without the process: arguments in, exit code out.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return runWith(ctx, &globals{stdout: stdout, stderr: stderr, getenv: getenv}, args)
}

// runWith is the one place errors become exit codes.
func runWith(ctx context.Context, g *globals, args []string) int {
	root := newRootCmd(g)
	root.SetArgs(longFlagsWithOneDash(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errDrift) {
		return exitDrift
	}
	if errors.Is(err, errNotApplied) {
		fmt.Fprintf(g.stderr, "%s: %v (no --yes): exit code %d\n", cmd.CommandPath(), err, exitNotApplied)
		return exitNotApplied
	}
	var usage usageError
	if errors.As(err, &usage) || isCobraUsage(err) {
		fmt.Fprintf(g.stderr, "%s: %v\n", cmd.CommandPath(), err)
		if !strings.Contains(err.Error(), "Run '") {
			fmt.Fprintf(g.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return exitUsage
	}
	fmt.Fprintf(g.stderr, "%s: %v\n", cmd.CommandPath(), err)
	return exitError
}

// isCobraUsage recognises the errors cobra itself returns for a command line it cannot dispatch.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "required flag") ||
		strings.HasPrefix(msg, "invalid argument") || strings.HasPrefix(msg, "accepts ")
}

// flagAliases are decK's names for flags kongsnap has under another name: an operator's muscle memory works.
var flagAliases = map[string]string{
	"kong-addr": "admin-url",
	"headers":   "header",
}

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "kongsnap",
		Short: "Back up Kong gateways into git, report drift as pull requests, restore any snapshot",
		Long: "kongsnap keeps Kong gateways safe in git: it backs them up as decK files on per-environment branches,\n" +
			"reports drift as pull requests, and restores a gateway to any snapshot.",
		Example: "  kongsnap init --local\n" +
			"  kongsnap backup --all\n" +
			"  kongsnap diff --connection prod\n" +
			"  kongsnap restore --connection prod --to kong/prod --dry-run",
		Version:                    versionString(),
		SilenceUsage:               true,
		SilenceErrors:              true,
		SuggestionsMinimumDistance: 2,
	}
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	root.SetVersionTemplate("kongsnap {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.SetGlobalNormalizationFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if canonical, ok := flagAliases[name]; ok {
			return pflag.NormalizedName(canonical)
		}
		return pflag.NormalizedName(name)
	})
	root.PersistentFlags().StringVar(&g.configPath, "config", config.DefaultFile, "configuration file")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "verbose logs on stderr")
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")

	root.AddGroup(&cobra.Group{ID: "daily", Title: "Everyday commands:"},
		&cobra.Group{ID: "history", Title: "History and recovery:"},
		&cobra.Group{ID: "setup", Title: "Setting up:"})
	for _, c := range []*cobra.Command{
		newCmdBackup(g), newCmdDrift(g), newCmdPRCommand(g), newCmdDiff(g), newCmdDump(g), newCmdConnections(g),
	} {
		c.GroupID = "daily"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{newCmdLog(g), newCmdShow(g), newCmdStatus(g), newCmdRestore(g), newCmdPrune(g)} {
		c.GroupID = "history"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{newCmdInit(g), newCmdVersion(g)} {
		c.GroupID = "setup"
		root.AddCommand(c)
	}
	root.AddCommand(newCmdAction(g))
	root.SetHelpCommandGroupID("setup")
	root.SetCompletionCommandGroupID("setup")
	return root
}

// longFlagsWithOneDash rewrites -name to --name for the command's long flags, so command lines written for
// kongsnap's earlier Go flag parser (`-connection prod`, `-config x.yaml`) keep working. Single-letter shorthands
// (-o, -n, -v) are left as they are.
func longFlagsWithOneDash(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return args
	}
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && isLongFlag(cmd, name) {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

func isLongFlag(cmd *cobra.Command, name string) bool {
	if canonical, ok := flagAliases[name]; ok {
		name = canonical
	}
	return cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil ||
		cmd.PersistentFlags().Lookup(name) != nil || cmd.Root().PersistentFlags().Lookup(name) != nil
}

func (g *globals) now() time.Time {
	if g.clock != nil {
		return g.clock().UTC()
	}
	return time.Now().UTC()
}

// dispatch hands a command's options to the test stub, or runs the command.
func (g *globals) dispatch(command string, opts any, run func() error) error {
	if g.runF != nil {
		return g.runF(command, opts)
	}
	return run()
}

// env loads the configuration and builds the app environment. With optional set, a missing default config file
// is not an error (ad hoc commands).
func (g *globals) env(optional bool) (*app.Env, error) {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	stdout, stderr := g.stdout, g.stderr
	var progress *liveProgress
	if g.stderrTTY {
		progress = &liveProgress{mu: &g.mu, w: g.stderr, start: g.now(), now: g.now}
		g.live = progress
		stdout, stderr = clearing{g, g.stdout}, clearing{g, g.stderr}
	}
	env := &app.Env{
		Getenv: g.getenv,
		Stdout: stdout,
		Stderr: stderr,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if progress != nil {
		env.ReadProgress, env.ApplyProgress = progress.read, progress.apply
	}
	cfg, err := config.Load(g.configPath)
	if err != nil {
		if optional && g.configPath == config.DefaultFile && isNotExist(err) {
			return env, nil
		}
		return nil, err
	}
	env.Config = cfg
	return env, nil
}

// configForListing loads the config for commands that only list connections (connections, completion): a
// variable that is not set expands to "", since listing needs no token. A plan job can then run with no secrets.
func (g *globals) configForListing() (*config.Config, error) {
	data, err := os.ReadFile(g.configPath)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := config.Parse(data, func(name string) (string, bool) { return g.getenv(name), true })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", g.configPath, err)
	}
	return cfg, nil
}

// completeConnections offers the configured connection names for --connection.
func (g *globals) completeConnections(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cfg, err := g.configForListing()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []cobra.Completion
	for _, c := range cfg.Connections {
		names = append(names, c.Name)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

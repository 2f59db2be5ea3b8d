package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"sync"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/config"
)

// Exit codes, decK's convention for diff: 0 fine, 1 failed, 2 drift found.
const (
	exitOK    = 0
	exitError = 1
	exitDrift = 2
	exitUsage = 64
)

// errDrift is returned by commands that found drift; it maps to exit code 2.
var errDrift = errors.New("drift found")

// errUsage marks a command line that could not be parsed; flag has already printed why.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, g *globals, args []string) error
}

// globals are the flags every command takes and what they set up.
type globals struct {
	configPath string
	verbose    bool
	stdout     io.Writer
	stderr     io.Writer
	getenv     func(string) string
	// confirm asks a person at a terminal to approve a plan; nil when not interactive.
	confirm func(prompt string) bool
	// mu serialises progress lines written from concurrent connections.
	mu sync.Mutex
}

func commands() []command {
	return []command{
		{"init", "write a starter kongsnap.yaml and example workflows", runInit},
		{"backup", "back up connections into their git branches", runBackup},
		{"dump", "write a gateway's configuration as decK files", runDump},
		{"diff", "compare a live gateway with its branch or a snapshot (exit 2 on drift)", runDiff},
		{"drift", "open, update or close one drift pull request per environment", runDrift},
		{"restore", "converge a gateway toward a snapshot (dry run unless --yes)", runRestore},
		{"prune", "delete snapshot tags the retention policy no longer keeps", runPrune},
		{"log", "list the snapshots of a connection", runLog},
		{"show", "show a snapshot: its commit, Kong version and entity counts", runShow},
		{"action", "run as the GitHub Action (reads INPUT_* variables)", runAction},
	}
}

// run is main without the process: arguments in, exit code out. It is the one place errors become exit codes.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return runWith(ctx, &globals{stdout: stdout, stderr: stderr, getenv: getenv}, args)
}

func runWith(ctx context.Context, g *globals, args []string) int {
	stderr, stdout := g.stderr, g.stdout
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "kongsnap", version())
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, g, args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, errDrift):
			return exitDrift
		case errors.Is(err, errUsage):
			return exitUsage
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		}
		fmt.Fprintf(stderr, "kongsnap %s: %v\n", c.name, err)
		return exitError
	}
	fmt.Fprintf(stderr, "kongsnap: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kongsnap <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'kongsnap <command> -h' for a command's flags.")
}

// newFlags makes a command's flag set with the global flags on it.
func (g *globals) newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(g.stderr)
	fs.StringVar(&g.configPath, "config", config.DefaultFile, "configuration file")
	fs.BoolVar(&g.verbose, "v", false, "verbose logs on stderr")
	fs.Usage = func() {
		fmt.Fprintf(g.stderr, "usage: kongsnap %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// env loads the configuration and builds the app environment. With optional set, a missing default config file
// is not an error (ad hoc commands).
func (g *globals) env(optional bool) (*app.Env, error) {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	env := &app.Env{
		Getenv: g.getenv,
		Stdout: g.stdout,
		Stderr: g.stderr,
		Logger: slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level})),
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

// stringList is a repeatable flag that also splits on commas.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}

// headerList is a repeatable "Name: value" flag.
type headerList map[string]string

func (h headerList) String() string { return "" }

func (h headerList) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok {
		return fmt.Errorf("header %q is not Name: value", name)
	}
	h[strings.TrimSpace(name)] = strings.TrimSpace(value)
	return nil
}

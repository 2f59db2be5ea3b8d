package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kongsnap/kongsnap/app"
)

type prCommandOptions struct {
	// Event is the issue_comment payload file; default $GITHUB_EVENT_PATH.
	Event string
	// Run is the commands this step carries out; the others are checked and left for another step.
	Run []string
}

func newCmdPRCommand(g *globals) *cobra.Command {
	var opts prCommandOptions
	cmd := &cobra.Command{
		Use:   "pr-command [--event FILE] [--run plan,revert,accept]",
		Short: "Carry out a /kongsnap command commented on a drift pull request (an issue_comment event)",
		Long: "Read the issue_comment event GitHub Actions hands a workflow ($GITHUB_EVENT_PATH) and carry out the\n" +
			"\"/kongsnap plan|revert|accept\" command it holds: plan replies with the restore plan back to the pull\n" +
			"request's base branch (a dry run), revert restores the gateway to it and closes the pull request with the\n" +
			"result, accept merges the pull request. Only users with write access to the repository run commands.\n" +
			"The comment gets 👀 when heard and 👍 or 👎 when done. With --run, commands outside the list are checked\n" +
			"and left for a later step (a job behind the connection's environment); the step's outputs pr-command,\n" +
			"connection and pr-command-outcome say what to run.",
		Example: "  kongsnap pr-command                      # in a workflow run on: issue_comment\n" +
			"  kongsnap pr-command --run plan           # plan here, leave revert/accept for an approved job\n" +
			"  kongsnap pr-command --event event.json   # replay a saved event",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, c := range opts.Run {
				if !slices.Contains(app.Commands, c) {
					return usagef("--run: %q is not a pull request command (plan, revert, accept)", c)
				}
			}
			if opts.Event == "" {
				opts.Event = g.getenv("GITHUB_EVENT_PATH")
			}
			if opts.Event == "" {
				return usagef("no event: run it in a workflow triggered on: issue_comment, or pass --event FILE")
			}
			if name := g.getenv("GITHUB_EVENT_NAME"); name != "" && name != "issue_comment" {
				return fmt.Errorf("the workflow runs on %q; pr-command handles issue_comment events only", name)
			}
			return g.dispatch("pr-command", &opts, func() error {
				event, err := os.ReadFile(opts.Event)
				if err != nil {
					return fmt.Errorf("reading the event: %w", err)
				}
				env, err := g.env(false)
				if err != nil {
					return err
				}
				gh, err := app.NewPullRequests(env)
				if err != nil {
					return err
				}
				res, err := app.PRCommand(cmd.Context(), env, app.PRCommandOptions{
					Event: event, GitHub: gh, Repository: gh.Repository(), Run: opts.Run,
				})
				command := res.Command
				if command != "" && !slices.Contains(app.Commands, command) {
					// What follows "/kongsnap" is anyone's text: a later step only ever sees a known word.
					command = app.CommandHelp
				}
				if werr := writeOutputValues(g.getenv("GITHUB_OUTPUT"), [][2]string{
					{"pr-command", command}, {"connection", res.Connection}, {"pr-command-outcome", res.Outcome},
				}); werr != nil && err == nil {
					err = werr
				}
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Event, "event", "", "issue_comment event payload (default $GITHUB_EVENT_PATH)")
	f.StringSliceVar(&opts.Run, "run", nil, "commands this step carries out (default all: plan, revert, accept)")
	_ = cmd.MarkFlagFilename("event", "json")
	return cmd
}

// writeOutputValues appends name=value lines to the GITHUB_OUTPUT file; outside Actions it does nothing.
func writeOutputValues(path string, values [][2]string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing step outputs: %w", err)
	}
	for _, kv := range values {
		if _, err := fmt.Fprintf(f, "%s=%s\n", kv[0], kv[1]); err != nil {
			f.Close()
			return fmt.Errorf("writing step outputs: %w", err)
		}
	}
	return f.Close()
}

package main

import (
	"github.com/spf13/cobra"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/history"
)

type statusOptions struct {
	App app.StatusOptions
}

func newCmdStatus(g *globals) *cobra.Command {
	var opts statusOptions
	var since, failIfOlder, output string
	cmd := &cobra.Command{
		Use:   "status [--connection NAME]... [--since 7d] [--fail-if-older 26h]",
		Short: "Show each connection's backups from the run history: last success and failure, success rate",
		Long: "Show, per connection, from the run history on the kongsnap/status branch: the last successful backup\n" +
			"and its age, the last failure and its reason, the success rate and median duration over --since, the\n" +
			"latest snapshot's size and entity count, and the retention policy. With --fail-if-older it exits 1 when\n" +
			"an enabled connection has no successful backup within that window: a scheduled check that catches a\n" +
			"backup schedule silently switched off.",
		Example: "  kongsnap status\n  kongsnap status --connection prod --since 30d --json\n  kongsnap status --fail-if-older 26h",
		Args:    noArgs,
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.App.Connections, "connection", nil, "connection to show (repeatable; default every configured one)")
	f.StringVar(&since, "since", "7d", "window of success rates and median durations: 7d, 2w, 26h")
	f.StringVar(&failIfOlder, "fail-if-older", "", "exit 1 when an enabled connection has no successful backup within this window, e.g. 26h")
	cmd.RunE = g.runE(appRun{
		name: "status", opts: &opts,
		check: g.trailingFlags(cmd, nil, "", &output),
		prepare: func(*cobra.Command, []string) error {
			var err error
			if opts.App.Since, err = history.ParseWindow(since); err != nil {
				return usagef("--since: %v", err)
			}
			if failIfOlder != "" {
				if opts.App.FailIfOlder, err = history.ParseWindow(failIfOlder); err != nil {
					return usagef("--fail-if-older: %v", err)
				}
			}
			opts.App.JSON = output == "json"
			return nil
		},
		run: func(cmd *cobra.Command, env *app.Env) error { return app.Status(cmd.Context(), env, opts.App) },
	})
	return cmd
}

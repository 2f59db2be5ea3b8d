package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kongsnap/kongsnap/report"
)

type connectionsOptions struct {
	Due    bool
	Window time.Duration
	Output string
}

func newCmdConnections(g *globals) *cobra.Command {
	opts := connectionsOptions{Window: time.Hour}
	var check func() error
	cmd := &cobra.Command{
		Use:   "connections [--due] [--window 1h]",
		Short: "List the configured connections, or those due in this window (a fleet's job matrix)",
		Long: "List the enabled connections of the config: name, branch, schedule and whether its cron fires in the\n" +
			"window ending now. With --due only those due; --output json prints a document whose \"matrix\" is ready\n" +
			"for a GitHub Actions strategy.matrix, one job per connection.",
		Example: "  kongsnap connections\n  kongsnap connections --due --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := check(); err != nil {
				return err
			}
			if opts.Window <= 0 {
				return usagef("--window must be positive")
			}
			return g.dispatch("connections", &opts, func() error {
				cfg, err := g.configForListing()
				if err != nil {
					return err
				}
				now := g.now()
				doc := connectionsJSON{SchemaVersion: report.SchemaVersion, Command: "connections", At: now,
					Window: opts.Window.String(), Connections: []connectionJSON{}, Matrix: matrixJSON{Connection: []string{}}}
				for i := range cfg.Connections {
					c := &cfg.Connections[i]
					if !c.IsEnabled() {
						continue
					}
					due := c.Due(now, opts.Window)
					if opts.Due && !due {
						continue
					}
					doc.Connections = append(doc.Connections, connectionJSON{Name: c.Name,
						Branch: cfg.Repository.BranchPrefix + c.Name, Schedule: c.Schedule, Due: due})
					doc.Matrix.Connection = append(doc.Matrix.Connection, c.Name)
				}
				if opts.Output == "json" {
					return writeJSON(g.stdout, doc)
				}
				tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CONNECTION\tBRANCH\tSCHEDULE\tDUE")
				for _, c := range doc.Connections {
					schedule := c.Schedule
					if schedule == "" {
						schedule = "every run"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Branch, schedule, yesNo(c.Due))
				}
				return tw.Flush()
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Due, "due", false, "only the connections whose schedule fires in the window")
	f.DurationVar(&opts.Window, "window", time.Hour, "period of the scheduler running kongsnap")
	check = outputFlags(f, &opts.Output)
	completeOutput(cmd)
	return cmd
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/report"
)

// PruneOptions selects the connections whose snapshot tags are pruned.
type PruneOptions struct {
	Connections []string
	DryRun      bool
}

// Prune deletes, per connection, the snapshot tags its retention policy no longer keeps, locally and on every
// remote. It never touches a branch: the commits stay reachable from the branch history; pruning only drops the
// named entry points, so `kongsnap log` and tag listings stay short.
func Prune(ctx context.Context, env *Env, opts PruneOptions) (*report.Report, error) {
	conns, repo, err := env.openFor(ctx, opts.Connections)
	if err != nil {
		return nil, err
	}
	store := repo.store
	rep := report.New("prune", env.runID(), TriggerManual, env.now(), env.Config.Secrets(), nil)
	for _, c := range conns {
		res := report.Result{Connection: c.Name, Branch: store.Branch(c.Name)}
		tags, err := store.Tags(ctx, "kongsnap/"+c.Name+"/")
		if err != nil {
			res.Status, res.Reason = report.Failed, err.Error()
			rep.Set(res)
			continue
		}
		var protect []string
		if head, err := store.Head(ctx, res.Branch); err == nil {
			protect = append(protect, head.Hash)
		} else if !errors.Is(err, gitstore.ErrUnknownRef) {
			res.Status, res.Reason = report.Failed, err.Error()
			rep.Set(res)
			continue
		}
		policy := gitstore.Policy{Days: c.Retention.Days, Weeks: c.Retention.Weeks, Months: c.Retention.Months}
		keep, drop := gitstore.Retain(tags, policy, env.now(), protect...)
		names := make([]string, len(drop))
		for i, t := range drop {
			names[i] = t.Name
		}
		verb := "deleted"
		if opts.DryRun {
			verb = "would delete"
		}
		res.Summary = fmt.Sprintf("%s %d snapshot tags, kept %d", verb, len(drop), len(keep))
		if len(drop) == 0 {
			res.Status = report.Unchanged
			rep.Set(res)
			continue
		}
		for _, n := range names {
			fmt.Fprintf(env.Stderr, "%s: %s %s\n", c.Name, verb, n)
		}
		if !opts.DryRun {
			if err := store.DeleteTags(ctx, names); err != nil {
				res.Status, res.Reason = report.Failed, fmt.Sprintf("connection %q: %v", c.Name, err)
				rep.Set(res)
				continue
			}
		}
		res.Status = report.Completed
		rep.Set(res)
	}
	rep.Finish(env.now())
	env.recordRun(ctx, store, rep, nil)
	return rep, nil
}

package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

// RestoreOptions say what to restore, where to, and how carefully.
type RestoreOptions struct {
	Connection string
	// To is the snapshot: a commit SHA, tag or branch.
	To string
	// Sections limits creates, updates and deletes to these sections; empty means the connection's sections.
	Sections []string
	// DryRun prints the plan and writes nothing. Without Yes, a run is a dry run unless Confirm says yes.
	DryRun bool
	Yes    bool
	// Confirm asks a person to approve the plan; nil (a non-interactive run) means no, so the run stays dry.
	Confirm    func(prompt string) bool
	NoDelete   bool
	MaxDeletes int
	AllowEmpty bool
	// SkipBasicAuth leaves basic-auth credentials out: a snapshot holds only Kong's hashes of their passwords.
	SkipBasicAuth bool
	// AdminURL restores into another gateway than the connection's (a recovery drill); nothing is recorded then.
	AdminURL string
	// NoRecord skips committing the restored state to the connection's branch.
	NoRecord    bool
	Parallelism int
	// FullPlan prints every operation of a plan over sync.LongPlan operations, not counts and the first of each.
	FullPlan bool
}

// ErrDryRun says a restore only printed its plan.
var ErrDryRun = errors.New("dry run: nothing was written")

// Restore converges a connection's gateway toward a snapshot: it checks the snapshot's integrity, plans against the
// live gateway read fresh (refusing unsafe plans before any write), applies the plan, verifies the gateway now
// matches the snapshot within the sections, and records the restored state on the connection's branch with a
// trailer naming the source commit, so the next drift check is clean.
func Restore(ctx context.Context, env *Env, opts RestoreOptions) (*report.Report, error) {
	conn, err := env.Config.Connection(opts.Connection)
	if err != nil {
		return nil, err
	}
	if opts.AdminURL != "" {
		drill := *conn
		drill.AdminURL, drill.Headers, drill.TLS = opts.AdminURL, nil, config.TLS{}
		conn, opts.NoRecord = &drill, true
	}
	rep := report.New("restore", env.runID(), TriggerRestore, env.now(), env.Config.Secrets(), nil)
	res, err := restore(ctx, env, conn, opts)
	res.Connection = conn.Name
	if err != nil && !errors.Is(err, ErrDryRun) {
		res.Status, res.Reason = report.Failed, err.Error()
	}
	rep.Set(res)
	rep.Finish(env.now())
	env.recordRun(ctx, nil, rep, nil)
	return rep, err
}

func restore(ctx context.Context, env *Env, conn *config.Connection, opts RestoreOptions) (report.Result, error) {
	res := report.Result{Status: report.Running}
	fail := func(format string, args ...any) (report.Result, error) {
		return res, fmt.Errorf("connection %q: "+format, append([]any{conn.Name}, args...)...)
	}
	if opts.To == "" {
		return fail("no snapshot given: pass --to SHA, tag or branch")
	}
	// In a disaster the remote may be what is down: openRepository restores from the local copy, and says so.
	repo, err := env.openRepository(ctx)
	if err != nil {
		return res, err
	}
	store, keys := repo.store, repo.keys
	files, source, err := store.Files(ctx, opts.To)
	if err != nil {
		return fail("%w (list snapshots with: kongsnap log --connection %s)", err, conn.Name)
	}
	if _, ok := files[snapshot.ManifestName]; !ok {
		// A decK file committed by hand has no manifest: nothing to check its files against, which is said, not
		// hidden. A kongsnap snapshot always has one, and then it must match.
		fmt.Fprintf(env.Stdout, "note: %s has no %s (not written by kongsnap): file checksums not verified.\n",
			short(source.Hash), snapshot.ManifestName)
	} else if err := snapshot.Verify(files); err != nil {
		return fail("snapshot %s fails its integrity check, refusing to restore it: %w", short(source.Hash), err)
	}
	target, err := snapshot.Read(files, snapshot.ReadOptions{Keyring: keys})
	if err != nil {
		return fail("reading snapshot %s: %w", short(source.Hash), err)
	}
	kinds, err := restoreKinds(conn, opts)
	if err != nil {
		return fail("%w", err)
	}

	client, err := env.openGateway(ctx, conn)
	if err != nil {
		return res, err
	}
	current, err := client.Read(ctx)
	if err != nil {
		return res, err
	}
	// A snapshot written by decK or by hand may leave Kong's defaults out; the gateway fills them in.
	defaults, err := client.Defaults(ctx, current, target)
	if err != nil {
		return res, err
	}
	planOpts := kongsync.Options{Sections: kinds, NoDelete: opts.NoDelete, MaxDeletes: opts.MaxDeletes,
		AllowEmpty: opts.AllowEmpty, Diff: diff.Options{Defaults: defaults}}
	plan, err := kongsync.NewPlan(current, target, planOpts)
	if err != nil {
		return fail("restoring %s: %w", short(source.Hash), err)
	}
	out := env.Stdout
	fmt.Fprintf(out, "restore %s to snapshot %s (%s)\n", conn.Name, short(source.Hash), source.Summary)
	if err := plan.WritePlan(out, opts.FullPlan); err != nil {
		return res, err
	}

	dry := opts.DryRun || plan.Empty()
	if !dry && !opts.Yes {
		prompt := fmt.Sprintf("Apply %d operations to %s? [y/N] ", len(plan.Operations), conn.Name)
		if opts.Confirm == nil || !opts.Confirm(prompt) {
			if opts.Confirm == nil {
				fmt.Fprintln(out, "not an interactive terminal and no --yes: running as a dry run.")
			}
			dry = true
		}
	}
	applied, err := kongsync.Apply(ctx, client, plan, kongsync.ApplyOptions{DryRun: dry, Parallelism: opts.Parallelism,
		Logger: env.logger()})
	if applied != nil {
		if werr := applied.Write(out); werr != nil {
			return res, werr
		}
	}
	if err != nil {
		return fail("restore of %s stopped; the lines above list what was applied and what was not. Fix the cause "+
			"and run the same restore again: it converges from wherever the gateway is now: %w", short(source.Hash), err)
	}
	res.Summary = plan.Summary()
	res.Counts = planCounts(plan)
	if dry {
		res.Status = report.Unchanged
		if plan.Empty() {
			fmt.Fprintf(out, "%s already matches snapshot %s: nothing to do.\n", conn.Name, short(source.Hash))
			return res, nil
		}
		fmt.Fprintf(out, "dry run: nothing was written. Run again with --yes to apply.\n")
		return res, ErrDryRun
	}

	left, err := kongsync.Verify(ctx, client, target, planOpts)
	if err != nil {
		return fail("verifying the restore: %w", err)
	}
	left = acceptAdopted(left, applied, out)
	if !left.Empty() {
		for _, ch := range left {
			fmt.Fprintf(out, "still different: %s %s\n", ch.Action, ch.Identity)
		}
		return fail("the gateway still differs from snapshot %s after the restore: %s", short(source.Hash), left.Summary())
	}
	fmt.Fprintf(out, "verified: %s matches snapshot %s within the restored sections.\n", conn.Name, short(source.Hash))
	res.Status = report.Completed
	if opts.NoRecord {
		return res, nil
	}
	return record(ctx, env, store, conn, keys, source, res)
}

// restoreKinds is the set of kinds a restore writes: the sections asked for, within the connection's own.
func restoreKinds(conn *config.Connection, opts RestoreOptions) (map[snapshot.Kind]bool, error) {
	own, err := snapshot.SectionKinds(conn.Sections)
	if err != nil {
		return nil, err
	}
	asked, err := snapshot.SectionKinds(opts.Sections)
	if err != nil {
		return nil, err
	}
	kinds := map[snapshot.Kind]bool{}
	for k := range asked {
		if own[k] {
			kinds[k] = true
		}
	}
	if opts.SkipBasicAuth {
		delete(kinds, snapshot.KindBasicAuth)
	}
	return kinds, nil
}

// record commits the gateway's state after a restore to the connection's branch, naming the source snapshot.
func record(ctx context.Context, env *Env, store *gitstore.Store, conn *config.Connection, keys *snapshot.Keyring,
	source gitstore.Commit, res report.Result) (report.Result, error) {
	live, version, err := env.readLive(ctx, conn)
	if err != nil {
		return res, fmt.Errorf("connection %q: restored and verified, but reading it back to record it failed: %w", conn.Name, err)
	}
	files, err := writeSnapshot(live, conn, version, keys)
	if err != nil {
		return res, err
	}
	branch := store.Branch(conn.Name)
	rec, err := Record(ctx, store, Entry{
		Connection: conn.Name, Branch: branch, Files: files,
		Summary: fmt.Sprintf("%s: restored to %s", conn.Name, short(source.Hash)), KongVersion: version,
		Entities: live.Len(), Trigger: TriggerRestore, RunID: env.runID(), RestoredFrom: source.Hash, At: env.now(),
	})
	var notPushed *NotPushedError
	switch {
	case errors.As(err, &notPushed):
		return res, fmt.Errorf("connection %q: restored and verified, recorded as %s locally, but not pushed: %w",
			conn.Name, short(notPushed.Commit), notPushed.Err)
	case err != nil:
		return res, err
	case rec.Unchanged:
		res.Commit = source.Hash
		return res, nil
	}
	res.Commit, res.Branch = rec.Commit, branch
	fmt.Fprintf(env.Stdout, "recorded the restored state on %s as %s.\n", branch, short(rec.Commit))
	return res, nil
}

// acceptAdopted drops from the verification the one difference adoption leaves on purpose: an entity that already
// held the target's unique key was updated in place and keeps its live id rather than being deleted and recreated
// (which would take its children with it). Each is reported instead.
func acceptAdopted(left diff.Changes, applied *kongsync.Result, out io.Writer) diff.Changes {
	adopted := map[string]bool{}
	for _, o := range applied.Applied {
		if o.AdoptedID != "" {
			adopted[o.AdoptedID] = true
		}
	}
	if len(adopted) == 0 {
		return left
	}
	kept := left[:0:0]
	for _, ch := range left {
		if ch.Action == diff.Changed && len(ch.Fields) == 1 && ch.Fields[0].Path == "id" && adopted[snapshot.ID(ch.Current)] {
			fmt.Fprintf(out, "adopted: %s keeps its live id %s (the snapshot has %s)\n", ch.Identity,
				snapshot.ID(ch.Current), snapshot.ID(ch.Target))
			continue
		}
		kept = append(kept, ch)
	}
	return kept
}

// planCounts is a plan per kind (as people name kinds) and action, for the step summary.
func planCounts(plan *kongsync.Plan) []report.Count {
	counts := plan.Counts()
	var out []report.Count
	for _, k := range snapshot.Kinds {
		if counts[k] == nil {
			continue
		}
		for _, a := range []kongsync.Action{kongsync.Create, kongsync.Update, kongsync.Delete} {
			out = append(out, report.Count{Kind: k.Singular() + "s", Action: string(a), Count: counts[k][a]})
		}
	}
	return out
}

package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Gateway is what Converge needs from a gateway; *gateway.Client has it.
type Gateway interface {
	Reader
	Writer
	Validator
	// Defaults returns Kong's defaults as the gateway's schemas serve them, for the kinds and plugins of s.
	Defaults(ctx context.Context, s ...*snapshot.Snapshot) (diff.Defaults, error)
	// AvailablePlugins returns the plugins the gateway runs, nil when unknown.
	AvailablePlugins() map[string]bool
}

var _ Gateway = (*gateway.Client)(nil)

// Status is how a convergence that did not fail ended.
type Status string

// The statuses of a Convergence.
const (
	// InSync: the gateway already matched the target; nothing was written.
	InSync Status = "in sync"
	// DryRun: the plan was shown and validated and nothing was written, as asked.
	DryRun Status = "dry run"
	// NotConfirmed: the plan was shown and validated and nothing was written, for want of a confirmation.
	NotConfirmed Status = "not confirmed"
	// Converged: the plan was applied and the gateway, read again, matches the target.
	Converged Status = "converged"
)

// ErrNotConverged marks an applied plan after which the gateway still differs from the target.
var ErrNotConverged = errors.New("the gateway still differs from the target")

// ConvergeOptions tune Converge.
type ConvergeOptions struct {
	// Plan tunes planning; when Plan.Diff.Defaults is nil, the gateway's own defaults are used.
	Plan Options
	// DryRun walks the plan and writes nothing.
	DryRun bool
	// Confirm is asked, once the plan is validated, whether to apply it; false writes nothing (NotConfirmed). nil
	// applies without asking.
	Confirm func(*Plan) bool
	// Parallelism bounds the validation requests and the operations in flight; default DefaultParallelism.
	Parallelism int
	// Out receives the plan, its validation, the run's outcome and what verification found; nil discards.
	Out io.Writer
	// FullPlan writes every operation of a long plan to Out (see Plan.WritePlan).
	FullPlan bool
	// AllowUnprotectedWindow applies a plan with Windows; without it such a plan is refused before any write (a
	// dry run shows it).
	AllowUnprotectedWindow bool
	// Logger receives one line per operation; nil discards.
	Logger *slog.Logger
	// Progress, when set, is told how each phase goes: phase is "validated", "applied" or "walked" (a dry run),
	// with the operations done of the phase's total.
	Progress func(phase string, done, total int)
	// Current, when set, is the whole gateway as the caller has just read it (Gateway.Read), planned against
	// instead of reading it again.
	Current *snapshot.Snapshot
}

// Convergence is what Converge did; the fields of phases that did not run are nil.
type Convergence struct {
	Status     Status
	Plan       *Plan
	Validation *Validation
	Result     *Result
	// Kept lists the entities that keep their live id instead of the target's (a create that adopted the live
	// entity holding its unique key): verification accepts that one difference and reports each.
	Kept diff.Changes
	// Left is what still differs after the plan was applied; not empty only with ErrNotConverged.
	Left diff.Changes
	// Verified is the whole gateway as verification read it, once Converged: what the restore left.
	Verified *snapshot.Snapshot
}

// Converge converges the gateway toward target within opts.Plan.Sections, in phases: read live, plan, validate,
// confirm, apply, verify. Nothing is written before the plan is made, passes its guards and is validated by the
// gateway itself, and (when opts.Confirm is set) confirmed. A dry run walks the same phases and writes nothing;
// InSync, DryRun and NotConfirmed are statuses, not errors. The Convergence is returned with every error, holding
// what the phases that ran found.
func Converge(ctx context.Context, gw Gateway, target *snapshot.Snapshot, opts ConvergeOptions) (*Convergence, error) {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	c := &converger{gw: gw, target: target, opts: opts, out: &Convergence{}}
	defer func() { c.ahead.stop() }()
	for _, phase := range []func(context.Context) error{c.readLive, c.plan, c.validate, c.confirm, c.apply, c.verify} {
		if err := phase(ctx); err != nil || c.out.Status != "" {
			return c.out, err
		}
	}
	return c.out, nil
}

// Matched is the Convergence of a target the caller found the gateway already holds, without planning (restore
// compares a snapshot's files with the live gateway written the same way): Out shows the empty plan, as Converge
// shows it, and the status is InSync.
func Matched(out io.Writer) (*Convergence, error) {
	plan := &Plan{}
	if out != nil {
		if err := plan.WritePlan(out, false); err != nil {
			return nil, err
		}
	}
	return &Convergence{Status: InSync, Plan: plan}, nil
}

// converger is one Converge in progress.
type converger struct {
	gw      Gateway
	target  *snapshot.Snapshot
	current *snapshot.Snapshot
	opts    ConvergeOptions
	out     *Convergence
	refused error // the plan's guards' refusal, reported once validation has run too
	ahead   *ahead
}

func (c *converger) readLive(ctx context.Context) (err error) {
	c.current = c.opts.Current
	if c.current == nil {
		if c.current, err = c.gw.Read(ctx); err != nil {
			return err
		}
	}
	if c.opts.Plan.Diff.Defaults == nil {
		// A snapshot written by decK or by hand may leave Kong's defaults out; the gateway fills them in.
		if c.opts.Plan.Diff.Defaults, err = c.gw.Defaults(ctx, c.current, c.target); err != nil {
			return err
		}
	}
	// What the plan is sure to create as the target holds it is validated while the plan is made.
	c.ahead = startAhead(ctx, c.gw, c.current, c.target, c.opts.Plan, c.opts.Parallelism, c.gw.AvailablePlugins())
	if c.ahead != nil {
		c.opts.Plan.prepared = c.ahead.copies
	}
	return nil
}

// plan makes the plan and prints it, all of it even when its guards refuse it, so that people see what was asked.
func (c *converger) plan(context.Context) error {
	plan, err := newPlan(c.current, c.target, c.opts.Plan)
	// The plan holds the live entities it acts on; the rest of the live read can go before the gateway is read
	// again to verify (a second whole gateway in memory otherwise).
	c.current = nil
	if plan == nil {
		return err
	}
	c.out.Plan, c.refused = plan, err
	if err := plan.WritePlan(c.opts.Out, c.opts.FullPlan); err != nil {
		return err
	}
	for _, k := range plan.Kept {
		fmt.Fprintf(c.opts.Out, "in place: %s keeps id %s (the snapshot has %s): matched by its natural identity, "+
			"converged without a delete\n", k.Identity, k.LiveID, k.TargetID)
	}
	for _, w := range plan.Windows {
		fmt.Fprintf(c.opts.Out, "unprotected window: %s\n", w)
	}
	return nil
}

// validate has the gateway check every entity the plan writes, even when the guards refused the plan, so that one
// run lists everything that stands in the way.
func (c *converger) validate(ctx context.Context) error {
	if c.refused == nil && c.out.Plan.Empty() {
		c.out.Status = InSync
		return nil
	}
	validation, err := Validate(ctx, c.gw, c.out.Plan, ValidateOptions{Parallelism: c.opts.Parallelism,
		Plugins: c.gw.AvailablePlugins(), Progress: c.progress("validated"), ahead: c.ahead})
	c.out.Validation = validation
	if werr := validation.Write(c.opts.Out); werr != nil && err == nil {
		err = werr
	}
	return errors.Join(c.refused, err)
}

// progress is ConvergeOptions.Progress for one phase, nil when unset.
func (c *converger) progress(phase string) func(done, total int) {
	if c.opts.Progress == nil {
		return nil
	}
	return func(done, total int) { c.opts.Progress(phase, done, total) }
}

func (c *converger) confirm(ctx context.Context) error {
	if w := c.out.Plan.Windows; len(w) > 0 && !c.opts.DryRun && !c.opts.AllowUnprotectedWindow {
		return fmt.Errorf("refusing to restore: %w: %s; apply it anyway only with --allow-unprotected-window",
			ErrUnprotectedWindow, windowList(w))
	}
	if c.opts.DryRun || c.opts.Confirm == nil || c.opts.Confirm(c.out.Plan) {
		return nil
	}
	return c.walk(ctx, NotConfirmed)
}

func (c *converger) apply(ctx context.Context) error {
	if c.opts.DryRun {
		return c.walk(ctx, DryRun)
	}
	res, err := Apply(ctx, c.gw, c.out.Plan, ApplyOptions{Parallelism: c.opts.Parallelism, Logger: c.opts.Logger,
		Progress: c.progress("applied"), Validation: c.out.Validation})
	c.out.Result = res
	if werr := res.Write(c.opts.Out); werr != nil && err == nil {
		err = werr
	}
	return err
}

// walk runs the plan as a dry run (the same path an apply takes, writing nothing) and ends with status.
func (c *converger) walk(ctx context.Context, status Status) error {
	res, err := Apply(ctx, c.gw, c.out.Plan, ApplyOptions{DryRun: true, Parallelism: c.opts.Parallelism,
		Logger: c.opts.Logger, Progress: c.progress("walked")})
	c.out.Result, c.out.Status = res, status
	if err != nil {
		return err
	}
	return res.Write(c.opts.Out)
}

// verify reads the gateway again and compares it with the target within the sections.
func (c *converger) verify(ctx context.Context) error {
	left, live, err := verify(ctx, c.gw, c.target, c.opts.Plan)
	if err != nil {
		return err
	}
	c.out.Left, c.out.Kept = kept(left, c.out.Result, c.out.Plan)
	for _, ch := range c.out.Kept {
		fmt.Fprintf(c.opts.Out, "adopted: %s keeps its live id %s (the snapshot has %s)\n", ch.Identity,
			snapshot.ID(ch.Current), snapshot.ID(ch.Target))
	}
	if !c.out.Left.Empty() {
		for _, ch := range c.out.Left {
			fmt.Fprintf(c.opts.Out, "still different: %s %s\n", ch.Action, ch.Identity)
		}
		return fmt.Errorf("%w after the restore: %s", ErrNotConverged, c.out.Left.Summary())
	}
	c.out.Status, c.out.Verified = Converged, live
	return nil
}

// kept splits from what verification found the one difference adoption and in-place convergence leave on
// purpose: an entity that already held the target's unique key or natural identity was updated in place and keeps
// its live id (Plan.Kept, Outcome.AdoptedID) rather than being deleted and recreated.
func kept(left diff.Changes, applied *Result, plan *Plan) (rest, kept diff.Changes) {
	adopted := map[string]bool{}
	if plan != nil {
		for _, k := range plan.Kept {
			adopted[k.LiveID] = true
		}
	}
	for _, o := range applied.Applied {
		if o.AdoptedID != "" {
			adopted[o.AdoptedID] = true
		}
	}
	for _, ch := range left {
		if ch.Action == diff.Changed && len(ch.Fields) == 1 && ch.Fields[0].Path == "id" && adopted[snapshot.ID(ch.Current)] {
			kept = append(kept, ch)
			continue
		}
		rest = append(rest, ch)
	}
	return rest, kept
}

func windowList(ws []Window) string {
	items := make([]string, len(ws))
	for i, w := range ws {
		items[i] = w.String()
	}
	return list(items)
}

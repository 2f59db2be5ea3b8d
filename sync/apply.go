package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	gosync "sync"

	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Writer is what Apply needs from a gateway; *gateway.Client has it. Create upserts by id and fails with an error
// wrapping gateway.ErrConflict when another entity holds a unique key; Lookup returns that entity.
type Writer interface {
	Create(ctx context.Context, e any) (any, error)
	Update(ctx context.Context, e any) (any, error)
	Delete(ctx context.Context, e any) error
	Lookup(ctx context.Context, e any) (any, error)
}

var _ Writer = (*gateway.Client)(nil)

// blindWriter is a Writer that can also create and update without decoding the entity the gateway stored, which
// Apply never reads; *gateway.Client is one.
type blindWriter interface {
	CreateBlind(ctx context.Context, e any) error
	UpdateBlind(ctx context.Context, e any) error
}

var _ blindWriter = (*gateway.Client)(nil)

// ErrIncomplete marks an Apply that stopped before every operation succeeded; its Result says what was applied.
var ErrIncomplete = errors.New("restore incomplete")

// DefaultParallelism is how many operations Apply runs at once unless told otherwise.
const DefaultParallelism = 10

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// DryRun walks the plan exactly as a real run does, dependencies and all, and writes nothing.
	DryRun bool
	// Parallelism bounds the operations in flight; default DefaultParallelism.
	Parallelism int
	// Logger receives one line per operation; nil discards.
	Logger *slog.Logger
	// Progress, when set, is told after each operation finishes: how many of the plan's are done. Calls are
	// serialised.
	Progress func(done, total int)
	// Validation, when set, is the plan's validation (Validate): each create and update sends the bytes the
	// gateway validated, encoded once for both, when the writer takes them (*gateway.Client does) and the entity
	// written is the one validated (not a copy pointing to an adopted entity).
	Validation *Validation
}

// Outcome is what became of one operation.
type Outcome struct {
	Index     int // in Plan.Operations
	Operation Operation
	// AdoptedID is the id of the live entity a create adopted after a conflict ("" otherwise): it was updated to
	// the target and kept its id, and the operations after it point to it.
	AdoptedID string
	Err       error
}

// Result reports a run: every operation is in exactly one of Applied, Failed, Unknown and NotApplied, each in plan
// order. Failed ones were refused by the gateway (Err holds its message); Unknown ones were sent but got no answer
// (the run was interrupted, the connection dropped), so the gateway may or may not have applied them.
type Result struct {
	DryRun     bool
	Applied    []Outcome
	Failed     []Outcome
	Unknown    []Outcome
	NotApplied []Outcome
}

// Write reports the run for people: counts, then each failed, unknown, adopted and not applied operation.
func (r *Result) Write(w io.Writer) error {
	verb := "applied"
	if r.DryRun {
		verb = "would apply (dry run)"
	}
	lines := []string{fmt.Sprintf("%s %d operations, %d failed, %d unknown, %d not applied", verb, len(r.Applied),
		len(r.Failed), len(r.Unknown), len(r.NotApplied))}
	for _, o := range r.Failed {
		lines = append(lines, fmt.Sprintf("failed: %s: %v", o.Operation, o.Err))
	}
	for _, o := range r.Unknown {
		lines = append(lines, fmt.Sprintf("unknown: %s: the gateway may or may not have applied it (%v)", o.Operation, o.Err))
	}
	for _, o := range r.Applied {
		if o.AdoptedID != "" {
			lines = append(lines, fmt.Sprintf("adopted: %s: the live entity %s was updated in its place", o.Operation, o.AdoptedID))
		}
	}
	for _, o := range r.NotApplied {
		lines = append(lines, "not applied: "+o.Operation.String())
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}

// Apply runs a plan's operations through w, up to Parallelism at once, each as soon as those it depends on have
// succeeded. A create that meets a conflict adopts the live entity in its way (see Outcome.AdoptedID). The first
// failure, or the cancellation of ctx, stops the run: nothing new starts, operations in flight finish, and the
// error (wrapping ErrIncomplete and the failure) comes with a Result saying what was applied, what failed, what is
// unknown (sent, never answered) and what was not applied.
func Apply(ctx context.Context, w Writer, plan *Plan, opts ApplyOptions) (*Result, error) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &run{
		ctx: ctx, w: w, plan: plan, opts: opts,
		waiting:    make([]int, len(plan.Operations)),
		dependants: make([][]int, len(plan.Operations)),
		outcomes:   make([]*Outcome, len(plan.Operations)),
		adopted:    map[string]string{},
	}
	r.cond = gosync.NewCond(&r.mu)
	for i, op := range plan.Operations {
		r.waiting[i] = len(op.DependsOn)
		for _, d := range op.DependsOn {
			r.dependants[d] = append(r.dependants[d], i)
		}
		if len(op.DependsOn) == 0 {
			r.ready = append(r.ready, i)
		}
	}
	var workers gosync.WaitGroup
	for range min(opts.Parallelism, len(plan.Operations)) {
		workers.Go(r.worker)
	}
	workers.Wait()
	return r.result()
}

// started is an operation a worker has taken: its index, the entity to write and what to send for it (the
// entity, or its validated encoding).
type started struct {
	i       int
	entity  any
	payload any
}

// worker executes operations, one at a time, until the run ends; there are Parallelism workers, so never more
// operations are in flight. A worker that finishes one takes the next ready one itself: an answer leads to the next
// request without a hand-off between goroutines, which, with the gateway on the same machine, would wake another
// thread for each operation.
func (r *run) worker() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		s, ok := r.next()
		if !ok {
			return
		}
		r.mu.Unlock()
		outcome := r.execute(s)
		r.mu.Lock()
		r.finish(s, outcome)
	}
}

// payload is what to send to write entity, operation i's: the encoding its validation sent, when there is one of
// this very entity and the writer takes encodings, or the entity.
func (r *run) payload(i int, entity any) any {
	v := r.opts.Validation
	if _, ok := r.w.(encoder); !ok || v == nil || i >= len(v.encoded) || v.encoded[i] == nil {
		return entity
	}
	if x := v.encoded[i]; x.Entity() == entity {
		return x
	}
	return entity
}

// run is one Apply in progress. Operations become ready when their last dependency succeeds and start in plan
// order; mu guards everything below it.
type run struct {
	ctx  context.Context
	w    Writer
	plan *Plan
	opts ApplyOptions

	mu         gosync.Mutex
	cond       *gosync.Cond // signalled when an operation becomes ready or the run ends
	waiting    []int        // dependencies not yet succeeded, per operation
	dependants [][]int      // operations waiting for each operation
	ready      []int        // sorted
	running    int
	stopped    error
	outcomes   []*Outcome
	done       int               // operations finished, for ApplyOptions.Progress
	adopted    map[string]string // planned id → id of the live entity adopted in its place
}

// next takes the first ready operation, waiting for one while others run; ok is false once the run has ended:
// nothing is running and nothing can start (none is ready, or the run stopped). r.mu is held.
func (r *run) next() (s started, ok bool) {
	for {
		if r.stopped == nil && r.ctx.Err() != nil {
			r.stopped = r.ctx.Err()
		}
		if r.stopped == nil && len(r.ready) > 0 {
			i := r.ready[0]
			r.ready = r.ready[1:]
			r.running++
			entity := repoint(r.plan.Operations[i].Entity, r.adopted)
			return started{i: i, entity: entity, payload: r.payload(i, entity)}, true
		}
		if r.running == 0 {
			r.cond.Broadcast() // the run has ended: the workers still waiting return too
			return started{}, false
		}
		r.cond.Wait()
	}
}

// execute writes one operation (or, in a dry run, only logs it) and returns its outcome.
func (r *run) execute(s started) *Outcome {
	i, entity := s.i, s.entity
	op := r.plan.Operations[i]
	outcome := &Outcome{Index: i, Operation: op}
	// The operation's attributes are put together only for a line the logger keeps: most runs keep none.
	log := func(level slog.Level, msg string, args ...any) {
		if r.opts.Logger.Enabled(r.ctx, level) {
			r.opts.Logger.Log(r.ctx, level, msg, append([]any{"action", string(op.Action), "entity", op.Identity,
				"id", snapshot.ID(entity)}, args...)...)
		}
	}
	if r.opts.DryRun {
		log(slog.LevelInfo, "would apply")
		return outcome
	}
	outcome.AdoptedID, outcome.Err = r.write(op.Action, entity, s.payload)
	switch {
	case outcome.Err != nil:
		log(slog.LevelError, "failed", "error", outcome.Err)
	case outcome.AdoptedID != "":
		log(slog.LevelInfo, "adopted the live entity in the way", "live_id", outcome.AdoptedID)
	default:
		log(slog.LevelInfo, "applied")
	}
	return outcome
}

// finish records an operation's outcome: a failure stops the run, a success readies the operations waiting only
// for it, and a waiting worker is woken for each of them but the one the caller takes next. r.mu is held.
func (r *run) finish(s started, outcome *Outcome) {
	r.running--
	r.outcomes[s.i] = outcome
	r.done++
	if r.opts.Progress != nil {
		r.opts.Progress(r.done, len(r.plan.Operations))
	}
	if outcome.Err != nil {
		if r.stopped == nil {
			r.stopped = outcome.Err
		}
		return
	}
	if outcome.AdoptedID != "" {
		r.adopted[snapshot.ID(s.entity)] = outcome.AdoptedID
	}
	readied := 0
	for _, d := range r.dependants[s.i] {
		if r.waiting[d]--; r.waiting[d] == 0 {
			r.ready = insertSorted(r.ready, d)
			readied++
		}
	}
	for range readied - 1 {
		r.cond.Signal()
	}
}

// write sends one operation on e, sending payload (e or its encoding) for a create or an update. A create refused
// for a conflict adopts the live entity holding the key: it is updated to the target, keeping its id, which write
// returns.
func (r *run) write(action Action, e, payload any) (string, error) {
	switch action {
	case Delete:
		return "", r.w.Delete(r.ctx, e)
	case Update:
		return "", r.update(payload)
	}
	err := r.create(payload)
	if !errors.Is(err, gateway.ErrConflict) {
		return "", err
	}
	live, lookupErr := r.w.Lookup(r.ctx, e)
	if lookupErr != nil {
		return "", fmt.Errorf("%w; adopting the entity in the way: %w", err, lookupErr)
	}
	adopted := clone(e)
	setID(adopted, snapshot.ID(live))
	if err := r.update(adopted); err != nil {
		return "", fmt.Errorf("adopting live %s: %w", snapshot.Describe(live), err)
	}
	return snapshot.ID(live), nil
}

func (r *run) create(e any) error {
	if b, ok := r.w.(blindWriter); ok {
		return b.CreateBlind(r.ctx, e)
	}
	_, err := r.w.Create(r.ctx, e)
	return err
}

func (r *run) update(e any) error {
	if b, ok := r.w.(blindWriter); ok {
		return b.UpdateBlind(r.ctx, e)
	}
	_, err := r.w.Update(r.ctx, e)
	return err
}

func insertSorted(list []int, v int) []int {
	i := len(list)
	for i > 0 && list[i-1] > v {
		i--
	}
	list = append(list, 0)
	copy(list[i+1:], list[i:])
	list[i] = v
	return list
}

// repoint returns e with its references to adopted entities pointing to the live ids, copying e only when one
// does.
func repoint(e any, adopted map[string]string) any {
	if len(adopted) == 0 {
		return e
	}
	var out any
	for i, r := range refsOf(e) {
		if live, ok := adopted[r.ID]; ok {
			if out == nil {
				out = clone(e)
			}
			refsOf(out)[i].SetID(live)
		}
	}
	if out == nil {
		return e
	}
	return out
}

func (r *run) result() (*Result, error) {
	res := &Result{DryRun: r.opts.DryRun}
	var first *Outcome
	for i, o := range r.outcomes {
		switch {
		case o == nil:
			res.NotApplied = append(res.NotApplied, Outcome{Index: i, Operation: r.plan.Operations[i]})
		case o.Err != nil && unanswered(o.Err):
			res.Unknown = append(res.Unknown, *o)
			if first == nil {
				first = o
			}
		case o.Err != nil:
			res.Failed = append(res.Failed, *o)
			if first == nil || unanswered(first.Err) {
				first = o
			}
		default:
			res.Applied = append(res.Applied, *o)
		}
	}
	if r.stopped == nil {
		return res, nil
	}
	cause := r.stopped
	if first != nil {
		cause = first.Err
	}
	return res, fmt.Errorf("%w: %d of %d operations applied, %d failed, %d unknown, %d not applied: %w", ErrIncomplete,
		len(res.Applied), len(r.plan.Operations), len(res.Failed), len(res.Unknown), len(res.NotApplied), cause)
}

// unanswered reports whether a write's error leaves its effect unknown: it got no answer (gateway.ErrNoAnswer) or
// the run was cancelled while it was in flight.
func unanswered(err error) bool {
	return errors.Is(err, gateway.ErrNoAnswer) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	gosync "sync"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway"
)

// Validator asks the gateway whether it would accept an entity, writing nothing; *gateway.Client has it. A
// rejection is an error wrapping gateway.ErrInvalid.
type Validator interface {
	Validate(ctx context.Context, e any) error
}

var _ Validator = (*gateway.Client)(nil)

// ErrRejected marks a plan the gateway's own validation rejects: some entity it would create or update would be
// refused. Nothing has been written then.
var ErrRejected = errors.New("the gateway rejects entities the plan writes")

// Rejection is one operation the gateway would refuse, and why: Kong's own message, or a plugin the gateway does
// not run.
type Rejection struct {
	Index     int // in Plan.Operations
	Operation Operation
	Reason    string
}

// Validation is what validating a plan found.
type Validation struct {
	// Validated counts the creates and updates checked; Requests the validation requests sent for them (a plugin
	// the gateway does not run is rejected without one).
	Validated, Requests int
	// Rejected lists every operation the gateway would refuse, in plan order.
	Rejected []Rejection
	// encoded holds, per operation of the plan, its entity as the gateway encoded it to validate it (nil when the
	// validator does not encode): Apply writes those very bytes (ApplyOptions.Validation).
	encoded []*gateway.Encoded
}

// encoder is a Validator that encodes an entity once for its validation and its write; *gateway.Client is one.
type encoder interface {
	Encode(e any) (*gateway.Encoded, error)
}

var _ encoder = (*gateway.Client)(nil)

// ValidateOptions tune Validate.
type ValidateOptions struct {
	// Parallelism bounds the validation requests in flight; default DefaultParallelism.
	Parallelism int
	// Plugins, when not nil, are the plugins the gateway runs (gateway.Client.AvailablePlugins); a plugin outside
	// them is rejected as not enabled on the gateway.
	Plugins map[string]bool
	// Progress, when set, is told after each operation checked: how many of the plan's creates and updates are.
	Progress func(done, total int)

	// ahead, when set, validated entities while the plan was made: Validate waits for it and takes its answers.
	ahead *ahead
}

// Validate has the gateway check every entity the plan creates or updates, before anything is written, up to
// Parallelism requests at once. Every rejection is collected (not only the first); the error wraps ErrRejected and
// names them. A validation request that fails for another reason (the gateway unreachable, the endpoint
// forbidden) fails the validation: nothing can be said about the plan, so nothing should be applied.
func Validate(ctx context.Context, v Validator, plan *Plan, opts ValidateOptions) (*Validation, error) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	res := &Validation{}
	opts.ahead.wait()
	res.Requests = opts.ahead.requests()
	enc, encodes := v.(encoder)
	if encodes {
		res.encoded = make([]*gateway.Encoded, len(plan.Operations))
	}
	reasons := make([]string, len(plan.Operations))
	failures := make([]error, len(plan.Operations))
	total := 0
	for _, op := range plan.Operations {
		if op.Action != Delete {
			total++
		}
	}
	var mu gosync.Mutex
	done := 0
	checked := func() {
		if opts.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		opts.Progress(done, total)
	}
	// A few long-lived workers, rather than a goroutine per request, keep the stacks a request needs grown once.
	work := make(chan int)
	var wg gosync.WaitGroup
	for range min(opts.Parallelism, total) {
		wg.Go(func() {
			for i := range work {
				e := plan.Operations[i].Entity
				if encodes {
					// An entity that cannot be encoded is validated as it is, and fails as Validate says.
					if x, err := enc.Encode(e); err == nil {
						res.encoded[i], e = x, x
					}
				}
				err := v.Validate(ctx, e)
				switch {
				case errors.Is(err, gateway.ErrInvalid):
					reasons[i] = err.Error()
				case err != nil:
					failures[i] = err
				}
				checked()
			}
		})
	}
	for i, op := range plan.Operations {
		if op.Action == Delete {
			continue
		}
		res.Validated++
		if name, off := notEnabled(op.Entity, opts.Plugins); off {
			reasons[i] = fmt.Sprintf("plugin %s is not enabled on this gateway (not in its plugins.available_on_server)", name)
			checked()
			continue
		}
		if ans, ok := opts.ahead.answered(op.Entity); ok {
			if encodes {
				res.encoded[i] = ans.encoded
			}
			if ans.err != nil {
				reasons[i] = ans.err.Error()
			}
			checked()
			continue
		}
		res.Requests++
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(failures...); err != nil {
		return res, fmt.Errorf("validating the plan with the gateway: %w", err)
	}
	var rejected []string
	for i, reason := range reasons {
		if reason != "" {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Operation: plan.Operations[i], Reason: reason})
			rejected = append(rejected, fmt.Sprintf("%d. %s: %s", i+1, plan.Operations[i], reason))
		}
	}
	if len(rejected) > 0 {
		return res, fmt.Errorf("refusing to restore: %w: %d of %d: %s; fix the snapshot (or the gateway's plugins) and run again",
			ErrRejected, len(rejected), res.Validated, list(rejected))
	}
	return res, nil
}

// notEnabled reports whether e is a plugin outside plugins (the plugins the gateway runs; nil when unknown), and
// its name: the gateway is not asked about it, it is rejected as not enabled.
func notEnabled(e any, plugins map[string]bool) (string, bool) {
	p, ok := e.(*kong.Plugin)
	if !ok || plugins == nil || p.Name == nil {
		return "", false
	}
	return *p.Name, !plugins[*p.Name]
}

// Write reports the validation for people: how many entities the gateway checked, then every rejection.
func (v *Validation) Write(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "validated %d entities with the gateway (%d validation requests): %d rejected\n",
		v.Validated, v.Requests, len(v.Rejected)); err != nil {
		return err
	}
	for _, r := range v.Rejected {
		if _, err := fmt.Fprintf(w, "rejected: %d. %s: %s\n", r.Index+1, r.Operation, r.Reason); err != nil {
			return err
		}
	}
	return nil
}

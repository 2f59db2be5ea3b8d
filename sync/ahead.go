package sync

import (
	"context"
	"errors"
	gosync "sync"

	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
)

// ahead validates, while the plan is being made, the target entities the plan is sure to create as they are: every
// entity with an id of a kind in the sections that the live gateway holds none of (a restore into an empty
// gateway, or a section restored into one that lacks it). Planning takes a tenth of such a restore and the
// gateway would sit idle through it; validating is most of the rest.
//
// Each such entity is copied (prepare), and the plan writes that very copy when it writes the entity as the target
// holds it: its id kept and every reference already the final id of its parent (planner.writtenOf). Validate then
// takes the answer ahead got for the operation's entity, and the encoding it sent (which Apply writes), instead of
// asking again; an operation whose entity is not a prepared copy is validated as always. A copy is never changed
// once made: the planner only reads the copies it adopts, while the workers encode them.
//
// Only answers are kept: a validation that failed for another reason (the gateway unreachable, the run
// cancelled) is left to Validate, which asks again and fails as it always has. The requests in flight never
// exceed the parallelism: Validate waits for ahead before sending its own.
type ahead struct {
	cancel context.CancelFunc
	done   gosync.WaitGroup
	ready  chan struct{} // closed once prepared is complete
	// prepared maps each target entity validated ahead to its copy as the plan writes it (see prepare).
	prepared map[any]any

	mu      gosync.Mutex
	answers map[any]answer // copy → what the gateway answered
	sent    int            // validation requests sent
}

// answer is a validation ahead of the plan: the entity encoded as it was sent, and nil or the rejection.
type answer struct {
	encoded *gateway.Encoded
	err     error
}

// aheadGateway is a Validator that encodes what it validates; *gateway.Client is one.
type aheadGateway interface {
	Validator
	encoder
}

// startAhead starts validating, parallelism requests at once, the entities of target sure to be created as they
// are (see ahead), unless there are none or v does not encode; plugins, when not nil, are the plugins the gateway
// runs (a plugin outside them is not asked about: Validate rejects it without a request). It returns nil when
// it starts nothing. The copies are made on a goroutine of their own, each handed to the workers as it is made.
func startAhead(ctx context.Context, v Validator, current, target *snapshot.Snapshot, opts Options, parallelism int,
	plugins map[string]bool) *ahead {
	gw, ok := v.(aheadGateway)
	if !ok || current == nil || target == nil {
		return nil
	}
	var kinds []snapshot.Kind
	n := 0
	for _, kind := range snapshot.Kinds {
		if opts.in(kind) && current.CountOf(kind) == 0 && target.CountOf(kind) > 0 {
			kinds, n = append(kinds, kind), n+target.CountOf(kind)
		}
	}
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &ahead{cancel: cancel, ready: make(chan struct{}), prepared: make(map[any]any, n),
		answers: make(map[any]answer, n)}
	work := make(chan any, n) // never full: the copies are made at their own pace
	for range min(parallelism, n) {
		a.done.Go(func() {
			for c := range work {
				if ctx.Err() == nil {
					a.validate(ctx, gw, c)
				}
			}
		})
	}
	a.done.Go(func() {
		defer close(work)
		defer close(a.ready)
		for _, kind := range kinds {
			for _, e := range target.Entities(kind) {
				if snapshot.ID(e) == "" {
					continue // the plan gives it a fresh id: what it writes is not known yet
				}
				if _, off := notEnabled(e, plugins); off {
					continue // rejected without a request
				}
				c := prepare(e)
				a.prepared[e] = c
				work <- c
			}
		}
	})
	return a
}

// prepare returns the copy of e the plan writes when it writes e as the target holds it (planner.asTargetHolds):
// what planner.writtenOf makes of it then, every reference set to the id it holds and the id to its own.
func prepare(e any) any {
	c := clone(e)
	for _, r := range refsOf(c) {
		if r.ID != "" {
			r.SetID(r.ID)
		}
	}
	setID(c, snapshot.ID(e))
	return c
}

// copies returns the copies being validated, once they are all made; nil for no ahead.
func (a *ahead) copies() map[any]any {
	if a == nil {
		return nil
	}
	<-a.ready
	return a.prepared
}

// validate asks the gateway about c and keeps the answer, if it gave one.
func (a *ahead) validate(ctx context.Context, gw aheadGateway, c any) {
	x, err := gw.Encode(c)
	if err != nil {
		return // Validate encodes it again and says what is wrong
	}
	err = gw.Validate(ctx, x)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent++
	if err == nil || errors.Is(err, gateway.ErrInvalid) {
		a.answers[c] = answer{encoded: x, err: err}
	}
}

// wait waits for every validation ahead to end.
func (a *ahead) wait() {
	if a != nil {
		a.done.Wait()
	}
}

// stop cancels what has not been sent and waits for what has.
func (a *ahead) stop() {
	if a != nil {
		a.cancel()
		a.done.Wait()
	}
}

// answered returns the answer ahead got for e, an operation's entity; the workers must have ended (wait).
func (a *ahead) answered(e any) (answer, bool) {
	if a == nil {
		return answer{}, false
	}
	ans, ok := a.answers[e]
	return ans, ok
}

// requests is how many validation requests ahead sent; the workers must have ended (wait).
func (a *ahead) requests() int {
	if a == nil {
		return 0
	}
	return a.sent
}

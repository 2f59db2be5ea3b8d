package sync

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

// The refusals of NewPlan: each error wraps one of them and names the entities at fault. Nothing is written.
var (
	ErrDangling        = errors.New("the target references entities it does not hold")
	ErrOutsideSections = errors.New("the target needs entities outside the sections")
	ErrCollision       = errors.New("live entities the plan keeps hold unique keys the target needs")
	ErrTooManyDeletes  = errors.New("the plan deletes more entities than allowed")
	ErrEmptyTarget     = errors.New("the target is empty or nearly empty")
	ErrRedacted        = errors.New("the target holds redacted secrets")
	ErrUnknownPassword = errors.New("basic-auth passwords are unknown")
	ErrCycle           = errors.New("the operations cannot be ordered")
)

// refusals collects what the guards found.
type refusals struct {
	dangling, outside, collisions, redacted, passwords []string
	deletes, empty                                     error
}

// maxListed is how many entities a refusal names before it says how many more there are.
const maxListed = 20

func list(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:maxListed], "; "), len(items)-maxListed)
}

// guards checks the plan's size and the entities it writes.
func (p *planner) guards(current *snapshot.Snapshot) {
	live, want := total(current, p.opts.in), total(p.m.Target, p.opts.in)
	if !p.opts.AllowEmpty && live > 0 && (want == 0 || want*10 < live) {
		p.refused.empty = fmt.Errorf("%w: it holds %d entities in the sections, the gateway %d; "+
			"check the snapshot, or allow an empty target to delete them", ErrEmptyTarget, want, live)
	}
	limit := p.opts.MaxDeletes
	if limit == 0 {
		limit = max(10, current.Len()/10)
	}
	var deletes []string
	for _, o := range p.ops {
		if o.Action == Delete {
			deletes = append(deletes, o.String())
		}
	}
	if limit > 0 && len(deletes) > limit {
		p.refused.deletes = fmt.Errorf("%w: %d deletes, at most %d allowed: %s; raise the limit to allow them",
			ErrTooManyDeletes, len(deletes), limit, list(deletes))
	}
	writes := &snapshot.Snapshot{}
	for _, o := range p.ops {
		if o.Action == Delete {
			continue
		}
		_, _ = writes.Add(o.Entity) // every operation holds a kind the snapshot holds
		if c, ok := o.Entity.(*kong.BasicAuth); ok && unknownPassword(c) {
			p.refused.passwords = append(p.refused.passwords, o.Identity)
		}
	}
	for _, f := range writes.RedactedFields() {
		p.refused.redacted = append(p.refused.redacted, f.String())
	}
}

// refusal returns every guard's finding as one error, nil when the plan is safe.
func (p *planner) refusal() error {
	r := p.refused
	var errs []error
	add := func(sentinel error, items []string, advice string) {
		if len(items) > 0 {
			errs = append(errs, fmt.Errorf("%w: %s; %s", sentinel, list(items), advice))
		}
	}
	add(ErrDangling, r.dangling, "the snapshot is inconsistent: add the missing entities or remove the references")
	add(ErrOutsideSections, r.outside, "add their sections to the restore")
	add(ErrCollision, r.collisions, "the target cannot be applied as is")
	add(ErrRedacted, r.redacted, "restore from a snapshot written with secrets encrypted")
	add(ErrUnknownPassword, r.passwords, "the snapshot holds only Kong's hash of each password; "+
		"set their plaintext passwords in the target, or leave them out (kongsnap restore --skip-basic-auth)")
	errs = append(errs, r.deletes, r.empty)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("refusing to restore: %w", err)
	}
	return nil
}

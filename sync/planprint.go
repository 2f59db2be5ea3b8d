package sync

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kongsnap/kongsnap/snapshot"
)

// LongPlan is the number of operations above which WritePlan shows counts and the first operations of each kind
// and action instead of every operation.
const LongPlan = 200

// firstOfEach is how many operations of each kind and action a long plan shows.
const firstOfEach = 5

// WritePlan prints a plan for a person: a summary line, then each operation with, for updates, the old → new value
// of each field (a secret says "changed", never a value). A plan over LongPlan operations prints counts per kind
// and action and the first operations of each, unless full.
func (p *Plan) WritePlan(w io.Writer, full bool) error {
	if _, err := fmt.Fprintf(w, "plan: %s\n", p.Summary()); err != nil {
		return err
	}
	if full || len(p.Operations) <= LongPlan {
		for i, op := range p.Operations {
			if _, err := fmt.Fprintf(w, "%4d. %s\n", i+1, op.Detailed()); err != nil {
				return err
			}
		}
		return nil
	}
	counts := p.Counts()
	fmt.Fprintf(w, "%d operations; the first %d of each kind and action follow (--full-plan for all):\n", len(p.Operations), firstOfEach)
	for _, kind := range snapshot.Kinds {
		for _, action := range []Action{Create, Update, Delete} {
			n := counts[kind][action]
			if n == 0 {
				continue
			}
			fmt.Fprintf(w, "  %s %d %s\n", action, n, kind.Singular()+plural(n))
			shown := 0
			for i, op := range p.Operations {
				if op.Kind != kind || op.Action != action {
					continue
				}
				if shown == firstOfEach {
					fmt.Fprintf(w, "        … and %d more\n", n-shown)
					break
				}
				fmt.Fprintf(w, "  %4d. %s\n", i+1, op.Detailed())
				shown++
			}
		}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Detailed is String with, for an update, each changed field's old → new value; secrets show as "changed".
func (o Operation) Detailed() string {
	if o.Action != Update || len(o.Changes) == 0 {
		return o.String()
	}
	parts := make([]string, len(o.Changes))
	for i, f := range o.Changes {
		switch {
		case f.Secret:
			parts[i] = f.Path + " changed"
		default:
			parts[i] = fmt.Sprintf("%s %s → %s", f.Path, compact(f.From), compact(f.To))
		}
	}
	s := string(o.Action) + " " + o.Identity
	if id := snapshot.ID(o.Entity); id != "" {
		s += " (id " + id + ")"
	}
	s += ": " + strings.Join(parts, ", ")
	if o.Reason != "" {
		s += " [" + o.Reason + "]"
	}
	return s
}

func compact(v any) string {
	if v == nil {
		return "(unset)"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(data) > 80 {
		return string(data[:77]) + "…"
	}
	return string(data)
}

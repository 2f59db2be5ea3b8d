package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
)

// outsideIDs checks, before any write, that the gateway holds every entity a partial snapshot (some sections, or
// select tags) references outside itself by id, and returns their ids for the plan (sync.Options.Outside): the
// gateway's read under select tags does not see them. One it lacks fails the restore, naming each.
func outsideIDs(ctx context.Context, client *gateway.Client, conn *config.Connection, target *snapshot.Snapshot) (map[string]bool, error) {
	held := map[string]bool{}
	var missing []string
	for _, r := range target.OutsideRefs() {
		if r.Ref.ID == "" || held[r.Ref.ID] {
			continue // a reference by name is the planner's to refuse
		}
		ok, err := client.Holds(ctx, r.Ref.Kind, r.Ref.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			missing = append(missing, fmt.Sprintf("%s field %s: %s %s", r.From, r.Field, r.Ref.Kind.Singular(), r.Ref.ID))
			continue
		}
		held[r.Ref.ID] = true
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("connection %q: refusing to restore: the snapshot is partial and references entities "+
			"outside it that the gateway does not hold (nothing was written): %s; restore them first",
			conn.Name, strings.Join(missing, "; "))
	}
	return held, nil
}

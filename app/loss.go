package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/snapshot"
)

// refuseLoss fails a backup in which a kind that held entities in the branch's current snapshot now reads as
// absent: the gateway said it does not have the collection at all (a plugin uninstalled, a Kong downgraded), which
// is not the same as deleting every entity of it, and committing the snapshot would record their loss. A kind
// read as an empty list is a real deletion and is recorded. The current snapshot's counts come from its manifest,
// so no key is needed; a branch without one (a first backup, files committed by hand) has nothing to lose.
func refuseLoss(ctx context.Context, store *gitstore.Store, c *config.Connection,
	absent map[snapshot.Kind]string) error {
	if len(absent) == 0 {
		return nil
	}
	data, ok, err := store.File(ctx, store.Branch(c.Name), snapshot.ManifestName)
	if err != nil || !ok {
		return nil
	}
	prev, err := snapshot.ParseManifest(data)
	if err != nil {
		return nil
	}
	covered, err := snapshot.SectionKinds(c.Sections)
	if err != nil {
		return fmt.Errorf("connection %q: %w", c.Name, err)
	}
	var lost []string
	for _, kind := range snapshot.Kinds {
		answer, isAbsent := absent[kind]
		if n := prev.Counts[kind]; isAbsent && n > 0 && covered[kind] {
			lost = append(lost, fmt.Sprintf("%d %s: %s", n, plural(kind, n), answer))
		}
	}
	if len(lost) == 0 {
		return nil
	}
	return fmt.Errorf("connection %q: refusing to record the loss of %s; the snapshot on %s holds them. If they are "+
		"really gone, delete them from the gateway while it still serves the collection, or remove the kind from "+
		"the connection's sections", c.Name, strings.Join(lost, "; and of "), store.Branch(c.Name))
}

// plural is a kind's name for n entities: "key-auth credential", "key-auth credentials".
func plural(kind snapshot.Kind, n int) string {
	if n == 1 {
		return kind.Singular()
	}
	return kind.Singular() + "s"
}

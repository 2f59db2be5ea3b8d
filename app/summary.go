package app

import (
	"context"
	"fmt"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/snapshot"
)

// summarizer is an Entry's Summarize for files, the snapshot of live: Record calls it only when they change the
// branch, so an unchanged run never reads the previous snapshot.
func (r runShared) summarizer(c *config.Connection, live *snapshot.Snapshot, files snapshot.Files) func(context.Context) string {
	return func(ctx context.Context) string { return r.summary(ctx, c, live, files) }
}

// summary describes what changed since the branch's last snapshot, for the commit's first line. It is cosmetic:
// when the last snapshot cannot be read (first run, a key since rotated away) it falls back to a count. Only the
// files that differ from the last snapshot's are read from git, and within them only the entries that differ are
// decoded (entryChanges); when that cannot be sure to tell what comparing the whole snapshots tells, the whole
// last snapshot is read and compared with live.
func (r runShared) summary(ctx context.Context, c *config.Connection, live *snapshot.Snapshot, files snapshot.Files) string {
	delta, err := r.store.Delta(ctx, r.store.Branch(c.Name), files)
	if err != nil {
		return fmt.Sprintf("%s: first snapshot, %d entities", c.Name, live.Len())
	}
	changes, ok := entryChanges(delta.Old, changedFiles(files, delta), live, r.keys)
	if !ok {
		prev, err := snapshot.Read(previousFiles(files, delta), snapshot.ReadOptions{Keyring: r.keys})
		if err != nil {
			r.env.logger().Warn("previous snapshot unreadable; commit summary falls back to a count",
				"connection", c.Name, "error", err)
			return fmt.Sprintf("%s: snapshot of %d entities", c.Name, live.Len())
		}
		changes = diff.Compare(prev, live, diff.Options{})
	}
	if changes.Empty() {
		return fmt.Sprintf("%s: snapshot of %d entities", c.Name, live.Len())
	}
	return c.Name + ": " + changes.Summary()
}

// changedFiles returns the files the last snapshot does not hold as they are.
func changedFiles(files snapshot.Files, delta gitstore.Delta) snapshot.Files {
	changed := snapshot.Files{}
	for name, content := range files {
		if !delta.Unchanged[name] {
			changed[name] = content
		}
	}
	return changed
}

// previousFiles returns the last snapshot's whole tree: the files that differ as it holds them, the others as
// files holds them.
func previousFiles(files snapshot.Files, delta gitstore.Delta) snapshot.Files {
	prev := snapshot.Files{}
	for name := range delta.Unchanged {
		prev[name] = files[name]
	}
	for name, content := range delta.Old {
		prev[name] = content
	}
	return prev
}

// entryChanges returns what differs between two snapshots' files (old, the last snapshot's; new, written from
// live; either may leave out the files they hold alike) just as diff.Compare of old, read, and live says, having
// decoded only the top-level entries whose text differs (snapshot.DifferingEntries). ok is false when it cannot be
// sure to say the same; the whole snapshots must then be compared.
//
// Why the parts tell the same: every entity has an id (checked), so in the whole comparison an entity whose entry
// both files hold pairs by id with itself, and is equal, being the same text read alike; and the entities of the
// entries that differ pair among themselves as they do among all the others. What remains is references. One from
// an entry both files hold resolves, by name or id, to the entity holding that key on each side, which is in a
// part whenever it changed: keysPaired refuses a key held on both sides by entities that are not a pair, so the
// reference points at a matched pair, or at the same id, as it does in the whole snapshots. One from a part to a
// parent both files hold is a reference by id to an entity outside the part on both sides, equal as the same
// parent is (by name it would not resolve, the part would not read, and ok is false).
func entryChanges(old, new snapshot.Files, live *snapshot.Snapshot, keys *snapshot.Keyring) (diff.Changes, bool) {
	oldPart, newPart, ok := snapshot.DifferingEntries(old, new)
	if !ok || !everyHasID(live) {
		return nil, false
	}
	prev, err := readPart(oldPart, keys)
	if err != nil || !everyHasID(prev) {
		return nil, false
	}
	next, err := readPart(newPart, keys)
	if err != nil || !everyHasID(next) {
		return nil, false
	}
	m := diff.Match(prev, next)
	if !keysPaired(m) {
		return nil, false
	}
	return m.Compare(diff.Options{}), true
}

// readPart reads the part of a snapshot DifferingEntries returned; no files is an empty snapshot.
func readPart(part snapshot.Files, keys *snapshot.Keyring) (*snapshot.Snapshot, error) {
	if len(part) == 0 {
		return &snapshot.Snapshot{}, nil
	}
	return snapshot.Read(part, snapshot.ReadOptions{Keyring: keys})
}

func everyHasID(s *snapshot.Snapshot) bool {
	for _, kind := range snapshot.Kinds {
		for _, e := range s.Entities(kind) {
			if snapshot.ID(e) == "" {
				return false
			}
		}
	}
	return true
}

// keysPaired reports whether every id or name that an entity of the current side and one of the target side both
// hold (within a kind) is held by a matched pair.
func keysPaired(m *diff.Matching) bool {
	for _, kind := range snapshot.Kinds {
		held := map[string]any{}
		for _, e := range m.Current.Entities(kind) {
			for _, key := range entityKeys(e) {
				held[key] = e
			}
		}
		for _, e := range m.Target.Entities(kind) {
			for _, key := range entityKeys(e) {
				if current, ok := held[key]; ok && m.TargetOf(current) != e {
					return false
				}
			}
		}
	}
	return true
}

// entityKeys are the keys a reference may name an entity by: its id and its names.
func entityKeys(e any) []string {
	keys := []string{snapshot.ID(e)}
	for _, r := range snapshot.RefNames(e) {
		keys = append(keys, r.Name)
	}
	return keys
}

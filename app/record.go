package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Entry is one snapshot to record on a branch: what backup, drift and restore each commit.
type Entry struct {
	Connection string
	// Branch receives the commit; Base, optional, is the branch a missing Branch starts from (drift branches).
	Branch string
	Base   string
	Files  snapshot.Files
	// Summary is the commit's first line; Body an optional paragraph after it. Summarize, when set, makes Summary
	// instead, only once the entry is known to change the branch: it may be costly (it reads the previous
	// snapshot), and an unchanged entry needs no summary.
	Summary   string
	Summarize func(ctx context.Context) string
	Body      string
	// KongVersion, Entities, Trigger and RunID go into the commit's trailers, as do RestoredFrom (a restore's
	// source commit) and Baseline (the environment head a drift was measured against) when set.
	KongVersion  string
	Entities     int
	Trigger      string
	RunID        string
	RestoredFrom string
	Baseline     string
	// At is when the snapshot was taken; it names the snapshot tag.
	At time.Time
	// NoTag records the commit without a snapshot tag (drift branches are not snapshots to restore).
	NoTag bool
	// Keys, the keyring Files were written with, authenticates the manifest in a trailer (TrailerManifestMAC);
	// nil leaves the trailer out.
	Keys *snapshot.Keyring
}

// Recorded is what Record published.
type Recorded struct {
	// Commit is the published commit's hash, as the remotes have it. For an unchanged entry it is empty.
	Commit string
	// Tag is the snapshot tag on Commit, when one was made.
	Tag string
	// Summary is the first line of the entry's commit; empty when none was made.
	Summary string
	// Unchanged says the entry's tree equals the branch head's, so no commit was made.
	Unchanged bool
	// Pending counts the earlier snapshots (and PendingTags their tags) this push published besides the entry:
	// commits made while a remote was unreachable. For an unchanged entry, Commit and Tag are then the newest.
	Pending     int
	PendingTags int
}

// pendingNote says what a push published beyond the entry itself, for a report's summary; "" when nothing.
func (r Recorded) pendingNote() string {
	if r.Pending == 0 && r.PendingTags == 0 {
		return ""
	}
	note := "pushed " + count(r.Pending, "pending snapshot")
	if r.PendingTags > 0 && r.PendingTags != r.Pending {
		note += " and " + count(r.PendingTags, "pending tag")
	}
	return note
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// NotPushedError says an entry was committed to the local repository but a remote could not be updated: the
// snapshot is safe locally and the next run pushes it.
type NotPushedError struct {
	Connection string
	Commit     string
	Err        error
}

func (e *NotPushedError) Error() string {
	return fmt.Sprintf("connection %q: snapshot %s committed locally but not pushed: %v", e.Connection, short(e.Commit), e.Err)
}

func (e *NotPushedError) Unwrap() error { return e.Err }

// Record commits an entry with kongsnap's trailers and a snapshot tag, then publishes the branch to every remote.
// An entry whose tree equals the branch head's is not an error: Recorded.Unchanged says so. Either way, snapshots
// committed earlier that a remote still lacks (it was unreachable then) are pushed too, and Recorded counts them.
// A failed push returns a *NotPushedError carrying the local commit.
//
// The repository stays locked from the commit to the end of its push, so what is pushed and reported is this
// entry's commit, whatever other processes do with the same repository.
func Record(ctx context.Context, store *gitstore.Store, e Entry) (Recorded, error) {
	req := gitstore.CommitRequest{
		Branch: e.Branch, Base: e.Base, Files: e.Files, Summary: e.Summary, Body: e.Body, Trailers: e.trailers(),
	}
	unlock, err := store.Lock(ctx)
	if err != nil {
		return Recorded{}, fmt.Errorf("connection %q: %w", e.Connection, err)
	}
	defer unlock()
	if e.Summarize != nil {
		// Decided under the lock, so the summary describes the very parent the commit gets.
		same, err := store.Unchanged(ctx, e.Branch, e.Base, e.Files)
		if err != nil {
			return Recorded{}, fmt.Errorf("connection %q: %w", e.Connection, err)
		}
		if same {
			return publishPending(ctx, store, e)
		}
		// The changed files are compressed for the commit while the summary reads the last snapshot.
		req.Ready = store.Prepare(ctx, e.Files)
		req.Summary = e.Summarize(ctx)
	}
	if !e.NoTag {
		// The tag's name digests every file by the tree's id, from the blob ids the Lock keeps.
		tree, err := store.TreeID(ctx, e.Files)
		if err != nil {
			return Recorded{}, fmt.Errorf("connection %q: %w", e.Connection, err)
		}
		req.Tag = SnapshotTag(e.Connection, e.At, tree)
	}
	commit, err := store.Save(ctx, req)
	switch {
	case errors.Is(err, gitstore.ErrUnchanged):
		return publishPending(ctx, store, e)
	case err != nil:
		return Recorded{}, fmt.Errorf("connection %q: committing snapshot: %w", e.Connection, err)
	}
	rec := Recorded{Commit: commit.Hash, Tag: req.Tag, Summary: req.Summary}
	published, err := store.Push(ctx, e.Branch, commit.Tags...)
	if err != nil {
		return rec, &NotPushedError{Connection: e.Connection, Commit: commit.Hash, Err: err}
	}
	rec.Commit = published.Commit.Hash
	rec.Pending = max(published.Snapshots-1, 0)
	rec.PendingTags = len(published.Tags) - min(len(commit.Tags), len(published.Tags))
	return rec, nil
}

// publishPending pushes an unchanged entry's branch, which publishes what earlier runs committed but could not
// push; with nothing pending, Push contacts no remote.
func publishPending(ctx context.Context, store *gitstore.Store, e Entry) (Recorded, error) {
	rec := Recorded{Unchanged: true}
	head, err := store.Head(ctx, e.Branch)
	if err != nil {
		return rec, fmt.Errorf("connection %q: %w", e.Connection, err)
	}
	published, err := store.Push(ctx, e.Branch)
	if err != nil {
		return rec, &NotPushedError{Connection: e.Connection, Commit: head.Hash, Err: err}
	}
	rec.Pending, rec.PendingTags = published.Snapshots, len(published.Tags)
	if rec.Pending > 0 || rec.PendingTags > 0 {
		rec.Commit = published.Commit.Hash
		if len(published.Commit.Tags) > 0 {
			rec.Tag = published.Commit.Tags[0]
		}
	}
	return rec, nil
}

func (e Entry) trailers() []gitstore.Trailer {
	trailers := []gitstore.Trailer{
		{Key: TrailerConnection, Value: e.Connection},
		{Key: TrailerKongVersion, Value: e.KongVersion},
		{Key: TrailerEntities, Value: strconv.Itoa(e.Entities)},
		{Key: TrailerTrigger, Value: e.Trigger},
		{Key: TrailerRunID, Value: e.RunID},
	}
	if e.RestoredFrom != "" {
		trailers = append(trailers, gitstore.Trailer{Key: TrailerRestoredFrom, Value: e.RestoredFrom})
	}
	if e.Baseline != "" {
		trailers = append(trailers, gitstore.Trailer{Key: TrailerBaseline, Value: e.Baseline})
	}
	if mac, ok := e.Keys.ManifestMAC(e.Files); ok {
		trailers = append(trailers, gitstore.Trailer{Key: TrailerManifestMAC, Value: mac})
	}
	return trailers
}

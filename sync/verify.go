package sync

import (
	"context"
	"fmt"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Reader reads a whole gateway; *gateway.Client has it.
type Reader interface {
	Read(ctx context.Context) (*snapshot.Snapshot, error)
}

// Verify reads the gateway again and returns what still differs from target within opts.Sections, compared as
// NewPlan compares (opts.Diff; a plaintext basic-auth password equals its live hash). A restore whose verification
// is not empty failed.
func Verify(ctx context.Context, r Reader, target *snapshot.Snapshot, opts Options) (diff.Changes, error) {
	left, _, err := verify(ctx, r, target, opts)
	return left, err
}

// verify is Verify, returning the gateway as it read it too.
func verify(ctx context.Context, r Reader, target *snapshot.Snapshot, opts Options) (diff.Changes, *snapshot.Snapshot, error) {
	live, err := r.Read(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("verifying the restore: %w", err)
	}
	var left diff.Changes
	for _, ch := range dropHashedPasswords(diff.Compare(live, target, opts.Diff)) {
		if opts.in(ch.Kind) {
			left = append(left, ch)
		}
	}
	return left, live, nil
}

package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/history"
)

// DefaultStatusWindow is the window `kongsnap status` takes success rates and median durations over.
const DefaultStatusWindow = 7 * 24 * time.Hour

// StatusOptions selects what `kongsnap status` shows and checks.
type StatusOptions struct {
	// Connections names the connections shown; empty means every configured one, disabled ones included.
	Connections []string
	// Since is the window of success rates and median durations; default seven days.
	Since time.Duration
	// FailIfOlder, when set, makes Status return ErrStale if any enabled connection shown has no successful
	// backup within it: a scheduled check that catches a schedule silently switched off.
	FailIfOlder time.Duration
	// JSON prints the status as JSON instead of text.
	JSON bool
}

// ErrStale says a connection has gone too long without a successful backup.
var ErrStale = errors.New("stale backups")

// Status prints each connection's backup status from the run history on the status branch, as the remotes have
// it (or as the local repository has it when none can be reached).
func Status(ctx context.Context, env *Env, opts StatusOptions) error {
	conns, err := statusConnections(env.Config, opts.Connections)
	if err != nil {
		return err
	}
	since := opts.Since
	if since <= 0 {
		since = DefaultStatusWindow
	}
	store, err := env.openStore(ctx)
	if err != nil {
		return err
	}
	if err := store.Fetch(ctx); err != nil {
		env.logger().Warn("fetching the snapshot repository's remotes failed; status is the local copy's", "error", err)
	}
	records, err := readHistory(ctx, store)
	if err != nil {
		return fmt.Errorf("reading the run history on %s: %w", history.Branch, err)
	}
	var infos []history.Connection
	for _, c := range conns {
		size, err := snapshotBytes(ctx, store, store.Branch(c.Name))
		if err != nil {
			return fmt.Errorf("connection %q: %w", c.Name, err)
		}
		infos = append(infos, history.Connection{
			Name: c.Name, Enabled: c.IsEnabled(), SnapshotBytes: size,
			Retention: history.Retention{Days: c.Retention.Days, Weeks: c.Retention.Weeks, Months: c.Retention.Months},
		})
	}
	st := history.Summarize(records, infos, env.now(), since)
	if opts.JSON {
		err = st.WriteJSON(env.Stdout)
	} else {
		err = st.WriteText(env.Stdout)
	}
	if err != nil {
		return err
	}
	if opts.FailIfOlder > 0 {
		if stale := st.Stale(opts.FailIfOlder); len(stale) > 0 {
			return fmt.Errorf("%w: no successful backup within %s for %s", ErrStale, history.FormatAge(opts.FailIfOlder),
				strings.Join(stale, ", "))
		}
	}
	return nil
}

// statusConnections are the connections named, or every configured one.
func statusConnections(cfg *config.Config, names []string) ([]*config.Connection, error) {
	if len(names) == 0 {
		out := make([]*config.Connection, len(cfg.Connections))
		for i := range cfg.Connections {
			out[i] = &cfg.Connections[i]
		}
		return out, nil
	}
	var out []*config.Connection
	for _, name := range names {
		c, err := cfg.Connection(name)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// snapshotBytes is the size of the files of a branch's latest snapshot; zero when the branch has none yet.
func snapshotBytes(ctx context.Context, store *gitstore.Store, branch string) (int64, error) {
	files, _, err := store.Files(ctx, branch)
	if errors.Is(err, gitstore.ErrUnknownRef) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	for _, f := range files {
		n += int64(len(f))
	}
	return n, nil
}

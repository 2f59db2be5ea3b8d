package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
)

// LogEntry is one snapshot in a connection's history.
type LogEntry struct {
	Commit      string
	Time        time.Time
	KongVersion string
	Entities    string
	Trigger     string
	Summary     string
	Tags        []string
}

// Log lists a connection's snapshots, newest first.
func Log(ctx context.Context, env *Env, connection string, limit int) ([]LogEntry, error) {
	if _, err := env.Config.Connection(connection); err != nil {
		return nil, err
	}
	repo, err := env.openRepository(ctx)
	if err != nil {
		return nil, err
	}
	commits, err := repo.store.Log(ctx, repo.store.Branch(connection), limit)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", connection, err)
	}
	out := make([]LogEntry, 0, len(commits))
	for _, c := range commits {
		out = append(out, logEntry(c))
	}
	return out, nil
}

func logEntry(c gitstore.Commit) LogEntry {
	return LogEntry{
		Commit:      c.Hash,
		Time:        c.Time,
		KongVersion: c.Trailer(TrailerKongVersion),
		Entities:    c.Trailer(TrailerEntities),
		Trigger:     c.Trailer(TrailerTrigger),
		Summary:     c.Summary,
		Tags:        c.Tags,
	}
}

// SnapshotInfo is what `kongsnap show` says about a snapshot: its commit and the size of each file.
type SnapshotInfo struct {
	Entry  LogEntry
	Commit gitstore.Commit
	Files  map[string][]byte
}

// ReadSnapshot reads a snapshot (commit SHA, tag or branch) for show.
func ReadSnapshot(ctx context.Context, env *Env, ref string) (*SnapshotInfo, error) {
	repo, err := env.openRepository(ctx)
	if err != nil {
		return nil, err
	}
	files, commit, err := repo.store.Files(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &SnapshotInfo{Entry: logEntry(commit), Commit: commit, Files: files}, nil
}

// Show prints a snapshot's commit and contents summary, or one of its files.
func Show(ctx context.Context, env *Env, ref, file string) error {
	info, err := ReadSnapshot(ctx, env, ref)
	if err != nil {
		return err
	}
	files, commit := info.Files, info.Commit
	if file != "" {
		data, ok := files[file]
		if !ok {
			return fmt.Errorf("snapshot %s has no file %q", short(commit.Hash), file)
		}
		_, err := env.Stdout.Write(data)
		return err
	}
	e := info.Entry
	w := env.Stdout
	fmt.Fprintf(w, "commit      %s\n", commit.Hash)
	fmt.Fprintf(w, "time        %s\n", commit.Time.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "summary     %s\n", commit.Summary)
	for _, t := range commit.Trailers {
		fmt.Fprintf(w, "%-11s %s\n", t.Key+":", t.Value)
	}
	for _, tag := range e.Tags {
		fmt.Fprintf(w, "tag         %s\n", tag)
	}
	fmt.Fprintln(w, "files:")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(w, "  %-24s %d bytes\n", name, len(files[name]))
	}
	return nil
}

package app

import (
	"context"
	"fmt"
	"reflect"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/snapshot"
)

// DiffOptions selects what the diff command compares.
type DiffOptions struct {
	Connection string
	// Ref is the snapshot to compare against: a SHA, tag or branch. Default the connection's branch.
	Ref string
	// SelectTags, when set, compares only entities carrying all of these tags, on both sides (decK's
	// --select-tag); it replaces the connection's select_tags.
	SelectTags []string
}

// DiffResult is the comparison of a connection's live gateway (current) with a snapshot (target).
type DiffResult struct {
	Connection string          `json:"connection"`
	Ref        string          `json:"ref"`
	Commit     string          `json:"commit"`
	Summary    string          `json:"summary"`
	Drift      bool            `json:"drift"`
	Changes    []ChangeSummary `json:"changes"`
}

// ChangeSummary is one changed entity as the diff command shows it: identity and changed fields, never whole
// entities, so no secret value can reach the output.
type ChangeSummary struct {
	Kind   snapshot.Kind `json:"kind"`
	Action diff.Action   `json:"action"`
	// Identity names the entity for people; ID and Name are its own id and name (or username, key), when it has them.
	Identity string             `json:"identity"`
	ID       string             `json:"id"`
	Name     string             `json:"name"`
	Fields   []diff.FieldChange `json:"fields,omitempty"`
}

// Diff compares a connection's live gateway with its branch or a given snapshot. It reports drift through
// DiffResult.Changes; the caller shows them and decides the exit code.
func Diff(ctx context.Context, env *Env, opts DiffOptions) (*DiffResult, error) {
	conns, repo, err := env.openFor(ctx, []string{opts.Connection})
	if err != nil {
		return nil, err
	}
	c, store := conns[0], repo.store
	if len(opts.SelectTags) > 0 {
		narrowed := *c
		narrowed.SelectTags = opts.SelectTags
		c = &narrowed
	}
	ref := opts.Ref
	if ref == "" {
		ref = store.Branch(c.Name)
	}
	commit, err := store.Commit(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	client, live, err := env.readLive(ctx, c)
	if err != nil {
		return nil, err
	}
	if unchanged(ctx, store, commit.Hash, live, c, client.Version(), repo.keys) {
		return &DiffResult{Connection: c.Name, Ref: ref, Commit: commit.Hash, Summary: diff.Changes{}.Summary()}, nil
	}
	files, _, err := store.Files(ctx, commit.Hash)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	stored, err := snapshot.Read(files, snapshot.ReadOptions{Keyring: repo.keys})
	if err != nil {
		return nil, fmt.Errorf("connection %q: reading snapshot %s: %w", c.Name, short(commit.Hash), err)
	}
	if len(opts.SelectTags) > 0 {
		stored = withTags(stored, opts.SelectTags)
	}
	kinds, err := snapshot.SectionKinds(c.Sections)
	if err != nil {
		return nil, err
	}
	defaults, err := client.Defaults(ctx, stored, live)
	if err != nil {
		return nil, err
	}
	// Compare(stored, live): "added" reads as added on the live gateway, as in drift pull requests.
	changes := diff.Compare(stored.Only(kinds), live, diff.Options{Defaults: defaults, Ignore: ignoreRules(c)})
	res := &DiffResult{Connection: c.Name, Ref: ref, Commit: commit.Hash, Summary: changes.Summary(), Drift: !changes.Empty()}
	for _, ch := range changes {
		e := ch.Target
		if e == nil {
			e = ch.Current
		}
		res.Changes = append(res.Changes, ChangeSummary{Kind: ch.Kind, Action: ch.Action, Identity: ch.Identity,
			ID: snapshot.ID(e), Name: snapshot.Name(e), Fields: ch.Fields})
	}
	return res, nil
}

// unchanged reports whether live, written as the snapshot files a backup would commit, are exactly the tree of the
// commit at hash: then there is nothing to compare, since that commit's snapshot is live read back (a backup would
// find it unchanged). Anything else, including live not being writable, is "maybe changed": the caller compares.
func unchanged(ctx context.Context, store *gitstore.Store, hash string, live *snapshot.Snapshot, c *config.Connection,
	version string, keys *snapshot.Keyring) bool {
	files, err := writeSnapshot(live, c, version, keys)
	if err != nil {
		return false
	}
	same, err := store.Holds(ctx, hash, files)
	return err == nil && same
}

// withTags keeps the entities carrying every one of tags, as Kong's ?tags=a,b filter does on the live side.
func withTags(s *snapshot.Snapshot, tags []string) *snapshot.Snapshot {
	out := &snapshot.Snapshot{}
	for _, k := range snapshot.Kinds {
		for _, e := range s.Entities(k) {
			if hasTags(e, tags) {
				_, _ = out.Add(e)
			}
		}
	}
	return out
}

// hasTags reads a go-kong entity's Tags field ([]*string), which every kind kongsnap holds has.
func hasTags(e any, tags []string) bool {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f := v.FieldByName("Tags")
	if !f.IsValid() {
		return false
	}
	have := map[string]bool{}
	for i := 0; i < f.Len(); i++ {
		if p := f.Index(i); !p.IsNil() {
			have[p.Elem().String()] = true
		}
	}
	for _, t := range tags {
		if !have[t] {
			return false
		}
	}
	return true
}

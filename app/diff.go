package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// DiffOptions selects what the diff command compares.
type DiffOptions struct {
	Connection string
	// Ref is the snapshot to compare against: a SHA, tag or branch. Default the connection's branch.
	Ref string
	// Output is text or json.
	Output string
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
	Kind     snapshot.Kind      `json:"kind"`
	Action   diff.Action        `json:"action"`
	Identity string             `json:"identity"`
	Fields   []diff.FieldChange `json:"fields,omitempty"`
}

// Diff compares a connection's live gateway with its branch or a given snapshot and prints what differs. It
// reports drift through DiffResult.Changes; the caller decides the exit code.
func Diff(ctx context.Context, env *Env, opts DiffOptions) (*DiffResult, error) {
	conns, repo, err := env.openFor(ctx, []string{opts.Connection})
	if err != nil {
		return nil, err
	}
	c, store := conns[0], repo.store
	ref := opts.Ref
	if ref == "" {
		ref = store.Branch(c.Name)
	}
	files, commit, err := store.Files(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	stored, err := snapshot.Read(files, snapshot.ReadOptions{Keyring: repo.keys})
	if err != nil {
		return nil, fmt.Errorf("connection %q: reading snapshot %s: %w", c.Name, short(commit.Hash), err)
	}
	client, live, err := env.openLive(ctx, c)
	if err != nil {
		return nil, err
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
		res.Changes = append(res.Changes, ChangeSummary{Kind: ch.Kind, Action: ch.Action, Identity: ch.Identity, Fields: ch.Fields})
	}
	if opts.Output == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return res, enc.Encode(res)
	}
	if changes.Empty() {
		fmt.Fprintf(env.Stdout, "%s: no drift from %s (%s)\n", c.Name, ref, short(commit.Hash))
		return res, nil
	}
	fmt.Fprintf(env.Stdout, "%s: live differs from %s (%s): %s\n\n", c.Name, ref, short(commit.Hash), changes.Summary())
	for _, ch := range res.Changes {
		fmt.Fprintf(env.Stdout, "%s %s\n", actionMark(ch.Action), ch.Identity)
		for _, f := range ch.Fields {
			if f.Secret {
				fmt.Fprintf(env.Stdout, "    %s: (secret changed)\n", f.Path)
				continue
			}
			fmt.Fprintf(env.Stdout, "    %s: %s → %s\n", f.Path, compact(f.From), compact(f.To))
		}
	}
	return res, nil
}

func actionMark(a diff.Action) string {
	switch a {
	case diff.Added:
		return "+ added on gateway:"
	case diff.Removed:
		return "- removed from gateway:"
	}
	return "~ changed:"
}

func compact(v any) string {
	if v == nil {
		return "null"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

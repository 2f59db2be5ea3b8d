package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

// RestoreOptions say what to restore, where to, and how carefully.
type RestoreOptions struct {
	Connection string
	// To is the snapshot: a commit SHA, tag or branch.
	To string
	// FromConnection says that a snapshot of this other connection is meant to be restored into Connection (a
	// clone of prod into staging). Without it, a snapshot whose manifest names another connection is refused.
	FromConnection string
	// Sections limits creates, updates and deletes to these sections; empty means the connection's sections.
	Sections []string
	// DryRun prints the plan and writes nothing. Without Yes, nothing is written unless Confirm says yes.
	DryRun bool
	Yes    bool
	// Confirm asks a person to approve the plan; nil (stdin is not a terminal) means nothing is applied, and the
	// result says so (report.Planned).
	Confirm    func(prompt string) bool
	NoDelete   bool
	MaxDeletes int
	AllowEmpty bool
	// SkipBasicAuth leaves basic-auth credentials out: a snapshot holds only Kong's hashes of their passwords.
	SkipBasicAuth bool
	// AllowUnprotectedWindow applies a plan that leaves a route or service for a while without a plugin it has
	// both before and after (see sync.Window); without it such a plan is refused before any write.
	AllowUnprotectedWindow bool
	// AllowVersionMismatch restores into a gateway whose Kong major version differs from the snapshot's.
	AllowVersionMismatch bool
	// AdminURL restores into another gateway than the connection's (a recovery drill); nothing is recorded then.
	// The connection's headers and TLS settings are kept unless Headers, TLSSkipVerify or CACert override them.
	AdminURL string
	// Headers, when not empty, are sent instead of the connection's headers (all of them).
	Headers map[string]string
	// TLSSkipVerify and CACert override the connection's certificate verification.
	TLSSkipVerify bool
	CACert        string
	// NoRecord skips committing the restored state to the connection's branch.
	NoRecord    bool
	Parallelism int
	// FullPlan prints every operation of a plan over sync.LongPlan operations, not counts and the first of each.
	FullPlan bool
}

// Restore converges a connection's gateway toward a snapshot, in phases: load the target (integrity, connection
// and secrets checked), then read live, plan, validate (the gateway checks every entity the plan writes),
// confirm, apply and verify (sync.Converge), then record the restored state on the connection's branch with a
// trailer naming the source commit, so the next drift check is clean. Nothing is written before every check has
// passed. A plan shown and not applied (a dry run, or no confirmation) is the status report.Planned, not an error.
func Restore(ctx context.Context, env *Env, opts RestoreOptions) (*report.Report, error) {
	conn, err := env.Config.Connection(opts.Connection)
	if err != nil {
		return nil, err
	}
	name := conn.Name
	conn, opts = restoreTarget(conn, opts)
	rep := report.New("restore", env.runID(), TriggerRestore, env.now(), env.Config.Secrets(), nil)
	res, err := restore(ctx, env, conn, opts)
	res.Connection = name
	if err != nil {
		res.Status, res.Reason = report.Failed, err.Error()
	}
	rep.Set(res)
	rep.Finish(env.now())
	env.recordRun(ctx, nil, rep, nil)
	return rep, err
}

// restoreTarget is the connection a restore writes to: the configured one, or another gateway for a drill, with
// the headers and TLS settings the options override.
func restoreTarget(conn *config.Connection, opts RestoreOptions) (*config.Connection, RestoreOptions) {
	c := *conn
	if opts.AdminURL != "" {
		c.AdminURL, opts.NoRecord = opts.AdminURL, true
	}
	if len(opts.Headers) > 0 {
		c.Headers = maps.Clone(opts.Headers)
	}
	if opts.TLSSkipVerify {
		c.TLS.InsecureSkipVerify = true
	}
	if opts.CACert != "" {
		c.TLS.CAFile = opts.CACert
	}
	return &c, opts
}

func restore(ctx context.Context, env *Env, conn *config.Connection, opts RestoreOptions) (report.Result, error) {
	res := report.Result{Status: report.Running}
	target, err := loadTarget(ctx, env, conn, opts)
	if err != nil {
		return res, err
	}
	client, err := env.openGateway(ctx, conn)
	if err != nil {
		return res, err
	}
	out := env.Stdout
	if err := checkVersion(out, conn, target, client.Version(), opts.AllowVersionMismatch); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "restore %s to snapshot %s (%s)\n", conn.Name, short(target.source.Hash), target.source.Summary)
	conv, current, err := target.compare(ctx, env, client, conn)
	if err != nil {
		return res, err
	}
	if conv == nil {
		if conv, err = converge(ctx, env, client, conn, target, current, opts); conv == nil {
			return res, err
		}
	}
	res.Operations = operations(conv)
	if conv.Plan != nil {
		res.Summary, res.Counts = conv.Plan.Summary(), planCounts(conv.Plan)
	}
	if err != nil {
		return res, restoreError(conn, target, conv, err)
	}
	switch conv.Status {
	case kongsync.InSync:
		res.Status = report.Unchanged
		fmt.Fprintf(out, "%s already matches snapshot %s: nothing to do.\n", conn.Name, short(target.source.Hash))
		return res, nil
	case kongsync.DryRun:
		res.Status = report.Planned
		fmt.Fprintln(out, "dry run: nothing was written. Run again with --yes to apply.")
		return res, nil
	case kongsync.NotConfirmed:
		res.Status = report.Planned
		return res, nil
	}
	fmt.Fprintf(out, "verified: %s matches snapshot %s within the restored sections.\n", conn.Name, short(target.source.Hash))
	res.Status = report.Completed
	if opts.NoRecord {
		return res, nil
	}
	return record(ctx, env, target.store, conn, target.keys, target.source, client.Version(), conv.Verified, res)
}

// converge plans, validates, confirms, applies and verifies (sync.Converge), planning against current when it is
// set (the live gateway just read).
func converge(ctx context.Context, env *Env, client *gateway.Client, conn *config.Connection, target *restoreSource,
	current *snapshot.Snapshot, opts RestoreOptions) (*kongsync.Convergence, error) {
	var progress func(phase string, done, total int)
	if env.ApplyProgress != nil {
		progress = func(phase string, done, total int) { env.ApplyProgress(conn.Name, phase, done, total) }
	}
	outside, err := outsideIDs(ctx, client, conn, target.snapshot)
	if err != nil {
		return nil, err
	}
	return kongsync.Converge(ctx, client, target.snapshot, kongsync.ConvergeOptions{
		Plan: kongsync.Options{Sections: target.kinds, NoDelete: opts.NoDelete, MaxDeletes: opts.MaxDeletes,
			AllowEmpty: opts.AllowEmpty, Outside: outside},
		DryRun:                 opts.DryRun,
		FullPlan:               opts.FullPlan,
		AllowUnprotectedWindow: opts.AllowUnprotectedWindow,
		Confirm:                confirmation(env.Stdout, conn, opts),
		Parallelism:            opts.Parallelism,
		Out:                    env.Stdout,
		Logger:                 env.logger(),
		Progress:               progress,
		Current:                current,
	})
}

// confirmation is the confirm phase's question: nil (apply) with --yes; otherwise a prompt at a terminal, or,
// without one, a refusal that says why nothing is written.
func confirmation(out io.Writer, conn *config.Connection, opts RestoreOptions) func(*kongsync.Plan) bool {
	if opts.Yes {
		return nil
	}
	return func(plan *kongsync.Plan) bool {
		if opts.Confirm == nil {
			fmt.Fprintln(out, "not an interactive terminal and no --yes: nothing was written (exit code 3: plan shown, "+
				"nothing applied). Run again with --yes to apply.")
			return false
		}
		if opts.Confirm(fmt.Sprintf("Apply %d operations to %s? [y/N] ", len(plan.Operations), conn.Name)) {
			return true
		}
		fmt.Fprintln(out, "not confirmed: nothing was written.")
		return false
	}
}

// restoreError says what a failed convergence means for the gateway, and where to look.
func restoreError(conn *config.Connection, target *restoreSource, conv *kongsync.Convergence, err error) error {
	sha := short(target.source.Hash)
	switch {
	case conv.Result == nil || conv.Result.DryRun:
		return fmt.Errorf("connection %q: restoring %s: %w", conn.Name, sha, err)
	case errors.Is(err, kongsync.ErrNotConverged):
		return fmt.Errorf("connection %q: %w (snapshot %s; each difference is listed as \"still different\" on stdout)",
			conn.Name, err, sha)
	}
	return fmt.Errorf("connection %q: restore of %s stopped; each operation's outcome is listed on stdout (\"failed:\", "+
		"\"unknown:\", \"not applied:\") and under operations in the JSON report (--report). Fix the cause and run the "+
		"same restore again: it converges from wherever the gateway is now: %w", conn.Name, sha, err)
}

// operations lists the plan's operations by outcome, for the JSON report.
func operations(conv *kongsync.Convergence) *report.Operations {
	if conv == nil || conv.Plan == nil {
		return nil
	}
	ops := &report.Operations{Applied: []report.Operation{}, Failed: []report.Operation{}, Unknown: []report.Operation{},
		NotApplied: []report.Operation{}}
	line := func(o kongsync.Outcome) report.Operation {
		r := report.Operation{Step: o.Index + 1, Operation: o.Operation.String()}
		if o.Err != nil {
			r.Error = o.Err.Error()
		}
		return r
	}
	if conv.Validation != nil {
		for _, r := range conv.Validation.Rejected {
			ops.Rejected = append(ops.Rejected, report.Operation{Step: r.Index + 1, Operation: r.Operation.String(), Error: r.Reason})
		}
	}
	if conv.Result == nil || conv.Result.DryRun {
		for i, op := range conv.Plan.Operations {
			ops.NotApplied = append(ops.NotApplied, report.Operation{Step: i + 1, Operation: op.String()})
		}
		return ops
	}
	for _, o := range conv.Result.Applied {
		ops.Applied = append(ops.Applied, line(o))
	}
	for _, o := range conv.Result.Failed {
		ops.Failed = append(ops.Failed, line(o))
	}
	for _, o := range conv.Result.Unknown {
		ops.Unknown = append(ops.Unknown, line(o))
	}
	for _, o := range conv.Result.NotApplied {
		ops.NotApplied = append(ops.NotApplied, line(o))
	}
	return ops
}

// restoreSource is a loaded target: the snapshot and where it came from.
type restoreSource struct {
	store    *gitstore.Store
	keys     *snapshot.Keyring
	source   gitstore.Commit
	files    snapshot.Files
	manifest *snapshot.Manifest // nil for decK files committed by hand
	// snapshot is the files read; nil until read for a target loaded on trust (its manifest MAC checks).
	snapshot *snapshot.Snapshot
	kinds    map[snapshot.Kind]bool
	// name is the connection restored into, for errors.
	name string
}

// read reads the target's files and checks them against the manifest's counts; the refusals name the snapshot.
func (t *restoreSource) read(ctx context.Context, env *Env) error {
	sha := short(t.source.Hash)
	if t.files == nil {
		files, _, err := t.store.Files(ctx, t.source.Hash)
		if err != nil {
			return fmt.Errorf("connection %q: reading snapshot %s: %w", t.name, sha, err)
		}
		t.files = files
	}
	encrypted := t.manifest != nil && t.manifest.Secrets == snapshot.SecretsEncrypt
	s, err := snapshot.Read(t.files, snapshot.ReadOptions{Keyring: t.keys, Encrypted: encrypted})
	if err != nil {
		return fmt.Errorf("connection %q: reading snapshot %s: %w", t.name, sha, err)
	}
	if t.manifest != nil {
		if err := t.manifest.CheckCounts(s); err != nil {
			return fmt.Errorf("connection %q: snapshot %s fails its integrity check, refusing to restore it: %w", t.name, sha, err)
		}
	}
	t.snapshot = s
	env.logger().Debug("read snapshot", "connection", t.name, "snapshot", t.source.Hash, "entities", s.Len())
	return nil
}

// compare settles a target loaded on trust (see loadTarget) before any plan: the live gateway, written as a backup
// of it would be, is compared with the target's files. The same files need no plan (conv, InSync, the empty plan
// shown on out); otherwise the snapshot is read and checked now and current is the live read, for the plan. A
// target read already is left to the plan (nothing returned).
func (t *restoreSource) compare(ctx context.Context, env *Env, client *gateway.Client,
	conn *config.Connection) (conv *kongsync.Convergence, current *snapshot.Snapshot, err error) {
	if t.snapshot != nil {
		return nil, nil, nil
	}
	live, err := client.Read(ctx)
	if err != nil {
		return nil, nil, restoreError(conn, t, &kongsync.Convergence{}, err)
	}
	if t.matches(ctx, live, conn, client.Version()) {
		env.logger().Debug("the live gateway, written as a backup, gives the snapshot's files: nothing to plan",
			"connection", conn.Name, "snapshot", t.source.Hash)
		conv, err = kongsync.Matched(env.Stdout)
		return conv, nil, err
	}
	return nil, live, t.read(ctx, env)
}

// matches reports whether live, within the connection's sections, is the target commit's snapshot read back (see
// unchanged): then a restore has nothing to do.
func (t *restoreSource) matches(ctx context.Context, live *snapshot.Snapshot, conn *config.Connection, version string) bool {
	kinds, err := snapshot.SectionKinds(conn.Sections)
	return err == nil && unchanged(ctx, t.store, t.source.Hash, live.Only(kinds), conn, version, t.keys)
}

// loadTarget is the first phase: it reads the snapshot and refuses one that is not what it claims to be (files not
// matching the manifest, a kongsnap snapshot without its manifest, a ciphertext replaced by plaintext) or not meant
// for this connection, all before the gateway is contacted.
//
// A snapshot whose files match its manifest and whose commit carries a manifest MAC that checks with the keyring
// (TrailerManifestMAC) is loaded on trust: nobody without the key has changed it since kongsnap wrote it, so the
// full read's checks cannot fail for an edit, and it is read only if the live gateway turns out to differ from it
// (converge).
func loadTarget(ctx context.Context, env *Env, conn *config.Connection, opts RestoreOptions) (*restoreSource, error) {
	fail := func(format string, args ...any) (*restoreSource, error) {
		return nil, fmt.Errorf("connection %q: "+format, append([]any{conn.Name}, args...)...)
	}
	if opts.To == "" {
		return fail("no snapshot given: pass --to SHA, tag or branch")
	}
	kinds, err := restoreKinds(conn, opts)
	if err != nil {
		return fail("%w", err)
	}
	// In a disaster the remote may be what is down: openRepository restores from the local copy, and says so.
	repo, err := env.openRepository(ctx)
	if err != nil {
		return nil, err
	}
	store, keys := repo.store, repo.keys
	files, source, err := store.Files(ctx, opts.To)
	if err != nil {
		return fail("%w (list snapshots with: kongsnap log --connection %s)", err, conn.Name)
	}
	t := &restoreSource{store: store, keys: keys, source: source, files: files, kinds: kinds, name: conn.Name}
	sha := short(source.Hash)
	if _, ok := files[snapshot.ManifestName]; !ok {
		written, err := writtenByKongsnap(ctx, store, source)
		if err != nil {
			return nil, err
		}
		if written != "" {
			return fail("snapshot %s has no %s, yet %s is a kongsnap snapshot (its history carries kongsnap's trailers): "+
				"the manifest was removed, refusing to restore it: %w", sha, snapshot.ManifestName, written, snapshot.ErrIntegrity)
		}
		// A decK file committed by hand on a branch kongsnap never wrote has no manifest: nothing to check its
		// files against, which is said, not hidden.
		fmt.Fprintf(env.Stdout, "note: %s has no %s (not written by kongsnap): file checksums not verified.\n",
			sha, snapshot.ManifestName)
	} else {
		if err := snapshot.Verify(files); err != nil {
			return fail("snapshot %s fails its integrity check, refusing to restore it: %w", sha, err)
		}
		if t.manifest, err = snapshot.ReadManifest(files); err != nil {
			return fail("snapshot %s: %w", sha, err)
		}
		if err := checkConnection(conn.Name, t.manifest.Connection, opts.FromConnection); err != nil {
			return fail("snapshot %s: %w", sha, err)
		}
	}
	if t.manifest != nil && keys.CheckManifestMAC(files, source.Trailer(TrailerManifestMAC)) {
		// The files are not held meanwhile: the live gateway's are compared with the commit's tree (matches),
		// and read reads them again from the commit only if they differ.
		t.files = nil
		return t, nil
	}
	if err := t.read(ctx, env); err != nil {
		return nil, err
	}
	return t, nil
}

// writtenByKongsnap returns the first commit, from source back through its history, that carries kongsnap's
// connection trailer ("" when none does): a branch kongsnap has written always has a manifest.
func writtenByKongsnap(ctx context.Context, store *gitstore.Store, source gitstore.Commit) (string, error) {
	history, err := store.Log(ctx, source.Hash, 0)
	if err != nil {
		return "", fmt.Errorf("reading the history of %s: %w", short(source.Hash), err)
	}
	for _, c := range history {
		if c.Trailer(TrailerConnection) != "" {
			return "commit " + short(c.Hash), nil
		}
	}
	return "", nil
}

// checkConnection refuses a snapshot of one connection restored into another, unless from says it is meant.
func checkConnection(into, recorded, from string) error {
	switch {
	case from != "" && recorded != from:
		return fmt.Errorf("it is a snapshot of connection %q, not of %q as --from-connection says", recorded, from)
	case from == "" && recorded != into:
		return fmt.Errorf("it is a snapshot of connection %q, not of %q: refusing to restore one gateway's snapshot "+
			"into another; pass --from-connection %s if you mean to (a clone of %s into %s)", recorded, into, recorded,
			recorded, into)
	}
	return nil
}

// checkVersion compares the snapshot's Kong version with the gateway's: another minor version is a warning, another
// major version is refused unless allowed (schemas and defaults change between majors).
func checkVersion(out io.Writer, conn *config.Connection, t *restoreSource, live string, allow bool) error {
	if t.manifest == nil || t.manifest.KongVersion == "" {
		return nil
	}
	was := t.manifest.KongVersion
	wasMajor, wasMinor, ok1 := majorMinor(was)
	liveMajor, liveMinor, ok2 := majorMinor(live)
	switch {
	case !ok1 || !ok2:
		fmt.Fprintf(out, "warning: cannot compare Kong versions %q (snapshot) and %q (%s).\n", was, live, conn.Name)
	case wasMajor != liveMajor && !allow:
		return fmt.Errorf("connection %q runs Kong %s, snapshot %s was taken from Kong %s: another major version, "+
			"refusing to restore (pass --allow-version-mismatch to restore anyway)", conn.Name, live, short(t.source.Hash), was)
	case wasMajor != liveMajor || wasMinor != liveMinor:
		fmt.Fprintf(out, "warning: %s runs Kong %s, snapshot %s was taken from Kong %s: the gateway validates every "+
			"entity before the first write.\n", conn.Name, live, short(t.source.Hash), was)
	}
	return nil
}

// majorMinor reads "3.9.1" (or Enterprise's "3.4.3.28") as 3, 9.
func majorMinor(version string) (int, int, bool) {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// restoreKinds is the set of kinds a restore writes: the sections asked for, within the connection's own.
func restoreKinds(conn *config.Connection, opts RestoreOptions) (map[snapshot.Kind]bool, error) {
	own, err := snapshot.SectionKinds(conn.Sections)
	if err != nil {
		return nil, err
	}
	asked, err := snapshot.SectionKinds(opts.Sections)
	if err != nil {
		return nil, err
	}
	kinds := map[snapshot.Kind]bool{}
	for k := range asked {
		if own[k] {
			kinds[k] = true
		}
	}
	if opts.SkipBasicAuth {
		delete(kinds, snapshot.KindBasicAuth)
	}
	return kinds, nil
}

// record commits the gateway's state after a restore, as verification read it (verified, the whole gateway of
// Kong version), within the connection's sections, to the connection's branch, naming the source snapshot.
func record(ctx context.Context, env *Env, store *gitstore.Store, conn *config.Connection, keys *snapshot.Keyring,
	source gitstore.Commit, version string, verified *snapshot.Snapshot, res report.Result) (report.Result, error) {
	kinds, err := snapshot.SectionKinds(conn.Sections)
	if err != nil {
		return res, fmt.Errorf("connection %q: %w", conn.Name, err)
	}
	live := verified.Only(kinds)
	files, err := writeSnapshot(live, conn, version, keys)
	if err != nil {
		return res, err
	}
	branch := store.Branch(conn.Name)
	rec, err := Record(ctx, store, Entry{
		Connection: conn.Name, Branch: branch, Files: files,
		Summary: fmt.Sprintf("%s: restored to %s", conn.Name, short(source.Hash)), KongVersion: version,
		Entities: live.Len(), Trigger: TriggerRestore, RunID: env.runID(), RestoredFrom: source.Hash, At: env.now(),
		Keys: keys,
	})
	var notPushed *NotPushedError
	switch {
	case errors.As(err, &notPushed):
		return res, fmt.Errorf("connection %q: restored and verified, recorded as %s locally, but not pushed: %w",
			conn.Name, short(notPushed.Commit), notPushed.Err)
	case err != nil:
		return res, err
	case rec.Unchanged:
		res.Commit = source.Hash
		return res, nil
	}
	res.Commit, res.Branch = rec.Commit, branch
	fmt.Fprintf(env.Stdout, "recorded the restored state on %s as %s.\n", branch, short(rec.Commit))
	return res, nil
}

// planCounts is a plan per kind (as people name kinds) and action, for the step summary.
func planCounts(plan *kongsync.Plan) []report.Count {
	counts := plan.Counts()
	var out []report.Count
	for _, k := range snapshot.Kinds {
		if counts[k] == nil {
			continue
		}
		for _, a := range []kongsync.Action{kongsync.Create, kongsync.Update, kongsync.Delete} {
			out = append(out, report.Count{Kind: k.Singular() + "s", Action: string(a), Count: counts[k][a]})
		}
	}
	return out
}

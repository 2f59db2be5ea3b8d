package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Triggers say why a snapshot commit was made; they go into its Kongsnap-Trigger trailer.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerRestore  = "restore"
	TriggerDrift    = "drift"
)

// Trailer keys on every snapshot commit.
const (
	TrailerConnection   = "Kongsnap-Connection"
	TrailerKongVersion  = "Kongsnap-Kong-Version"
	TrailerEntities     = "Kongsnap-Entities"
	TrailerTrigger      = "Kongsnap-Trigger"
	TrailerRunID        = "Kongsnap-Run-Id"
	TrailerRestoredFrom = "Kongsnap-Restored-From"
	// TrailerManifestMAC authenticates the commit's manifest with the encryption key (snapshot.Keyring.ManifestMAC),
	// so that a restore can trust the files before reading them in full (see loadTarget).
	TrailerManifestMAC = "Kongsnap-Manifest-Mac"
)

// BackupOptions selects what a backup run covers.
type BackupOptions struct {
	// Connections names the connections to back up, whatever their schedule. Empty means every enabled
	// connection that is due (or every one with All).
	Connections []string
	All         bool
	// Message is an optional paragraph for every commit this run makes.
	Message string
	// Trigger is recorded in the commit trailers: schedule or manual.
	Trigger string
	// Window is the period of the scheduler that runs kongsnap: a connection is due when its cron fires within
	// the last Window. Default one hour.
	Window time.Duration
	// Parallelism bounds how many connections are read at once; default 4.
	Parallelism int
	// OnChange is told every status change (pending, running, ...), for live progress.
	OnChange func(report.Result)
}

// Backup backs up the selected connections, each independently: one failing never stops the others. The returned
// report holds every connection's outcome; the error is only for failures before any connection ran.
func Backup(ctx context.Context, env *Env, opts BackupOptions) (*report.Report, error) {
	trigger := opts.Trigger
	if trigger == "" {
		trigger = TriggerManual
	}
	sel := selection{names: opts.Connections, all: opts.All, window: opts.Window, parallelism: opts.Parallelism}
	return fanOut(ctx, env, "backup", trigger, sel, opts.OnChange, func(run runShared) oneRun {
		b := &backupRun{runShared: run, opts: opts, trigger: trigger}
		return b.one
	})
}

// selection says which connections a run covers and how many run at once.
type selection struct {
	// names are run whatever their schedule; empty means every enabled connection that is due, or all of them.
	names       []string
	all         bool
	window      time.Duration // the scheduler's period; default one hour
	parallelism int           // default 4
}

// runShared is what every connection of one run shares.
type runShared struct {
	env *Env
	*repository
	runID string
	// gitMu keeps one connection's read-compare-commit-push together, so a concurrent connection's commit
	// cannot interleave with it in the shared repository.
	gitMu *sync.Mutex
}

type oneRun func(ctx context.Context, c *config.Connection) report.Result

// fanOut runs one function per selected connection, concurrently and independently: each moves pending → running
// → its outcome in the report, and a connection that is not due is reported as skipped.
func fanOut(ctx context.Context, env *Env, command, trigger string, sel selection, onChange func(report.Result),
	makeRun func(runShared) oneRun) (*report.Report, error) {
	conns, repo, err := env.openFor(ctx, sel.names)
	if err != nil {
		return nil, err
	}
	window := sel.window
	if window <= 0 {
		window = time.Hour
	}
	parallel := sel.parallelism
	if parallel <= 0 {
		parallel = 4
	}
	rep := report.New(command, env.runID(), trigger, env.now(), env.Config.Secrets(), onChange)
	one := makeRun(runShared{env: env, repository: repo, runID: rep.RunID, gitMu: &sync.Mutex{}})
	var times runTimes
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, c := range conns {
		if len(sel.names) == 0 && !sel.all && !c.Due(env.now(), window) {
			rep.Set(report.Result{Connection: c.Name, Status: report.Skipped,
				Reason: fmt.Sprintf("not due (schedule %q)", c.Schedule)})
			continue
		}
		rep.Set(report.Result{Connection: c.Name, Status: report.Pending})
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rep.Set(report.Result{Connection: c.Name, Status: report.Running})
			start := env.now()
			rep.Set(one(ctx, c))
			times.ran(c.Name, start, env.now())
		}()
	}
	wg.Wait()
	rep.Finish(env.now())
	env.recordRun(ctx, repo.store, rep, &times)
	return rep, nil
}

type backupRun struct {
	runShared
	opts    BackupOptions
	trigger string
}

func (b *backupRun) one(ctx context.Context, c *config.Connection) report.Result {
	start := b.env.now()
	res := report.Result{Connection: c.Name, Branch: b.store.Branch(c.Name)}
	fail := func(err error) report.Result {
		res.Status = report.Failed
		res.Reason = err.Error()
		res.Duration = b.env.now().Sub(start)
		b.env.logger().Error("backup failed", "connection", c.Name, "error", res.Reason)
		return res
	}
	client, live, err := b.env.readLive(ctx, c)
	if err != nil {
		return fail(err)
	}
	version := client.Version()
	if err := refuseLoss(ctx, b.store, c, client.Absent()); err != nil {
		return fail(err)
	}
	res.KongVersion, res.Entities = version, live.Len()
	files, err := writeSnapshot(live, c, version, b.keys)
	if err != nil {
		return fail(err)
	}

	b.gitMu.Lock()
	defer b.gitMu.Unlock()
	rec, err := Record(ctx, b.store, Entry{
		Connection: c.Name, Branch: res.Branch, Files: files, Summarize: b.summarizer(c, live, files), Body: b.opts.Message,
		KongVersion: version, Entities: live.Len(), Trigger: b.trigger, RunID: b.runID, At: start, Keys: b.keys,
	})
	res.Commit, res.Tag = rec.Commit, rec.Tag
	if err != nil {
		return fail(err)
	}
	res.Status, res.Summary = report.Completed, joinNotes(rec.Summary, rec.pendingNote())
	if rec.Unchanged {
		res.Status, res.Summary = report.Unchanged, joinNotes("no change since the last snapshot", rec.pendingNote())
		if rec.Pending > 0 || rec.PendingTags > 0 {
			// Nothing new was read, but the remotes received a snapshot they lacked.
			res.Status = report.Completed
		}
	}
	res.Duration = b.env.now().Sub(start)
	return res
}

// joinNotes appends a note to a summary, when there is one.
func joinNotes(summary, note string) string {
	if note == "" {
		return summary
	}
	return summary + "; " + note
}

// writeSnapshot renders a connection's snapshot as files with its secrets mode.
func writeSnapshot(s *snapshot.Snapshot, c *config.Connection, version string, keys *snapshot.Keyring) (snapshot.Files, error) {
	files, err := snapshot.Write(s, snapshotOptions(c, version, keys))
	if err != nil {
		return nil, fmt.Errorf("connection %q: writing snapshot: %w", c.Name, err)
	}
	return files, nil
}

// snapshotOptions are the options a connection's snapshot is written with.
func snapshotOptions(c *config.Connection, version string, keys *snapshot.Keyring) snapshot.WriteOptions {
	return snapshot.WriteOptions{
		Connection:  c.Name,
		KongVersion: version,
		SelectTags:  c.SelectTags, // decK syncing the files then leaves entities without the tags alone
		Secrets:     snapshot.SecretMode(c.Secrets),
		Keyring:     keys,
	}
}

// SnapshotTag names a snapshot kongsnap/<connection>/<UTC time to the millisecond>-<the first 8 hex digits of
// the id of its files' git tree>, sortable by name and unique without coordination: two runners tagging the same
// connection in the same millisecond get the same name only for the same files. The tree's id is git's digest of
// the files (gitstore's Store.TreeID), which a commit of them computes anyway.
func SnapshotTag(connection string, at time.Time, tree string) string {
	return fmt.Sprintf("kongsnap/%s/%s-%s", connection, at.UTC().Format("2006-01-02T150405.000Z"), tree[:min(8, len(tree))])
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/history"
	"github.com/kongsnap/kongsnap/notify"
	"github.com/kongsnap/kongsnap/report"
)

// runTimes holds when each connection's part of a run started and ended, for its history record.
type runTimes struct {
	mu    sync.Mutex
	spans map[string][2]time.Time
}

func (t *runTimes) ran(connection string, start, end time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.spans == nil {
		t.spans = map[string][2]time.Time{}
	}
	t.spans[connection] = [2]time.Time{start, end}
}

func (t *runTimes) span(connection string) ([2]time.Time, bool) {
	if t == nil {
		return [2]time.Time{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.spans[connection]
	return s, ok
}

// recordRun leaves the run's trace: one history record per connection that ran, appended to the status branch
// (with STATUS.md and the badges rendered again) and pushed to every remote, then the webhooks told of what the
// records raise. Neither can fail the run: a failure is logged as a warning and the run's outcome stands. store
// may be nil, when the command did not keep one open.
func (e *Env) recordRun(ctx context.Context, store *gitstore.Store, rep *report.Report, times *runTimes) {
	records := e.historyRecords(rep, times)
	if len(records) == 0 {
		return
	}
	log := e.logger()
	if store == nil {
		var err error
		if store, err = e.openStore(ctx); err != nil {
			log.Warn("run history not recorded: opening the snapshot repository failed", "error", err)
			return
		}
	}
	var earlier []history.Record
	if len(e.Config.Notify) > 0 { // alerts need what came before: recovered, a drift already told, the median
		var damage []error
		var err error
		if earlier, damage, err = parseHistory(ctx, store); err != nil {
			log.Warn("reading the run history failed; recording this run anyway, without alerts that need history",
				"branch", history.Branch, "error", err)
		}
		for _, d := range damage {
			log.Warn("damaged run history line left out", "branch", history.Branch, "error", d)
		}
	}
	if err := appendHistory(ctx, store, rep, records); err != nil {
		log.Warn("run history not fully recorded; the next run pushes what is committed locally",
			"branch", history.Branch, "error", err)
	}
	e.notify(ctx, records, earlier)
}

// historyRecords turns the report's results into records, each scrubbed of every secret the config knows.
func (e *Env) historyRecords(rep *report.Report, times *runTimes) []history.Record {
	secrets := e.Config.Secrets()
	var out []history.Record
	for _, res := range rep.Snapshot() {
		switch res.Status {
		case report.Completed, report.Unchanged, report.Failed:
		default:
			continue // skipped (not due) or never finished: nothing ran
		}
		start, end := rep.Started, rep.Finished
		if s, ok := times.span(res.Connection); ok {
			start, end = s[0], s[1]
		}
		if end.IsZero() {
			end = e.now()
		}
		out = append(out, history.Record{
			RunID: rep.RunID, Trigger: rep.Trigger, Command: rep.Command, Connection: res.Connection,
			Status: string(res.Status), Started: start.UTC(), Finished: end.UTC(), DurationMS: end.Sub(start).Milliseconds(),
			Entities: res.Entities, KongVersion: res.KongVersion, Commit: res.Commit, Tag: res.Tag, Drift: res.Drift,
			Summary: report.Scrub(res.Summary, secrets), Error: report.Scrub(res.Reason, secrets),
		})
	}
	return out
}

// readHistory reads every record on the status branch; a repository without one has no history yet.
func readHistory(ctx context.Context, store *gitstore.Store) ([]history.Record, error) {
	records, damage, err := parseHistory(ctx, store)
	if err == nil && len(damage) > 0 {
		err = damage[0]
	}
	return records, err
}

// parseHistory is readHistory that sets damaged lines aside (history.Parse).
func parseHistory(ctx context.Context, store *gitstore.Store) ([]history.Record, []error, error) {
	files, _, err := store.Files(ctx, history.Branch)
	if errors.Is(err, gitstore.ErrUnknownRef) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	records, damage := history.Parse(files)
	return records, damage, nil
}

func appendHistory(ctx context.Context, store *gitstore.Store, rep *report.Report, records []history.Record) error {
	lines, err := history.Lines(records)
	if err != nil {
		return err
	}
	_, err = store.AppendLog(ctx, gitstore.Append{
		Branch: history.Branch, Lines: lines, Derive: history.Render,
		Summary:  fmt.Sprintf("status: %s run %s, %d connections", rep.Command, rep.RunID, len(records)),
		Trailers: []gitstore.Trailer{{Key: TrailerRunID, Value: rep.RunID}, {Key: TrailerTrigger, Value: rep.Trigger}},
	})
	if err != nil {
		return err
	}
	return store.PushLog(ctx, history.Branch, history.Render)
}

// notify posts every event the records raise to each webhook that wants it, once each.
func (e *Env) notify(ctx context.Context, records, earlier []history.Record) {
	hooks := e.webhooks()
	if len(hooks) == 0 {
		return
	}
	client := e.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	for _, rec := range records {
		before := history.Previous(earlier, rec.Connection, rec.Command)
		for _, hook := range hooks {
			for _, ev := range notify.Detect(rec, before, hook.SlowAfter) {
				if !hook.Wants(ev) {
					continue
				}
				if err := notify.Send(ctx, client, hook, ev, rec); err != nil {
					e.logger().Warn("notification not delivered; the run's outcome stands", "connection", rec.Connection,
						"event", string(ev), "error", report.Scrub(err.Error(), e.Config.Secrets()))
				}
			}
		}
	}
}

func (e *Env) webhooks() []notify.Webhook {
	var out []notify.Webhook
	for _, w := range e.Config.Notify {
		hook := notify.Webhook{Name: w.Name, URL: w.URL, Format: w.Format, Timeout: time.Duration(w.Timeout),
			SlowAfter: notify.SlowAfter{Duration: w.SlowAfter.Duration, Factor: w.SlowAfter.Factor}}
		for _, on := range w.On {
			hook.On = append(hook.On, notify.Event(on))
		}
		out = append(out, hook)
	}
	return out
}

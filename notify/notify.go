// Package notify decides which events a run record raises (failed, drift, recovered, slow) and posts them to
// webhooks, as Slack-compatible messages or as the JSON run record.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kongsnap/kongsnap/history"
)

// Event is something a run did that a person may want to hear about.
type Event string

// Events a webhook can subscribe to.
const (
	Failed    Event = "failed"
	Drift     Event = "drift"
	Recovered Event = "recovered"
	Slow      Event = "slow"
)

// Formats a webhook posts in.
const (
	FormatSlack = "slack"
	FormatJSON  = "json"
)

// minMedianRuns is how many earlier successful runs a median needs before "2x the median" can call a run slow.
const minMedianRuns = 3

// SlowAfter is when a run is slow: after Duration, or after Factor times the median of the earlier runs.
type SlowAfter struct {
	Duration time.Duration
	Factor   float64
}

// Webhook is one place events are posted to.
type Webhook struct {
	// Name identifies the webhook in errors; the URL never appears in them, since it is a credential itself.
	Name      string
	URL       string
	On        []Event
	Format    string
	SlowAfter SlowAfter
	Timeout   time.Duration
}

// Detect returns the events rec raises for a webhook with slowAfter, given the earlier records of the same
// connection and command, oldest first: failed when it failed, recovered on the first success after a failure,
// drift when it found drift other than the last run's (a drift left open is told once, and again when it
// changes), slow when it took longer than slowAfter.
func Detect(rec history.Record, earlier []history.Record, slowAfter SlowAfter) []Event {
	var events []Event
	if rec.Status == history.Failed {
		events = append(events, Failed)
	}
	if rec.Succeeded() && len(earlier) > 0 && earlier[len(earlier)-1].Status == history.Failed {
		events = append(events, Recovered)
	}
	if rec.Drift && !sameDrift(rec, earlier) {
		events = append(events, Drift)
	}
	if limit := slowLimit(earlier, slowAfter); limit > 0 && rec.Duration() > limit {
		events = append(events, Slow)
	}
	return events
}

// sameDrift reports whether the run before rec found the very drift rec found.
func sameDrift(rec history.Record, earlier []history.Record) bool {
	if len(earlier) == 0 {
		return false
	}
	last := earlier[len(earlier)-1]
	return last.Drift && last.Summary == rec.Summary
}

// slowLimit is the duration past which a run is slow; zero when there is no limit yet.
func slowLimit(earlier []history.Record, s SlowAfter) time.Duration {
	if s.Duration > 0 {
		return s.Duration
	}
	ok := 0
	for _, r := range earlier {
		if r.Succeeded() {
			ok++
		}
	}
	if s.Factor <= 0 || ok < minMedianRuns {
		return 0
	}
	return time.Duration(s.Factor * float64(history.MedianDuration(earlier)))
}

// Wants reports whether the webhook subscribes to e.
func (w Webhook) Wants(e Event) bool {
	for _, on := range w.On {
		if on == e {
			return true
		}
	}
	return false
}

// Payload is what the json format posts.
type Payload struct {
	SchemaVersion int            `json:"schema_version"`
	Event         Event          `json:"event"`
	Record        history.Record `json:"record"`
}

// Send posts one event about rec to the webhook. Any answer but 2xx is an error; the error names the webhook
// and its host, never the URL's path or query, which carry its secret.
func Send(ctx context.Context, client *http.Client, w Webhook, e Event, rec history.Record) error {
	body, err := Body(w.Format, e, rec)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.Name, err)
	}
	if w.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.Timeout)
		defer cancel()
	}
	host := "?"
	if u, err := url.Parse(w.URL); err == nil {
		host = u.Host
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s at %s: building the request failed", w.Name, host)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kongsnap")
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the whole URL
		}
		return fmt.Errorf("webhook %s at %s: posting %s: %w", w.Name, host, e, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s at %s: posting %s: answered %s", w.Name, host, e, resp.Status)
	}
	return nil
}

// Body renders the request body of an event in a format.
func Body(format string, e Event, rec history.Record) ([]byte, error) {
	rec.SchemaVersion = history.SchemaVersion
	switch format {
	case FormatJSON:
		return json.Marshal(Payload{SchemaVersion: history.SchemaVersion, Event: e, Record: rec})
	case FormatSlack, "":
		return json.Marshal(map[string]string{"text": slackText(e, rec)})
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// slackText is the message of an event in Slack's mrkdwn, which Mattermost and Teams' Slack-compatible
// connectors read too.
func slackText(e Event, rec history.Record) string {
	what := fmt.Sprintf("kongsnap %s of *%s*", rec.Command, slackEscape(rec.Connection))
	run := fmt.Sprintf(" (run %s)", slackEscape(rec.RunID))
	switch e {
	case Failed:
		return ":x: " + what + " failed" + run + ": " + slackEscape(rec.Error)
	case Recovered:
		return ":white_check_mark: " + what + " recovered" + run + ": " + rec.Status + detail(rec)
	case Drift:
		return ":warning: " + what + " found drift" + run + detail(rec)
	case Slow:
		return ":hourglass: " + what + " took " + history.FormatDuration(rec.Duration()) + run + ": " + rec.Status
	}
	return what + ": " + string(e) + run
}

func detail(rec history.Record) string {
	if rec.Summary == "" {
		return ""
	}
	return ": " + slackEscape(rec.Summary)
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

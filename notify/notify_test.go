package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/history"
	"github.com/kongsnap/kongsnap/notify"
)

func rec(status string, d time.Duration) history.Record {
	return history.Record{RunID: "9", Command: "backup", Connection: "prod", Status: status, DurationMS: d.Milliseconds()}
}

func TestDetect(t *testing.T) {
	ok, failed := rec(history.Completed, 10*time.Second), rec(history.Failed, time.Second)
	steady := []history.Record{ok, ok, ok}
	drift := rec(history.Completed, 10*time.Second)
	drift.Drift, drift.Summary = true, "drift: 1 service changed"
	otherDrift := drift
	otherDrift.Summary = "drift: 2 services changed"
	for _, tc := range []struct {
		name    string
		rec     history.Record
		earlier []history.Record
		slow    notify.SlowAfter
		want    []notify.Event
	}{
		{"first run succeeds: nothing", ok, nil, notify.SlowAfter{Factor: 2}, nil},
		{"failure", failed, steady, notify.SlowAfter{Factor: 2}, []notify.Event{notify.Failed}},
		{"second failure still fails", failed, append(steady, failed), notify.SlowAfter{Factor: 2}, []notify.Event{notify.Failed}},
		{"first success after a failure recovers", ok, append(steady, failed), notify.SlowAfter{Factor: 2}, []notify.Event{notify.Recovered}},
		{"unchanged counts as a success", rec(history.Unchanged, time.Second), []history.Record{failed}, notify.SlowAfter{}, []notify.Event{notify.Recovered}},
		{"second success does not recover again", ok, append(steady, failed, ok), notify.SlowAfter{Factor: 2}, nil},
		{"drift", drift, steady, notify.SlowAfter{Factor: 2}, []notify.Event{notify.Drift}},
		{"the same drift again is told once", drift, append(steady, drift), notify.SlowAfter{Factor: 2}, nil},
		{"a changed drift is told again", otherDrift, append(steady, drift), notify.SlowAfter{Factor: 2}, []notify.Event{notify.Drift}},
		{"drift back after a clean run", drift, append(steady, drift, ok), notify.SlowAfter{Factor: 2}, []notify.Event{notify.Drift}},
		{"2x the median is slow", rec(history.Completed, 21*time.Second), steady, notify.SlowAfter{Factor: 2}, []notify.Event{notify.Slow}},
		{"just under 2x is not", rec(history.Completed, 20*time.Second), steady, notify.SlowAfter{Factor: 2}, nil},
		{"a median needs three runs", rec(history.Completed, time.Hour), []history.Record{ok, ok}, notify.SlowAfter{Factor: 2}, nil},
		{"a fixed limit needs no history", rec(history.Completed, 11*time.Minute), nil, notify.SlowAfter{Duration: 10 * time.Minute}, []notify.Event{notify.Slow}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := notify.Detect(tc.rec, tc.earlier, tc.slow); !slices.Equal(got, tc.want) {
				t.Errorf("Detect = %v, want %v", got, tc.want)
			}
		})
	}
}

// hookServer records every post; it answers status.
func hookServer(t *testing.T, status int) (*httptest.Server, *[]string) {
	t.Helper()
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("got %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, &bodies
}

func TestSendFormats(t *testing.T) {
	srv, bodies := hookServer(t, http.StatusOK)
	r := rec(history.Failed, time.Second)
	r.Error = "GET /services: 503 <b>&"
	for _, format := range []string{notify.FormatSlack, notify.FormatJSON} {
		hook := notify.Webhook{Name: "ops", URL: srv.URL + "/hook/T0/SECRET", Format: format, Timeout: time.Second}
		if err := notify.Send(context.Background(), srv.Client(), hook, notify.Failed, r); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	}
	var slack map[string]string
	if err := json.Unmarshal([]byte((*bodies)[0]), &slack); err != nil {
		t.Fatal(err)
	}
	if want := ":x: kongsnap backup of *prod* failed (run 9): GET /services: 503 &lt;b&gt;&amp;"; slack["text"] != want {
		t.Errorf("slack text = %q, want %q", slack["text"], want)
	}
	var payload notify.Payload
	if err := json.Unmarshal([]byte((*bodies)[1]), &payload); err != nil {
		t.Fatal(err)
	}
	if payload.Event != notify.Failed || payload.SchemaVersion != 1 || payload.Record.Error != r.Error || payload.Record.Connection != "prod" {
		t.Errorf("json payload = %+v", payload)
	}
}

func TestSendErrorsNeverShowTheURL(t *testing.T) {
	srv, _ := hookServer(t, http.StatusInternalServerError)
	hook := notify.Webhook{Name: "ops", URL: srv.URL + "/hook/T0/SECRET", Format: notify.FormatSlack}
	err := notify.Send(context.Background(), srv.Client(), hook, notify.Failed, rec(history.Failed, time.Second))
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "webhook ops") {
		t.Fatalf("Send to a 500: %v, want an error naming the webhook and the status", err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	hook.URL = closed.URL + "/hook/T0/SECRET?token=SECRET"
	err2 := notify.Send(context.Background(), http.DefaultClient, hook, notify.Failed, rec(history.Failed, time.Second))
	for _, e := range []error{err, err2} {
		if e == nil || strings.Contains(e.Error(), "SECRET") {
			t.Errorf("error %v shows the webhook's secret path", e)
		}
	}
}

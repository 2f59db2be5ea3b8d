package history

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// BackupCommand is the command whose records status summarises: backups are what a person asks after.
const BackupCommand = "backup"

// Connection is what the caller knows about a connection besides its records.
type Connection struct {
	Name    string
	Enabled bool
	// Retention is the policy prune keeps snapshots by.
	Retention Retention
	// SnapshotBytes is the size of the files of the connection's latest snapshot; zero when it has none.
	SnapshotBytes int64
}

// Retention is how many daily, weekly and monthly snapshots are kept.
type Retention struct {
	Days   int `json:"days"`
	Weeks  int `json:"weeks"`
	Months int `json:"months"`
}

// State is a connection's standing at a glance, the word on its badge.
type State string

// A connection is passing when its latest backup succeeded, failing when it failed, unknown before any backup.
const (
	Passing State = "passing"
	Failing State = "failing"
	Unknown State = "unknown"
)

// Status is the summary of every connection's backups, as `kongsnap status` prints it.
type Status struct {
	SchemaVersion int       `json:"schema_version"`
	Command       string    `json:"command"`
	GeneratedAt   time.Time `json:"generated_at"`
	// Since is the window success rate and median duration are taken over.
	Since        string    `json:"since"`
	SinceSeconds int64     `json:"since_seconds"`
	Connections  []Summary `json:"connections"`
}

// Summary is one connection's backups.
type Summary struct {
	Connection  string `json:"connection"`
	Enabled     bool   `json:"enabled"`
	State       State  `json:"state"`
	LastSuccess *Run   `json:"last_success"`
	LastFailure *Run   `json:"last_failure"`
	// Runs and Successes count the backups within the window.
	Runs             int       `json:"runs"`
	Successes        int       `json:"successes"`
	SuccessRate      float64   `json:"success_rate"`
	MedianDurationMS int64     `json:"median_duration_ms"`
	Entities         int       `json:"entities"`
	SnapshotBytes    int64     `json:"snapshot_bytes"`
	Retention        Retention `json:"retention"`
}

// Run is a single backup a summary points at.
type Run struct {
	At         time.Time `json:"at"`
	AgeSeconds int64     `json:"age_seconds"`
	RunID      string    `json:"run_id"`
	Commit     string    `json:"commit,omitempty"`
	Tag        string    `json:"tag,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// Summarize computes each connection's status at now over records (oldest first, as Read returns them); success
// rate and median duration are over the backups that started within since before now.
func Summarize(records []Record, conns []Connection, now time.Time, since time.Duration) Status {
	st := Status{
		SchemaVersion: SchemaVersion, Command: "status", GeneratedAt: now.UTC(), Since: FormatAge(since),
		SinceSeconds: int64(since / time.Second), Connections: []Summary{},
	}
	for _, c := range conns {
		st.Connections = append(st.Connections, summarize(Previous(records, c.Name, BackupCommand), c, now, since))
	}
	return st
}

func summarize(backups []Record, c Connection, now time.Time, since time.Duration) Summary {
	s := Summary{Connection: c.Name, Enabled: c.Enabled, State: Unknown, SnapshotBytes: c.SnapshotBytes, Retention: c.Retention}
	var window []Record
	for _, r := range backups {
		if r.Succeeded() {
			s.LastSuccess = run(r, now)
			s.State = Passing
			if r.Entities > 0 || r.Commit != "" {
				s.Entities = r.Entities
			}
		} else {
			s.LastFailure = run(r, now)
			s.State = Failing
		}
		if !r.Started.Before(now.Add(-since)) {
			window = append(window, r)
		}
	}
	s.Runs = len(window)
	for _, r := range window {
		if r.Succeeded() {
			s.Successes++
		}
	}
	if s.Runs > 0 {
		s.SuccessRate = float64(s.Successes) / float64(s.Runs)
	}
	s.MedianDurationMS = MedianDuration(window).Milliseconds()
	return s
}

func run(r Record, now time.Time) *Run {
	return &Run{At: r.Finished.UTC(), AgeSeconds: int64(now.Sub(r.Finished) / time.Second), RunID: r.RunID,
		Commit: r.Commit, Tag: r.Tag, Error: r.Error}
}

// Stale returns the enabled connections with no successful backup within olderThan before the status's time.
func (st Status) Stale(olderThan time.Duration) []string {
	var out []string
	for _, s := range st.Connections {
		if s.Enabled && (s.LastSuccess == nil || time.Duration(s.LastSuccess.AgeSeconds)*time.Second > olderThan) {
			out = append(out, s.Connection)
		}
	}
	return out
}

// WriteJSON writes the status as indented JSON.
func (st Status) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// WriteText prints one block per connection, for a person at a terminal.
func (st Status) WriteText(w io.Writer) error {
	var b strings.Builder
	for i, s := range st.Connections {
		if i > 0 {
			b.WriteString("\n")
		}
		name := s.Connection
		if !s.Enabled {
			name += " (disabled)"
		}
		fmt.Fprintf(&b, "%s: %s\n", name, s.State)
		line := func(key, format string, args ...any) {
			fmt.Fprintf(&b, "  %-16s %s\n", key, fmt.Sprintf(format, args...))
		}
		if r := s.LastSuccess; r != nil {
			line("last success", "%s ago, %s, run %s%s", FormatAge(time.Duration(r.AgeSeconds)*time.Second),
				r.At.Format(textTime), r.RunID, shortRef(" commit ", r.Commit))
		} else {
			line("last success", "never")
		}
		if r := s.LastFailure; r != nil {
			line("last failure", "%s ago, %s, run %s: %s", FormatAge(time.Duration(r.AgeSeconds)*time.Second),
				r.At.Format(textTime), r.RunID, r.Error)
		} else {
			line("last failure", "none")
		}
		if s.Runs > 0 {
			line("success rate", "%d of %d backups in the last %s (%.0f%%)", s.Successes, s.Runs, st.Since, 100*s.SuccessRate)
			line("median duration", "%s", FormatDuration(time.Duration(s.MedianDurationMS)*time.Millisecond))
		} else {
			line("success rate", "no backups in the last %s", st.Since)
		}
		switch {
		case s.SnapshotBytes > 0:
			line("latest snapshot", "%d entities, %s", s.Entities, FormatBytes(s.SnapshotBytes))
		case s.Entities > 0:
			line("latest snapshot", "%d entities", s.Entities)
		}
		line("retention", "%d daily, %d weekly, %d monthly", s.Retention.Days, s.Retention.Weeks, s.Retention.Months)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

const textTime = "2006-01-02 15:04 UTC"

func shortRef(prefix, sha string) string {
	if sha == "" {
		return ""
	}
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return "," + prefix + sha
}

// FormatAge writes a duration the way people say ages: 45s, 12m, 3h20m, 2d4h.
func FormatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

// FormatDuration writes a run's duration to a tenth of a second (or whole minutes and seconds above a minute).
func FormatDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// FormatBytes writes a size in B, KiB or MiB.
func FormatBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
}

// ParseWindow reads a window such as 7d, 2w, 26h or 90m: Go durations, plus whole days (d) and weeks (w).
func ParseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			var v int
			if _, err := fmt.Sscanf(n, "%d", &v); err == nil && fmt.Sprint(v) == n && v > 0 {
				return time.Duration(v) * unit, nil
			}
			return 0, fmt.Errorf("%q is not a window such as 7d, 2w or 26h", s)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a window such as 7d, 2w or 26h", s)
	}
	return d, nil
}

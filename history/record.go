// Package history keeps one record per connection per run as JSON lines on the snapshot repository's status
// branch, and turns those records into status: per-connection summaries, STATUS.md, badges and sparklines.
//
// It is pure: files in, records, summaries and files out. Git, configuration and the clock stay with the caller.
package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// Branch is the status branch of the snapshot repository: records, STATUS.md and badges, nothing else.
const Branch = "kongsnap/status"

// SchemaVersion is the version of the record and status JSON, kept equal to report.SchemaVersion (every JSON
// document kongsnap writes shares one): it changes only when a key is removed or changes meaning.
const SchemaVersion = 1

// Statuses a record can hold; they are the run report's.
const (
	Completed = "completed"
	Unchanged = "unchanged"
	Failed    = "failed"
)

// Record is what one run did to one connection.
type Record struct {
	SchemaVersion int       `json:"schema_version"`
	RunID         string    `json:"run_id"`
	Trigger       string    `json:"trigger"`
	Command       string    `json:"command"`
	Connection    string    `json:"connection"`
	Status        string    `json:"status"`
	Started       time.Time `json:"started"`
	Finished      time.Time `json:"finished"`
	DurationMS    int64     `json:"duration_ms"`
	Entities      int       `json:"entities"`
	KongVersion   string    `json:"kong_version,omitempty"`
	Commit        string    `json:"commit,omitempty"`
	Tag           string    `json:"tag,omitempty"`
	Drift         bool      `json:"drift,omitempty"`
	Summary       string    `json:"summary,omitempty"`
	// Error is the failure's reason, already scrubbed of every secret the configuration knows.
	Error string `json:"error,omitempty"`
}

// Duration is how long the run took on this connection.
func (r Record) Duration() time.Duration { return time.Duration(r.DurationMS) * time.Millisecond }

// Succeeded reports whether the run ended well: completed, or unchanged because nothing had changed.
func (r Record) Succeeded() bool { return r.Status == Completed || r.Status == Unchanged }

// Path is the file a record belongs in: one file per connection per month of its start, so files stay small and
// two runs only ever add lines.
func Path(connection string, started time.Time) string {
	return fmt.Sprintf("history/%s/%s.jsonl", connection, started.UTC().Format("2006-01"))
}

// isRecordFile reports whether a branch file holds records.
func isRecordFile(name string) bool {
	dir, file := path.Split(name)
	return strings.HasPrefix(dir, "history/") && strings.Count(dir, "/") == 2 && strings.HasSuffix(file, ".jsonl")
}

// Lines groups records by the file each belongs in, one JSON object per line.
func Lines(records []Record) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, r := range records {
		r.SchemaVersion = SchemaVersion
		line, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encoding the record of %s: %w", r.Connection, err)
		}
		p := Path(r.Connection, r.Started)
		out[p] = append(append(out[p], line...), '\n')
	}
	return out, nil
}

// Read parses every record file of the status branch, oldest record first. A line that is not a record is an
// error naming its file and line: history is written only by kongsnap, so a bad line is damage to look at.
func Read(files map[string][]byte) ([]Record, error) {
	records, damage := Parse(files)
	if len(damage) > 0 {
		return nil, damage[0]
	}
	return records, nil
}

// Parse is Read that sets aside each line that is not a record, returning the damage beside the records:
// recording and rendering must go on (so new records still land) while a person looks at what Read reports.
func Parse(files map[string][]byte) ([]Record, []error) {
	var records []Record
	var damage []error
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := files[name]
		if !isRecordFile(name) {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var r Record
			if err := json.Unmarshal(line, &r); err != nil {
				damage = append(damage, fmt.Errorf("%s line %d: not a history record: %w", name, n, err))
				continue
			}
			if r.Connection == "" || r.Command == "" || r.Status == "" {
				damage = append(damage, fmt.Errorf("%s line %d: a history record needs connection, command and status", name, n))
				continue
			}
			records = append(records, r)
		}
		if err := sc.Err(); err != nil {
			damage = append(damage, fmt.Errorf("reading %s: %w", name, err))
		}
	}
	sortRecords(records)
	return records, damage
}

// sortRecords orders records by start, then run, command and connection, so every reader sees one order whatever
// order concurrent runs appended their lines in.
func sortRecords(records []Record) {
	sort.SliceStable(records, func(i, j int) bool {
		a, b := records[i], records[j]
		if !a.Started.Equal(b.Started) {
			return a.Started.Before(b.Started)
		}
		if a.RunID != b.RunID {
			return a.RunID < b.RunID
		}
		if a.Command != b.Command {
			return a.Command < b.Command
		}
		return a.Connection < b.Connection
	})
}

// Previous returns the records of one connection and command, oldest first.
func Previous(records []Record, connection, command string) []Record {
	var out []Record
	for _, r := range records {
		if r.Connection == connection && r.Command == command {
			out = append(out, r)
		}
	}
	return out
}

// MedianDuration is the median duration of the successful runs among records; zero when there are none.
func MedianDuration(records []Record) time.Duration {
	var ds []time.Duration
	for _, r := range records {
		if r.Succeeded() {
			ds = append(ds, r.Duration())
		}
	}
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	mid := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[mid]
	}
	return (ds[mid-1] + ds[mid]) / 2
}

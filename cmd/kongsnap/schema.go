package main

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/report"
)

// The JSON documents commands print with --output json, besides the run report (report.Report). Every one carries
// schema_version (report.SchemaVersion), uses snake_case keys, and writes an empty list as [], never null. README's
// "JSON output" section documents them; testdata/*.json are their golden files.

type logJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Command       string         `json:"command"`
	Connection    string         `json:"connection"`
	Snapshots     []snapshotJSON `json:"snapshots"`
}

type snapshotJSON struct {
	Commit      string    `json:"commit"`
	Time        time.Time `json:"time"`
	KongVersion string    `json:"kong_version"`
	Entities    int       `json:"entities"`
	Trigger     string    `json:"trigger"`
	Summary     string    `json:"summary"`
	Tags        []string  `json:"tags"`
}

func newLogJSON(connection string, entries []app.LogEntry) logJSON {
	out := logJSON{SchemaVersion: report.SchemaVersion, Command: "log", Connection: connection, Snapshots: []snapshotJSON{}}
	for _, e := range entries {
		out.Snapshots = append(out.Snapshots, snapshotJSON{
			Commit: e.Commit, Time: e.Time.UTC(), KongVersion: e.KongVersion, Entities: atoi(e.Entities),
			Trigger: e.Trigger, Summary: e.Summary, Tags: nonNil(e.Tags),
		})
	}
	return out
}

// connectionsJSON lists connections; Matrix is ready for a GitHub Actions strategy.matrix:
// `matrix: ${{ fromJSON(needs.plan.outputs.connections).matrix }}`.
type connectionsJSON struct {
	SchemaVersion int              `json:"schema_version"`
	Command       string           `json:"command"`
	At            time.Time        `json:"at"`
	Window        string           `json:"window"`
	Connections   []connectionJSON `json:"connections"`
	Matrix        matrixJSON       `json:"matrix"`
}

type connectionJSON struct {
	Name     string `json:"name"`
	Branch   string `json:"branch"`
	Schedule string `json:"schedule"`
	Due      bool   `json:"due"`
}

type matrixJSON struct {
	Connection []string `json:"connection"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// showJSON is `kongsnap show REF --output json`.
type showJSON struct {
	SchemaVersion int           `json:"schema_version"`
	Command       string        `json:"command"`
	Ref           string        `json:"ref"`
	Snapshot      snapshotJSON  `json:"snapshot"`
	Trailers      []trailerJSON `json:"trailers"`
	Files         []fileJSON    `json:"files"`
}

type trailerJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type fileJSON struct {
	Name  string `json:"name"`
	Bytes int    `json:"bytes"`
}

func newShowJSON(ref string, info *app.SnapshotInfo) showJSON {
	e := info.Entry
	out := showJSON{SchemaVersion: report.SchemaVersion, Command: "show", Ref: ref,
		Snapshot: snapshotJSON{Commit: e.Commit, Time: e.Time.UTC(), KongVersion: e.KongVersion, Entities: atoi(e.Entities),
			Trigger: e.Trigger, Summary: e.Summary, Tags: nonNil(e.Tags)},
		Trailers: []trailerJSON{}, Files: []fileJSON{}}
	for _, t := range info.Commit.Trailers {
		out.Trailers = append(out.Trailers, trailerJSON{Key: t.Key, Value: t.Value})
	}
	for _, name := range slices.Sorted(maps.Keys(info.Files)) {
		out.Files = append(out.Files, fileJSON{Name: name, Bytes: len(info.Files[name])})
	}
	return out
}

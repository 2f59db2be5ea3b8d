package history_test

import (
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/history"
)

// BenchmarkRenderYear renders STATUS.md and the badges from a year of hourly backups of five connections
// (43,800 records, about 17 MB of JSON lines): the work every run does on the status branch, twice when it has to
// merge with a concurrent run.
func BenchmarkRenderYear(b *testing.B) {
	var recs []history.Record
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 365 * 24 {
		for _, c := range []string{"prod", "staging", "dev", "eu", "us"} {
			at := start.Add(time.Duration(i) * time.Hour)
			recs = append(recs, history.Record{RunID: "1234567890", Trigger: "schedule", Command: "backup", Connection: c,
				Status: history.Completed, Started: at, Finished: at.Add(4 * time.Second), DurationMS: 4000, Entities: 1200 + i%7,
				KongVersion: "3.9.1", Commit: "0123456789012345678901234567890123456789", Tag: "kongsnap/" + c + "/2026-01-01T000000.000Z-abcdef12"})
		}
	}
	files, err := history.Lines(recs)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := history.Render(files); err != nil {
			b.Fatal(err)
		}
	}
}

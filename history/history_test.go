package history_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/history"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// now is when the crafted history is looked at.
var now = time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)

// crafted reads testdata/crafted/history as the files of a status branch.
func crafted(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	root := filepath.Join("testdata", "crafted")
	err := filepath.WalkDir(filepath.Join(root, "history"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./history -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var conns = []history.Connection{
	{Name: "prod", Enabled: true, Retention: history.Retention{Days: 30, Weeks: 12, Months: 12}, SnapshotBytes: 58_112},
	{Name: "staging", Enabled: true, Retention: history.Retention{Days: 7, Weeks: 4}, SnapshotBytes: 9_830},
	{Name: "legacy", Enabled: false, Retention: history.Retention{Days: 30, Weeks: 12, Months: 12}},
}

func TestStatusGolden(t *testing.T) {
	records, err := history.Read(crafted(t))
	if err != nil {
		t.Fatal(err)
	}
	st := history.Summarize(records, conns, now, 7*24*time.Hour)
	var text, js bytes.Buffer
	if err := st.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "status.txt", text.Bytes())
	golden(t, "status.json", js.Bytes())
}

func TestSummarize(t *testing.T) {
	records, err := history.Read(crafted(t))
	if err != nil {
		t.Fatal(err)
	}
	st := history.Summarize(records, conns, now, 7*24*time.Hour)
	prod, staging, legacy := st.Connections[0], st.Connections[1], st.Connections[2]
	// prod: six backups in the window (the October one is outside it), one failed; drift records do not count.
	if prod.Runs != 7 || prod.Successes != 6 || prod.State != history.Passing {
		t.Errorf("prod: %d of %d, state %s; want 6 of 7 passing", prod.Successes, prod.Runs, prod.State)
	}
	if prod.LastSuccess == nil || prod.LastSuccess.RunID != "1018" || prod.Entities != 1210 {
		t.Errorf("prod last success %+v, entities %d; want run 1018 with 1210 entities", prod.LastSuccess, prod.Entities)
	}
	if prod.LastFailure == nil || !strings.Contains(prod.LastFailure.Error, "503") {
		t.Errorf("prod last failure %+v; want the 503", prod.LastFailure)
	}
	if staging.State != history.Failing || staging.LastSuccess.RunID != "1013" {
		t.Errorf("staging: %+v; want failing, last success run 1013", staging)
	}
	if legacy.State != history.Unknown || legacy.LastSuccess != nil || legacy.Runs != 0 {
		t.Errorf("legacy: %+v; want unknown with no runs", legacy)
	}
	for _, tc := range []struct {
		name  string
		older time.Duration
		want  []string
	}{
		{"26h catches staging's last success 2 days back", 26 * time.Hour, []string{"staging"}},
		{"13h catches prod's 13h-old success too", 12 * time.Hour, []string{"prod", "staging"}},
		{"a week catches nothing; legacy is disabled", 7 * 24 * time.Hour, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := st.Stale(tc.older); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Stale(%s) = %v, want %v", tc.older, got, tc.want)
			}
		})
	}
}

func TestRenderGolden(t *testing.T) {
	files := crafted(t)
	out, err := history.Render(files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"STATUS.md", "badges/prod-entities.svg", "badges/prod.svg", "badges/staging-entities.svg", "badges/staging.svg"}
	var got []string
	for name := range out {
		got = append(got, name)
	}
	if strings.Join(sorted(got), " ") != strings.Join(want, " ") {
		t.Fatalf("rendered %v, want %v", sorted(got), want)
	}
	for _, name := range want {
		golden(t, filepath.Join("render", name), out[name])
		if strings.HasSuffix(name, ".svg") {
			wellFormed(t, name, out[name])
		}
	}
	again, err := history.Render(files)
	if err != nil {
		t.Fatal(err)
	}
	for name := range out {
		if !bytes.Equal(out[name], again[name]) {
			t.Errorf("%s renders differently the second time", name)
		}
	}
}

// wellFormed fails unless data is one well-formed XML document with an svg root.
func wellFormed(t *testing.T, name string, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("%s is not well-formed XML: %v", name, err)
			return
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", name, root)
	}
}

func TestSVGEscapesHostileText(t *testing.T) {
	wellFormed(t, "badge", history.Badge(`a&b<"c'>`, history.Failing))
	wellFormed(t, "one-point sparkline", history.Sparkline([]int{5}))
	wellFormed(t, "flat sparkline", history.Sparkline([]int{5, 5, 5}))
}

func TestReadRejectsDamage(t *testing.T) {
	for _, tc := range []struct{ name, line, want string }{
		{"not JSON", "{oops\n", "history/prod/2026-11.jsonl line 2: not a history record"},
		{"no status", `{"connection":"prod","command":"backup"}` + "\n", "line 2: a history record needs connection, command and status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{"history/prod/2026-11.jsonl": []byte(`{"connection":"prod","command":"backup","status":"failed"}` + "\n" + tc.line)}
			if _, err := history.Read(files); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestLinesRoundTrip(t *testing.T) {
	start := time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC)
	recs := []history.Record{
		{RunID: "7", Command: "backup", Connection: "prod", Status: history.Failed, Started: start, Finished: start.Add(2 * time.Second), DurationMS: 2000, Error: "boom"},
		{RunID: "7", Command: "backup", Connection: "prod", Status: history.Completed, Started: start.Add(time.Second), Finished: start.Add(3 * time.Second), DurationMS: 2000},
	}
	lines, err := history.Lines(recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || bytes.Count(lines["history/prod/2026-12.jsonl"], []byte("\n")) != 2 {
		t.Fatalf("Lines = %q, want two lines in history/prod/2026-12.jsonl", lines)
	}
	back, err := history.Read(lines)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].Error != "boom" || back[0].SchemaVersion != history.SchemaVersion {
		t.Errorf("read back %+v", back)
	}
}

func TestMedianDuration(t *testing.T) {
	rec := func(ms int64, status string) history.Record { return history.Record{DurationMS: ms, Status: status} }
	for _, tc := range []struct {
		name string
		recs []history.Record
		want time.Duration
	}{
		{"none", nil, 0},
		{"odd", []history.Record{rec(3000, "completed"), rec(1000, "unchanged"), rec(2000, "completed")}, 2 * time.Second},
		{"even, failures left out", []history.Record{rec(1000, "completed"), rec(3000, "completed"), rec(90000, "failed")}, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := history.MedianDuration(tc.recs); got != tc.want {
				t.Errorf("MedianDuration = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "26h": 26 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := history.ParseWindow(in); err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "7", "d", "-1d", "1.5d", "0h", "soon"} {
		if _, err := history.ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q) accepted", bad)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestRenderLeavesDamagedLinesOutAndSaysSo(t *testing.T) {
	files := crafted(t)
	files["history/prod/2026-11.jsonl"] = append([]byte("{oops\n"), files["history/prod/2026-11.jsonl"]...)
	out, err := history.Render(files)
	if err != nil {
		t.Fatalf("Render: %v; damage must not stop rendering (new records must still land)", err)
	}
	page := string(out["STATUS.md"])
	if !strings.Contains(page, "**1 damaged history lines are left out**") || !strings.Contains(page, "history/prod/2026-11.jsonl line 1") {
		t.Errorf("STATUS.md does not name the damage:\n%s", page)
	}
	if !strings.Contains(page, "| prod | ![prod: passing]") {
		t.Errorf("the good records were not rendered:\n%s", page)
	}
}

func TestRenderReadsOldMonthsOnlyForWhatTheyMayHold(t *testing.T) {
	at := func(month, i int) time.Time { return time.Date(2026, time.Month(month), 1+i, 2, 0, 0, 0, time.UTC) }
	var recs []history.Record
	// prod failed in January, then backed up ten times a month from February to June.
	recs = append(recs, history.Record{RunID: "jan", Command: "backup", Connection: "prod", Status: history.Failed,
		Started: at(1, 3), Finished: at(1, 3).Add(time.Second), Error: "the January outage"})
	for month := 2; month <= 6; month++ {
		for i := range 10 {
			recs = append(recs, history.Record{RunID: fmt.Sprint(month*100 + i), Command: "backup", Connection: "prod",
				Status: history.Completed, Started: at(month, i), Finished: at(month, i).Add(time.Second),
				Entities: month*100 + i, Commit: strings.Repeat("a", 40)})
		}
	}
	// edge backed up in May; June holds only a drift check.
	recs = append(recs,
		history.Record{RunID: "may", Command: "backup", Connection: "edge", Status: history.Failed, Started: at(5, 1), Finished: at(5, 1), Error: "May"},
		history.Record{RunID: "jun", Command: "drift", Connection: "edge", Status: history.Completed, Started: at(6, 1), Finished: at(6, 1)})
	files, err := history.Lines(recs)
	if err != nil {
		t.Fatal(err)
	}
	out, err := history.Render(files)
	if err != nil {
		t.Fatal(err)
	}
	page := string(out["STATUS.md"])
	for _, want := range []string{
		"| prod | ![prod: passing](badges/prod.svg) | 2026-06-10 02:00 UTC | 2026-01-04 02:00 UTC: the January outage |",
		"| edge | ![edge: failing](badges/edge.svg) | never | 2026-05-02 02:00 UTC: May |",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("STATUS.md lacks %q:\n%s", want, page)
		}
	}
	if spark := string(out["badges/prod-entities.svg"]); !strings.Contains(spark, "last 30 snapshots: 400 to 609, latest 609") {
		t.Errorf("prod sparkline: %s", spark)
	}
}

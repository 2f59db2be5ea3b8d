package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sample() *Report {
	r := New("backup", "run-7", "schedule", time.Unix(0, 0).UTC(), []string{"tok-123456"}, nil)
	r.Set(Result{Connection: "staging", Status: Completed, Commit: "0123456789abcdef0123", Entities: 42,
		Summary: "staging: 1 service added"})
	r.Set(Result{Connection: "prod", Status: Failed, Reason: "reading routes: 503 with token tok-123456\nsecond line"})
	r.Set(Result{Connection: "dev", Status: Skipped, Reason: "not due (schedule 0 2 * * *)"})
	return r
}

func TestSecretsAreScrubbedEverywhere(t *testing.T) {
	r := sample()
	var table, js, ann bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	r.WriteAnnotations(&ann)
	for name, out := range map[string]string{"table": table.String(), "json": js.String(),
		"annotations": ann.String(), "markdown": r.Markdown()} {
		if strings.Contains(out, "tok-123456") {
			t.Errorf("%s output contains the secret:\n%s", name, out)
		}
	}
}

func TestResultsSortedAndReplaced(t *testing.T) {
	r := sample()
	r.Set(Result{Connection: "staging", Status: Unchanged})
	var names []string
	for _, res := range r.Snapshot() {
		names = append(names, res.Connection+"="+string(res.Status))
	}
	if got := strings.Join(names, ","); got != "dev=skipped,prod=failed,staging=unchanged" {
		t.Errorf("results = %s", got)
	}
	if !r.Failed() {
		t.Error("Failed() = false with a failed connection")
	}
}

func TestAnnotationsOnlyForFailuresAndEscaped(t *testing.T) {
	var ann bytes.Buffer
	sample().WriteAnnotations(&ann)
	want := "::error title=kongsnap backup prod failed::reading routes: 503 with token ***%0Asecond line\n"
	if ann.String() != want {
		t.Errorf("annotations =\n%q\nwant\n%q", ann.String(), want)
	}
}

func TestStepSummaryAndJSONFile(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	r := sample()
	if err := r.AppendStepSummary(func(string) string { return summary }); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| prod | ❌ failed |") || !strings.Contains(string(md), "`0123456789ab`") {
		t.Errorf("summary:\n%s", md)
	}
	if err := r.AppendStepSummary(func(string) string { return "" }); err != nil {
		t.Errorf("outside Actions: %v", err)
	}
	path := filepath.Join(dir, "report.json")
	if err := r.WriteJSONFile(path); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Results []Result `json:"results"`
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &back); err != nil || len(back.Results) != 3 {
		t.Fatalf("report file: %v %s", err, data)
	}
}

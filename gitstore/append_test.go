package gitstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

// countLines is a Derive that writes how many log lines the tree holds, so a test sees whether derived files
// describe the merged logs.
func countLines(files map[string][]byte) (map[string][]byte, error) {
	n := 0
	for path, content := range files {
		if strings.HasSuffix(path, ".jsonl") {
			n += bytes.Count(content, []byte("\n"))
		}
	}
	return map[string][]byte{"COUNT": []byte(fmt.Sprintln(n))}, nil
}

func appendLine(t *testing.T, s *gitstore.Store, path, line string) {
	t.Helper()
	_, err := s.AppendLog(context.Background(), gitstore.Append{
		Branch: "kongsnap/status", Lines: map[string][]byte{path: []byte(line + "\n")}, Derive: countLines,
		Summary: "status: " + line,
	})
	if err != nil {
		t.Fatalf("AppendLog(%s): %v", line, err)
	}
}

func TestAppendLogAddsLinesAndDerives(t *testing.T) {
	s, _, _ := testStore(t, gitstore.Options{})
	appendLine(t, s, "history/prod/2026-11.jsonl", "one")
	appendLine(t, s, "history/prod/2026-11.jsonl", "two")
	appendLine(t, s, "history/staging/2026-11.jsonl", "three")
	files, _, err := s.Files(context.Background(), "kongsnap/status")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(files["history/prod/2026-11.jsonl"]); got != "one\ntwo\n" {
		t.Errorf("prod log = %q, want one, two", got)
	}
	if got := string(files["COUNT"]); got != "3\n" {
		t.Errorf("derived COUNT = %q, want 3", got)
	}
	log, err := s.Log(context.Background(), "kongsnap/status", 0)
	if err != nil || len(log) != 3 {
		t.Fatalf("log: %d commits, %v; want 3", len(log), err)
	}
}

func TestAppendLogRejectsNonLogFiles(t *testing.T) {
	s, _, _ := testStore(t, gitstore.Options{})
	_, err := s.AppendLog(context.Background(), gitstore.Append{
		Branch: "kongsnap/status", Lines: map[string][]byte{"STATUS.md": []byte("x\n")}, Summary: "status",
	})
	if err == nil || !strings.Contains(err.Error(), ".jsonl") {
		t.Errorf("AppendLog of STATUS.md: %v, want a refusal naming .jsonl", err)
	}
}

func TestPushLogConcurrentRunsKeepEveryLine(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			url := tr.newRemote(t)
			a, b, _ := twoStores(t, url)
			const rounds = 3
			var want []string
			for round := range rounds {
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i, s := range []*gitstore.Store{a, b} {
					line := fmt.Sprintf(`{"round":%d,"store":%d}`, round, i)
					want = append(want, line)
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := s.AppendLog(context.Background(), gitstore.Append{
							Branch: "kongsnap/status", Lines: map[string][]byte{"history/prod/2026-11.jsonl": []byte(line + "\n")},
							Derive: countLines, Summary: "status: " + line,
						})
						if err == nil {
							err = s.PushLog(context.Background(), "kongsnap/status", countLines)
						}
						errs[i] = err
					}()
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			mirror := gittest.Mirror(t, url)
			got := strings.Split(gittest.Git(t, "", "--git-dir", mirror, "show", "kongsnap/status:history/prod/2026-11.jsonl"), "\n")
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("remote log holds\n%s\nwant every run's line\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if count := gittest.Git(t, "", "--git-dir", mirror, "show", "kongsnap/status:COUNT"); count != fmt.Sprint(2*rounds) {
				t.Errorf("derived COUNT on the remote = %s, want %d: derived files describe the merged logs", count, 2*rounds)
			}
			if merges := gittest.Git(t, "", "--git-dir", mirror, "rev-list", "--merges", "kongsnap/status"); merges != "" {
				t.Errorf("history has merge commits: %s", merges)
			}
		})
	}
}

func TestPushLogUnreachableRemoteKeepsLinesForTheNextPush(t *testing.T) {
	good := gittest.NewHTTP(t)
	s, _, _ := testStore(t, gitstore.Options{Remotes: []gitstore.Remote{
		{Name: "down", URL: closedURL(t, "")}, {Name: "up", URL: good},
	}})
	appendLine(t, s, "history/prod/2026-11.jsonl", "first")
	err := s.PushLog(context.Background(), "kongsnap/status", countLines)
	if err == nil || !strings.Contains(err.Error(), "down") || strings.Contains(err.Error(), "to up") {
		t.Fatalf("PushLog: %v, want an error naming only the unreachable remote", err)
	}
	if got := gittest.Git(t, "", "--git-dir", gittest.Mirror(t, good), "show", "kongsnap/status:history/prod/2026-11.jsonl"); got != "first" {
		t.Errorf("reachable remote has %q, want the line", got)
	}
}

// TestAppendLogReadsNoTag: appending to a log branch reads its tree, not the snapshot tags (a repository of hourly
// snapshots has thousands), so a tag that names no object does not stop the run history.
func TestAppendLogReadsNoTag(t *testing.T) {
	s, dir, _ := testStore(t, gitstore.Options{})
	appendLine(t, s, "runs.jsonl", "first")
	if err := os.WriteFile(filepath.Join(dir, "refs", "tags", "broken"), []byte(strings.Repeat("ab", 20)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	appendLine(t, s, "runs.jsonl", "second")
	if _, err := s.Head(context.Background(), "kongsnap/status"); err == nil {
		t.Error("Head, which names the head's tags, read past a tag naming no object: the test no longer shows anything")
	}
}

package app

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/snapshot"
)

// Summarize is the costly part of recording a backup (it reads the previous snapshot): Record calls it only for an
// entry that changes the branch, once, and its result is the commit's first line.
func TestRecordSummarizesOnlyAChange(t *testing.T) {
	ctx := context.Background()
	store, err := gitstore.Open(ctx, gitstore.Options{Path: filepath.Join(t.TempDir(), "repo")})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)
	tests := []struct {
		name      string
		files     snapshot.Files
		unchanged bool
	}{
		{"first snapshot", snapshot.Files{"kong.yaml": []byte("a\n")}, false},
		{"same files", snapshot.Files{"kong.yaml": []byte("a\n")}, true},
		{"changed files", snapshot.Files{"kong.yaml": []byte("b\n")}, false},
		{"same again", snapshot.Files{"kong.yaml": []byte("b\n")}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			rec, err := Record(ctx, store, Entry{Connection: "prod", Branch: store.Branch("prod"), Files: tt.files,
				Summarize:   func(context.Context) string { calls++; return "prod: " + tt.name },
				KongVersion: "3.9.1", Entities: 1, Trigger: TriggerManual, RunID: "run-1", At: at.Add(time.Duration(i) * time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Unchanged != tt.unchanged {
				t.Fatalf("Unchanged = %v, want %v", rec.Unchanged, tt.unchanged)
			}
			if tt.unchanged {
				if calls != 0 || rec.Summary != "" {
					t.Errorf("unchanged entry: Summarize called %d times, summary %q; want no call", calls, rec.Summary)
				}
				return
			}
			head, err := store.Head(ctx, store.Branch("prod"))
			if err != nil {
				t.Fatal(err)
			}
			if calls != 1 || rec.Summary != "prod: "+tt.name || head.Summary != rec.Summary || head.Hash != rec.Commit {
				t.Errorf("changed entry: %d calls, Recorded.Summary %q, head %s %q; want one call and the commit %s titled %q",
					calls, rec.Summary, head.Hash, head.Summary, rec.Commit, "prod: "+tt.name)
			}
		})
	}
}

// A snapshot's tag ends with the first 8 hex digits of its commit's tree, as git names it: the same files give the
// same digest, other files another.
func TestRecordTagNamesTheTree(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	store, err := gitstore.Open(ctx, gitstore.Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)
	for i, files := range []snapshot.Files{
		{"kong.yaml": []byte("a\n"), "MANIFEST.kongsnap": []byte("m\n")},
		{"kong.yaml": []byte("b\n"), "MANIFEST.kongsnap": []byte("m\n")},
	} {
		at := at.Add(time.Duration(i) * time.Second)
		rec, err := Record(ctx, store, Entry{Connection: "prod", Branch: store.Branch("prod"), Files: files,
			Summarize:   func(context.Context) string { return "prod: changed" },
			KongVersion: "3.9.1", Entities: 1, Trigger: TriggerManual, RunID: "run-1", At: at})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("git", "-C", dir, "rev-parse", rec.Commit+"^{tree}").Output()
		if err != nil {
			t.Fatalf("git rev-parse %s^{tree}: %v", rec.Commit, err)
		}
		tree := strings.TrimSpace(string(out))
		want := "kongsnap/prod/" + at.Format("2006-01-02T150405.000Z") + "-" + tree[:8]
		if rec.Tag != want {
			t.Errorf("snapshot %d: tag %q; want %q (the commit's tree is %s)", i+1, rec.Tag, want, tree)
		}
	}
}

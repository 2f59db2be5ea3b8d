package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/term"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gitstore"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

var at = time.Date(2026, 1, 31, 2, 0, 0, 0, time.UTC)

// documents are one of each JSON document kongsnap prints, built from fixed data.
func documents(t *testing.T) map[string]func() ([]byte, error) {
	return map[string]func() ([]byte, error){
		"report-backup.json": func() ([]byte, error) {
			rep := report.New("backup", "42", "schedule", at, nil, nil)
			rep.Set(report.Result{Connection: "prod", Status: report.Completed, Summary: "12 entities", Commit: "0123456789abcdef",
				Tag: "kongsnap/prod/2026-01-31T02:00:00Z", Branch: "kong/prod", KongVersion: "3.9.1", Entities: 12, Duration: time.Second})
			rep.Set(report.Result{Connection: "staging", Status: report.Failed, Reason: "admin API unreachable"})
			rep.Finish(at.Add(2 * time.Second))
			var b bytes.Buffer
			err := rep.WriteJSON(&b)
			return b.Bytes(), err
		},
		"report-empty.json": func() ([]byte, error) {
			var b bytes.Buffer
			err := report.New("prune", "44", "manual", at, nil, nil).WriteJSON(&b)
			return b.Bytes(), err
		},
		"report-drift.json": func() ([]byte, error) {
			rep := report.New("drift", "43", "drift", at, nil, nil)
			rep.Set(report.Result{Connection: "prod", Status: report.Completed, Summary: "drift: 1 service added", Drift: true,
				PullRequest: "https://github.com/acme/kong/pull/7", Counts: []report.Count{{Kind: "services", Action: "added on gateway", Count: 1}}})
			rep.Finish(at)
			var b bytes.Buffer
			err := rep.WriteJSON(&b)
			return b.Bytes(), err
		},
		"diff.json": func() ([]byte, error) {
			res := &app.DiffResult{Connection: "prod", Ref: "kong/prod", Commit: "0123456789abcdef", Drift: true,
				Summary: "1 service changed, 1 plugin added", Changes: []app.ChangeSummary{
					{Kind: snapshot.KindService, Action: diff.Changed, Identity: `service "billing"`, ID: "5c1e", Name: "billing",
						Fields: []diff.FieldChange{{Path: "retries", Kind: diff.Changed, From: 5.0, To: 10.0},
							{Path: "client_certificate", Kind: diff.Changed, Secret: true}}},
					{Kind: snapshot.KindPlugin, Action: diff.Added, Identity: `plugin "cors" on route "orders"`, ID: "9a00", Name: "cors"},
				}}
			return marshal(newDiffJSON(res))
		},
		"diff-clean.json": func() ([]byte, error) {
			return marshal(newDiffJSON(&app.DiffResult{Connection: "prod", Ref: "kong/prod", Commit: "0123", Summary: "no changes"}))
		},
		"log.json": func() ([]byte, error) {
			return marshal(newLogJSON("prod", []app.LogEntry{{Commit: "0123456789abcdef", Time: at, KongVersion: "3.9.1",
				Entities: "12", Trigger: "schedule", Summary: "prod: 12 entities", Tags: []string{"kongsnap/prod/2026-01-31T02:00:00Z"}},
				{Commit: "fedcba", Time: at.Add(-time.Hour), Summary: "prod: first"}}))
		},
		"show.json": func() ([]byte, error) {
			return marshal(newShowJSON("kong/prod", &app.SnapshotInfo{
				Entry:  app.LogEntry{Commit: "0123456789abcdef", Time: at, KongVersion: "3.9.1", Entities: "12", Summary: "prod: 12 entities"},
				Commit: gitstore.Commit{Hash: "0123456789abcdef", Trailers: []gitstore.Trailer{{Key: "Kongsnap-Connection", Value: "prod"}}},
				Files:  map[string][]byte{"services.yaml": []byte("services: []\n"), "kongsnap.json": []byte("{}")}}))
		},
		"log-empty.json": func() ([]byte, error) { return marshal(newLogJSON("prod", nil)) },
		"connections.json": func() ([]byte, error) {
			cfg := writeConfig(t, "repository:\n  path: "+t.TempDir()+"\nconnections:\n"+
				"  - name: prod\n    admin_url: http://a\n    schedule: \"0 2 * * *\"\n"+
				"  - name: staging\n    admin_url: http://b\n    schedule: \"0 14 * * *\"\n"+
				"  - name: dev\n    admin_url: http://c\n    headers:\n      Kong-Admin-Token: ${KONG_DEV_TOKEN}\n")
			var stdout, stderr bytes.Buffer
			g := &globals{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" },
				clock: func() time.Time { return at.Add(17 * time.Minute) }}
			if code := runWith(context.Background(), g, []string{"connections", "--config", cfg, "--due", "--output", "json"}); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			return stdout.Bytes(), nil
		},
	}
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	err := writeJSON(&b, v)
	return b.Bytes(), err
}

func TestJSONGolden(t *testing.T) {
	for name, make := range documents(t) {
		t.Run(name, func(t *testing.T) {
			got, err := make()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name)
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (run go test -update to accept):\n%s", golden, got)
			}
		})
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Every document follows the one schema: schema_version at the top, snake_case keys, [] and never null for a list.
func TestJSONSchemaRules(t *testing.T) {
	for name, make := range documents(t) {
		t.Run(name, func(t *testing.T) {
			data, err := make()
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			if v, ok := doc["schema_version"].(float64); !ok || int(v) != report.SchemaVersion {
				t.Errorf("schema_version = %v", doc["schema_version"])
			}
			if _, ok := doc["command"].(string); !ok {
				t.Errorf("no command: %v", doc)
			}
			walk(t, "", doc)
		})
	}
}

// listKeys are keys whose value is a list in every document that has them.
var listKeys = map[string]bool{"results": true, "changes": true, "fields": true, "snapshots": true, "tags": true,
	"connections": true, "connection": true, "trailers": true, "files": true}

func walk(t *testing.T, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if !snakeCase.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", path, k)
			}
			if listKeys[k] && e == nil {
				t.Errorf("%s.%s is null, want []", path, k)
			}
			walk(t, path+"."+k, e)
		}
	case []any:
		for i, e := range x {
			walk(t, path+"["+string(rune('0'+i%10))+"]", e)
		}
	}
}

func TestDiffEntityIdentity(t *testing.T) {
	for identity, scope := range map[string]string{
		`plugin "cors" on route "orders"`:                        `route "orders"`,
		`plugin "rate-limiting" (global)`:                        "global",
		`key-auth credential 5c1e of consumer "alice"`:           `consumer "alice"`,
		`route "a on b"`:                                         "",
		`target "10.0.0.1:80" on upstream "inventory.upstream"`:  `upstream "inventory.upstream"`,
		`plugin "acl" on service "billing", consumer "on of in"`: `service "billing", consumer "on of in"`,
	} {
		if got := scopeOf(identity); got != scope {
			t.Errorf("scopeOf(%q) = %q, want %q", identity, got, scope)
		}
	}
}

// Colour only on a terminal and without NO_COLOR; /dev/null is a character device and no terminal.
func TestColourOnlyOnATerminal(t *testing.T) {
	res := &app.DiffResult{Connection: "prod", Ref: "kong/prod", Commit: "0123", Drift: true, Summary: "1 service added",
		Changes: []app.ChangeSummary{{Kind: snapshot.KindService, Action: diff.Added, Identity: `service "x"`}}}
	for _, tt := range []struct {
		name   string
		tty    bool
		env    map[string]string
		colour bool
	}{
		{name: "terminal", tty: true, colour: true},
		{name: "terminal with NO_COLOR", tty: true, env: map[string]string{"NO_COLOR": "1"}},
		{name: "terminal with TERM=dumb", tty: true, env: map[string]string{"TERM": "dumb"}},
		{name: "pipe or file", tty: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			g := &globals{stdout: &out, stdoutTTY: tt.tty, getenv: func(k string) string { return tt.env[k] }}
			if err := g.publishDiff(res, "", "text"); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out.String(), "\x1b["); got != tt.colour {
				t.Errorf("colour = %v, want %v:\n%q", got, tt.colour, out.String())
			}
			if !strings.Contains(out.String(), `added on gateway:`) {
				t.Errorf("text lost: %q", out.String())
			}
			var table bytes.Buffer
			rep := report.New("backup", "1", "manual", at, nil, nil)
			rep.Set(report.Result{Connection: "prod", Status: report.Completed})
			rep.Set(report.Result{Connection: "staging-long-name", Status: report.Failed})
			g.stdout = &table
			g.publish(rep, "", "text")
			if got := strings.Contains(table.String(), "\x1b["); got != tt.colour {
				t.Errorf("table colour = %v, want %v:\n%q", got, tt.colour, table.String())
			}
			plain := regexp.MustCompile("\x1b\\[[0-9]+m").ReplaceAllString(table.String(), "")
			lines := strings.Split(plain, "\n")
			if len(lines) < 3 || strings.Index(lines[1], "completed") != strings.Index(lines[0], "STATUS") ||
				strings.Index(lines[2], "failed") != strings.Index(lines[0], "STATUS") ||
				strings.Index(lines[0], "ENTITIES") != strings.Index(lines[1], "completed")+len("completed  ") {
				t.Errorf("columns misaligned:\n%s", plain)
			}
		})
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	if info, _ := devnull.Stat(); info.Mode()&os.ModeCharDevice == 0 {
		t.Skip("/dev/null is no character device here")
	}
	if term.IsTerminal(int(devnull.Fd())) {
		t.Error("/dev/null counts as a terminal")
	}
}

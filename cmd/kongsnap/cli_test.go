package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/app"
)

// stubRun parses args through the real root command with every command's run replaced by a stub that records
// the parsed options. It returns the command name and options the stub saw, the exit code and both outputs.
func stubRun(t *testing.T, env map[string]string, args ...string) (string, any, int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	var gotCmd string
	var gotOpts any
	g := &globals{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return env[k] },
		runF: func(command string, opts any) error {
			gotCmd, gotOpts = command, opts
			return nil
		}}
	code := runWith(context.Background(), g, args)
	return gotCmd, gotOpts, code, stdout.String(), stderr.String()
}

func TestFlagsBecomeOptions(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want any
	}{
		{
			name: "backup",
			args: []string{"backup", "--connection", "prod", "--connection", "stage,dev", "--all", "--message", "m",
				"--window", "2h", "--parallelism", "8", "--report", "r.json", "--json"},
			want: &backupOptions{App: app.BackupOptions{Connections: []string{"prod", "stage", "dev"}, All: true,
				Message: "m", Window: 2 * time.Hour, Parallelism: 8}, Report: "r.json", Output: "json"},
		},
		{
			name: "backup under a scheduled workflow records the schedule trigger",
			args: []string{"backup"},
			env:  map[string]string{"GITHUB_EVENT_NAME": "schedule"},
			want: &backupOptions{App: app.BackupOptions{Trigger: app.TriggerSchedule, Parallelism: 4}, Output: "text"},
		},
		{
			name: "flags written for the old parser with one dash",
			args: []string{"backup", "-connection", "prod", "-report=r.json", "-config", "x.yaml"},
			want: &backupOptions{App: app.BackupOptions{Connections: []string{"prod"}, Parallelism: 4}, Report: "r.json", Output: "text"},
		},
		{
			name: "dump with decK's flag names",
			args: []string{"dump", "--kong-addr", "http://kong:8001", "--headers", "Kong-Admin-Token: t", "--select-tag", "team-a",
				"--select-tag", "edge", "-o", "-"},
			want: &dumpOptions{App: app.DumpOptions{AdminURL: "http://kong:8001", Headers: map[string]string{"Kong-Admin-Token": "t"},
				Output: "-", SelectTags: []string{"team-a", "edge"}}},
		},
		{
			name: "dump reads decK's environment variables",
			args: []string{"dump", "-o", "out"},
			env:  map[string]string{"DECK_KONG_ADDR": "http://kong:8001", "DECK_HEADERS": "Kong-Admin-Token: t,X-A: b"},
			want: &dumpOptions{App: app.DumpOptions{AdminURL: "http://kong:8001", Output: "out",
				Headers: map[string]string{"Kong-Admin-Token": "t", "X-A": "b"}}},
		},
		{
			name: "a flag beats DECK_HEADERS",
			args: []string{"dump", "--admin-url", "http://a", "--header", "K: v", "-o", "out"},
			env:  map[string]string{"DECK_HEADERS": "Other: x"},
			want: &dumpOptions{App: app.DumpOptions{AdminURL: "http://a", Output: "out", Headers: map[string]string{"K": "v"}}},
		},
		{
			name: "dump --force into a merged file",
			args: []string{"dump", "--connection", "prod", "-o", "kong.yaml", "--force"},
			want: &dumpOptions{App: app.DumpOptions{Connection: "prod", Output: "kong.yaml", Force: true, Headers: map[string]string{}}},
		},
		{
			name: "diff",
			args: []string{"diff", "--connection", "prod", "--ref", "kong/prod~1", "--output", "json", "--select-tag", "a", "--select-tag", "b"},
			want: &diffOptions{App: app.DiffOptions{Connection: "prod", Ref: "kong/prod~1", SelectTags: []string{"a", "b"}}, Output: "json"},
		},
		{
			name: "restore",
			args: []string{"restore", "--connection", "prod", "--to", "abc", "--sections", "plugins,consumers", "--dry-run",
				"--no-delete", "--max-deletes", "-1", "--allow-empty", "--skip-basic-auth", "--kong-addr", "http://dr:8001",
				"--no-record", "--parallelism", "3", "--report", "-", "--full-plan"},
			want: &restoreOptions{App: app.RestoreOptions{Connection: "prod", To: "abc", Sections: []string{"plugins", "consumers"},
				DryRun: true, NoDelete: true, MaxDeletes: -1, AllowEmpty: true, SkipBasicAuth: true, AdminURL: "http://dr:8001",
				Headers: map[string]string{}, NoRecord: true, Parallelism: 3, FullPlan: true}, Report: "-", Output: "text"},
		},
		{
			name: "restore drill into another gateway",
			args: []string{"restore", "--connection", "staging", "--to", "abc", "--from-connection", "prod", "--admin-url", "https://dr:8444",
				"--header", "Kong-Admin-Token: t", "--header", "X-A: b", "--tls-skip-verify", "--ca-cert", "ca.pem",
				"--allow-version-mismatch", "--allow-unprotected-window", "--yes"},
			want: &restoreOptions{App: app.RestoreOptions{Connection: "staging", To: "abc", FromConnection: "prod", Yes: true,
				AdminURL: "https://dr:8444", Headers: map[string]string{"Kong-Admin-Token": "t", "X-A": "b"}, TLSSkipVerify: true,
				CACert: "ca.pem", AllowVersionMismatch: true, AllowUnprotectedWindow: true, Parallelism: 10}, Output: "text"},
		},
		{
			name: "drift",
			args: []string{"drift", "--render-dir", "out", "--connection", "prod", "--restore-workflow", "restore.yml"},
			want: &driftOptions{App: app.DriftOptions{Connections: []string{"prod"}, RenderDir: "out", RestoreWorkflow: "restore.yml"}, Output: "text"},
		},
		{
			name: "prune",
			args: []string{"prune", "--dry-run", "--json"},
			want: &pruneOptions{App: app.PruneOptions{DryRun: true}, Output: "json"},
		},
		{
			name: "log",
			args: []string{"log", "--connection", "prod", "-n", "5"},
			want: &logOptions{Connection: "prod", Limit: 5, Output: "text"},
		},
		{
			name: "show with the flag after the positional argument",
			args: []string{"show", "kong/prod", "--file", "services.yaml"},
			want: &showOptions{Ref: "kong/prod", File: "services.yaml", Output: "text"},
		},
		{
			name: "show with the flag before the positional argument",
			args: []string{"show", "--file", "services.yaml", "kong/prod"},
			want: &showOptions{Ref: "kong/prod", File: "services.yaml", Output: "text"},
		},
		{
			name: "connections",
			args: []string{"connections", "--due", "--window", "30m", "--output", "json"},
			want: &connectionsOptions{Due: true, Window: 30 * time.Minute, Output: "json"},
		},
		{
			name: "init",
			args: []string{"init", "--dir", "backups", "--force", "--local"},
			want: &initOptions{App: app.InitOptions{Dir: "backups", Force: true, Local: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, code, _, stderr := stubRun(t, tt.env, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestExitCodesAndMessages(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string
		stderr     string
		notCommand bool
	}{
		{name: "help is on stdout", args: []string{"--help"}, code: exitOK, stdout: "Everyday commands:", notCommand: true},
		{name: "a command's help has an example", args: []string{"show", "--help"}, code: exitOK,
			stdout: "kongsnap show kong/prod --file services.yaml", notCommand: true},
		{name: "flags are shown with two dashes", args: []string{"diff", "-h"}, code: exitOK, stdout: "--connection string", notCommand: true},
		{name: "a typo suggests the command", args: []string{"bakup"}, code: exitUsage, stderr: "Did you mean this?\n\tbackup", notCommand: true},
		{name: "an unknown flag names itself", args: []string{"backup", "--al"}, code: exitUsage, stderr: "unknown flag: --al", notCommand: true},
		{name: "show without a ref says why", args: []string{"show"}, code: exitUsage, stderr: "show takes one snapshot", notCommand: true},
		{name: "show with two refs", args: []string{"show", "a", "b"}, code: exitUsage, stderr: "got 2 arguments", notCommand: true},
		{name: "diff needs a connection", args: []string{"diff"}, code: exitUsage, stderr: "--connection is required", notCommand: true},
		{name: "restore needs --to", args: []string{"restore", "--connection", "prod"}, code: exitUsage, stderr: "--to is required", notCommand: true},
		{name: "dump needs one source", args: []string{"dump", "-o", "x"}, code: exitUsage, stderr: "either --connection or --admin-url", notCommand: true},
		{name: "dump needs -o", args: []string{"dump", "--connection", "prod"}, code: exitUsage, stderr: "-o DIR", notCommand: true},
		{name: "a bad output format", args: []string{"log", "--connection", "p", "--output", "yaml"}, code: exitUsage,
			stderr: `--output "yaml": want text or json`, notCommand: true},
		{name: "stray arguments", args: []string{"backup", "prod"}, code: exitUsage, stderr: `unexpected argument "prod"`, notCommand: true},
		{name: "version", args: []string{"version"}, code: exitOK, stdout: "kongsnap ", notCommand: true},
		{name: "--version", args: []string{"--version"}, code: exitOK, stdout: "kongsnap ", notCommand: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, _, code, stdout, stderr := stubRun(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
			if tt.notCommand && cmd != "" {
				t.Errorf("the %s command ran", cmd)
			}
		})
	}
}

func TestVersionIsNotDevel(t *testing.T) {
	old := [3]string{version, commit, date}
	defer func() { version, commit, date = old[0], old[1], old[2] }()
	version, commit, date = "v1.2.3", "0123456789abcdef0123", "2026-01-31T02:00:00Z"
	_, _, code, stdout, _ := stubRun(t, nil, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "kongsnap v1.2.3 (commit 0123456789ab, built 2026-01-31T02:00:00Z, go") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if strings.Contains(stdout, "(devel)") {
		t.Errorf("version says (devel): %q", stdout)
	}
}

func TestCompletion(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash":       "__start_kongsnap",
		"zsh":        "#compdef kongsnap",
		"fish":       "complete -c kongsnap",
		"powershell": "Register-ArgumentCompleter",
	} {
		t.Run(shell, func(t *testing.T) {
			_, _, code, stdout, stderr := stubRun(t, nil, "completion", shell)
			if code != exitOK || !strings.Contains(stdout, marker) {
				t.Errorf("exit %d, stdout lacks %q (stderr %s)", code, marker, stderr)
			}
		})
	}
}

func TestCompletionOffersConfiguredConnections(t *testing.T) {
	cfg := writeConfig(t, "repository:\n  path: "+t.TempDir()+"\nconnections:\n  - name: prod\n    admin_url: http://a\n"+
		"  - name: stage\n    admin_url: http://b\n")
	_, _, code, stdout, _ := stubRun(t, nil, "__complete", "diff", "--config", cfg, "--connection", "")
	if code != exitOK || !strings.Contains(stdout, "prod\nstage\n") {
		t.Errorf("exit %d, completion:\n%s", code, stdout)
	}
}

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kongsnap.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

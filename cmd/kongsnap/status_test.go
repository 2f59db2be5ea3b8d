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

func TestStatusFlagsBecomeOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want *statusOptions
	}{
		{"defaults", []string{"status"}, &statusOptions{App: app.StatusOptions{Since: 7 * 24 * time.Hour}}},
		{"every flag", []string{"status", "--connection", "prod", "--connection", "stage", "--since", "2w", "--fail-if-older", "26h", "--json"},
			&statusOptions{App: app.StatusOptions{Connections: []string{"prod", "stage"}, Since: 14 * 24 * time.Hour,
				FailIfOlder: 26 * time.Hour, JSON: true}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, got, code, _, stderr := stubRun(t, nil, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
	for _, bad := range [][]string{{"status", "--since", "soon"}, {"status", "--fail-if-older", "1.5d"}} {
		if _, _, code, _, stderr := stubRun(t, nil, bad...); code != exitUsage || !strings.Contains(stderr, "is not a window") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", bad, code, stderr)
		}
	}
}

func TestStatusFailIfOlderExitsNonZero(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kongsnap.yaml")
	if err := os.WriteFile(cfg, []byte("repository:\n  path: "+filepath.Join(dir, "repo")+"\nconnections:\n  - name: prod\n"+
		"    admin_url: http://127.0.0.1:9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"status", "--config", cfg, "--fail-if-older", "26h"}, &stdout, &stderr, func(string) string { return "" })
	if code != exitError || !strings.Contains(stderr.String(), "no successful backup within 1d2h for prod") {
		t.Errorf("exit %d, stderr %q; want 1 naming prod", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "prod: unknown") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"status", "--config", cfg}, &stdout, &stderr, func(string) string { return "" }); code != exitOK {
		t.Errorf("status without --fail-if-older: exit %d", code)
	}
}

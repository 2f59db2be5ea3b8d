package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/kongsnap/kongsnap/report"
)

func TestInitOutsideARepositoryCreatesOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	var out bytes.Buffer
	if err := Init(InitOptions{Dir: dir}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := git.PlainOpen(dir); err != nil {
		t.Fatalf("no repository in %s: %v", dir, err)
	}
	for _, f := range []string{"kongsnap.yaml", ".github/workflows/kongsnap-restore.yml", ".github/workflows/kongsnap-fleet.yml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	for _, want := range []string{"created a git repository", "KONGSNAP_KEY", "KONG_PROD_TOKEN", "KONG_STAGING_TOKEN", "GITHUB_TOKEN"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("init output lacks %q:\n%s", want, out.String())
		}
	}
	// The restore workflow offers the config's connections.
	restore, _ := os.ReadFile(filepath.Join(dir, ".github/workflows/kongsnap-restore.yml"))
	if !strings.Contains(string(restore), "options: # kongsnap init fills these from kongsnap.yaml\n          - prod\n          - staging\n") {
		t.Errorf("restore workflow options:\n%s", restore)
	}
	// A second init refuses to overwrite.
	if err := Init(InitOptions{Dir: dir}, &out); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second init: %v", err)
	}
}

func TestInitInsideARepositoryLeavesItAlone(t *testing.T) {
	repo := t.TempDir()
	if _, err := git.PlainInit(repo, false); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(repo, "kong")
	var out bytes.Buffer
	if err := Init(InitOptions{Dir: sub, Local: true}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(sub, ".git")); err == nil {
		t.Error("init nested a repository inside one")
	}
}

// The README's quickstart: kongsnap init --local in an empty directory, then a backup there, against a gateway.
func TestInitLocalBacksUpWhereItRuns(t *testing.T) {
	gw := newGateway(t)
	gw.seed(t)
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Init(InitOptions{Dir: dir, Local: true}, &out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "kongsnap.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"github:", "remotes:", "GITHUB_"} {
		if strings.Contains(string(data), absent) {
			t.Errorf("local config holds %q", absent)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".github")); err == nil {
		t.Error("--local wrote workflows")
	}
	if strings.Contains(out.String(), "GITHUB_TOKEN") || !strings.Contains(out.String(), "KONGSNAP_KEY") {
		t.Errorf("init output:\n%s", out.String())
	}
	cfgPath := filepath.Join(dir, "kongsnap.yaml")
	os.WriteFile(cfgPath, []byte(strings.Replace(string(data), "http://127.0.0.1:8001", gw.url, 1)), 0o644)

	t.Chdir(dir)
	cfgText, err := os.ReadFile("kongsnap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, string(cfgText), map[string]string{"KONGSNAP_KEY": testKey})
	rep, err := Backup(context.Background(), env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "local"); r.Status != report.Completed {
		t.Fatalf("backup in the init'd directory: %+v", r)
	}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Reference("refs/heads/kong/local", true); err != nil {
		t.Errorf("the snapshot is not on kong/local of the directory's repository: %v", err)
	}
}

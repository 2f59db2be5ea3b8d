package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
)

// A remote over https with a token from the environment: the token authenticates the push and shows nowhere.
func TestBackupPushesWithATokenOverHTTP(t *testing.T) {
	const token = "ghs_pushTokenThatMustStayHidden42"
	gw := newGateway(t)
	gw.seed(t)
	url := gittest.NewHTTP(t, gittest.WithBasicAuth("x-access-token", token))
	config := func(repo string) string {
		return "repository:\n  path: " + repo + "\n  remotes:\n    - name: origin\n      url: " + url +
			"\n      token: ${PUSH_TOKEN}\nconnections:\n  - name: prod\n    admin_url: " + gw.url + "\n"
	}
	env := newEnv(t, config(filepath.Join(t.TempDir(), "repo")), map[string]string{"KONGSNAP_KEY": testKey, "PUSH_TOKEN": token})
	rep, err := Backup(context.Background(), env.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := status(t, rep, "prod"); r.Status != report.Completed {
		t.Fatalf("backup over authenticated http: %+v", r)
	}

	// A wrong token fails the connection with a reason that does not echo it.
	gw.addService(t, "more")
	bad := newEnv(t, config(filepath.Join(t.TempDir(), "other")), map[string]string{"KONGSNAP_KEY": testKey, "PUSH_TOKEN": "wrong-token-value-123"})
	rep, err = Backup(context.Background(), bad.Env, BackupOptions{All: true})
	if err != nil {
		t.Fatalf("an unreachable remote must fail the connection, not the run: %v", err)
	}
	r := status(t, rep, "prod")
	if r.Status != report.Failed || !strings.Contains(r.Reason, "committed locally but not pushed") ||
		strings.Contains(r.Reason, "wrong-token-value-123") {
		t.Errorf("wrong token: %+v", r)
	}
	for _, out := range []string{env.logs.String(), bad.logs.String(), bad.stderr.String()} {
		if strings.Contains(out, token) || strings.Contains(out, "wrong-token-value-123") {
			t.Error("a token reached the logs")
		}
	}
}

// on_drift: commit makes drift behave as a backup: the live state goes straight to the environment branch.
func TestDriftWithOnDriftCommitCommitsToTheBranch(t *testing.T) {
	gw := newGateway(t)
	gw.seed(t)
	remoteDir, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL, map[string]string{"stage": gw.url},
		"    on_drift: commit\n"), map[string]string{"KONGSNAP_KEY": testKey})
	ctx := context.Background()
	if _, err := Backup(ctx, env.Env, BackupOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	gw.addService(t, "hand-made")
	rep, err := Drift(ctx, env.Env, DriftOptions{All: true, RenderDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	r := status(t, rep, "stage")
	if r.Status != report.Completed || !r.Drift || r.Commit != gittest.Branch(t, remoteDir, "kong/stage") {
		t.Fatalf("drift with on_drift commit: %+v", r)
	}
	if _, ok := gittest.Refs(t, remoteDir)["refs/heads/kongsnap/drift/stage"]; ok {
		t.Error("a drift branch was made for an on_drift: commit connection")
	}
	msg := gittest.Git(t, remoteDir, "log", "-1", "--format=%B", "kong/stage")
	if !strings.Contains(msg, "1 service added") || !strings.Contains(msg, "Kongsnap-Trigger: drift") {
		t.Errorf("commit:\n%s", msg)
	}
}

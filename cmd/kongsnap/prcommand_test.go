package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/githubpr/githubfake"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

func TestPRCommandFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     any
		wantCode int
	}{
		{name: "event from the Actions environment", args: []string{"pr-command"},
			env:  map[string]string{"GITHUB_EVENT_PATH": "/e.json", "GITHUB_EVENT_NAME": "issue_comment"},
			want: &prCommandOptions{Event: "/e.json"}},
		{name: "event flag and the commands this step runs", args: []string{"pr-command", "--event", "x.json", "--run", "revert,accept"},
			want: &prCommandOptions{Event: "x.json", Run: []string{"revert", "accept"}}},
		{name: "no event", args: []string{"pr-command"}, wantCode: exitUsage},
		{name: "unknown command to run", args: []string{"pr-command", "--event", "x", "--run", "deploy"}, wantCode: exitUsage},
		{name: "another event", args: []string{"pr-command", "--event", "x"}, env: map[string]string{"GITHUB_EVENT_NAME": "push"},
			wantCode: exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, opts, code, _, stderr := stubRun(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if tt.want != nil && !reflect.DeepEqual(opts, tt.want) {
				t.Errorf("options = %+v, want %+v", opts, tt.want)
			}
		})
	}
}

// TestActionPRCommandPlanThenApprovedRevert runs the example workflow's two jobs as the runner would: a drift opens
// a pull request, a writer comments /kongsnap revert, the first step (no environment) checks it and leaves it, the
// second (behind the environment) reverts kongsim to the branch.
func TestActionPRCommandPlanThenApprovedRevert(t *testing.T) {
	const key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	sim := kongsim.New(kongsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	kc, err := kong.NewClient(kong.String(srv.URL), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := kc.Services.Create(ctx, &kong.Service{Name: kong.String("svc"), Host: kong.String("svc.internal")}); err != nil {
		t.Fatal(err)
	}
	gh := githubfake.New(t)
	gh.SetPermission("wendy", "write")
	_, remoteURL := gittest.NewBare(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kongsnap.yaml")
	os.WriteFile(cfg, []byte("repository:\n  path: "+filepath.Join(dir, "repo")+"\n  remotes:\n    - name: backup\n      url: "+
		remoteURL+"\ngithub:\n  repository: "+gh.Repository()+"\n  api_url: "+gh.URL()+
		"\nconnections:\n  - name: ci\n    admin_url: "+srv.URL+"\n    retries: -1\n"), 0o644)
	inputs := func(extra ...string) map[string]string {
		in := map[string]string{"config": cfg, "encryption-key": key, "github-token": githubfake.Token}
		for i := 0; i+1 < len(extra); i += 2 {
			in[extra[i]] = extra[i+1]
		}
		return in
	}
	if _, _, err := runActionStep(t, inputs("command", "backup")); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Services.Create(ctx, &kong.Service{Name: kong.String("shadow"), Host: kong.String("shadow.internal")}); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runActionStep(t, inputs("command", "drift")); err != nil || !strings.HasSuffix(out["pull-request-url"], "/pull/1") {
		t.Fatalf("drift step: %v %v", out, err)
	}

	eventPath := filepath.Join(dir, "event.json")
	if err := os.WriteFile(eventPath, gh.UserComment(1, "wendy", "/kongsnap revert"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventEnv := []string{"GITHUB_EVENT_PATH=" + eventPath, "GITHUB_EVENT_NAME=issue_comment"}
	out, _, err := runActionStep(t, inputs("command", "pr-command", "pr-commands", "plan"), eventEnv...)
	if err != nil {
		t.Fatal(err)
	}
	if out["pr-command"] != "revert" || out["connection"] != "ci" || out["pr-command-outcome"] != "deferred" {
		t.Errorf("plan step outputs = %v", out)
	}
	if _, err := kc.Services.Get(ctx, kong.String("shadow")); err != nil {
		t.Fatalf("the step without an environment reverted: %v", err)
	}

	out, _, err = runActionStep(t, inputs("command", "pr-command", "pr-commands", "revert,accept"), eventEnv...)
	if err != nil {
		t.Fatal(err)
	}
	if out["pr-command-outcome"] != "done" {
		t.Errorf("environment step outputs = %v", out)
	}
	if _, err := kc.Services.Get(ctx, kong.String("shadow")); !kong.IsNotFoundErr(err) {
		t.Errorf("revert left the drifted service: %v", err)
	}
	if pr := gh.PullRequests()[0]; pr.State != "closed" || pr.Merged {
		t.Errorf("pull request after revert: %+v", pr)
	}
}

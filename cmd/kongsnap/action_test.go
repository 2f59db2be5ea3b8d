package main

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

// actionFile is the part of action.yml the runner reads.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID  string            `yaml:"id"`
			Run string            `yaml:"run"`
			Env map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)

// runActionStep runs action.yml's kongsnap step as the runner would: inputs resolved into the step's env (defaults
// included), RUNNER_TEMP holding the binary the build step makes, and fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files. It returns the outputs and the step summary.
func runActionStep(t *testing.T, inputs map[string]string, extraEnv ...string) (map[string]string, string, error) {
	t.Helper()
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action actionFile
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Fatalf("action runs %q, want composite", action.Runs.Using)
	}
	resolve := func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string {
			name := strings.TrimSpace(expr.FindStringSubmatch(m)[1])
			if in, ok := strings.CutPrefix(name, "inputs."); ok {
				spec, declared := action.Inputs[in]
				if !declared {
					t.Fatalf("action.yml uses undeclared input %q", in)
				}
				if v, ok := inputs[in]; ok {
					return v
				}
				return spec.Default
			}
			return ""
		})
	}
	for name := range inputs {
		if _, ok := action.Inputs[name]; !ok {
			t.Fatalf("test passes input %q that action.yml does not declare", name)
		}
	}

	tmp := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(tmp, "kongsnap"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building kongsnap: %v\n%s", err, out)
	}
	outputFile, summaryFile := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary.md")
	for _, step := range action.Runs.Steps {
		if step.ID != "run" {
			continue
		}
		cmd := exec.Command("bash", "-c", step.Run)
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+tmp, "GITHUB_OUTPUT="+outputFile,
			"GITHUB_STEP_SUMMARY="+summaryFile, "GITHUB_ACTIONS=true")
		for k, v := range step.Env {
			cmd.Env = append(cmd.Env, k+"="+resolve(v))
		}
		cmd.Env = append(cmd.Env, extraEnv...)
		out, runErr := cmd.CombinedOutput()
		t.Logf("action output:\n%s", out)
		outputs := map[string]string{}
		raw, _ := os.ReadFile(outputFile)
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				outputs[k] = v
			}
		}
		for name, o := range action.Outputs {
			if !strings.Contains(o.Value, "steps.run.outputs."+name) {
				t.Errorf("output %s is not wired to the run step: %q", name, o.Value)
			}
		}
		summary, _ := os.ReadFile(summaryFile)
		return outputs, string(summary), runErr
	}
	t.Fatal("action.yml has no step with id run")
	return nil, "", nil
}

func TestActionBackupAgainstKongsim(t *testing.T) {
	sim := kongsim.New(kongsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	remoteDir, remoteURL := gittest.NewBare(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kongsnap.yaml")
	os.WriteFile(cfg, []byte("repository:\n  path: "+filepath.Join(dir, "repo")+"\n  remotes:\n    - name: backup\n      url: "+
		remoteURL+"\nconnections:\n  - name: ci\n    admin_url: "+srv.URL+"\n"), 0o644)
	resp, err := srv.Client().Post(srv.URL+"/services", "application/json", strings.NewReader(`{"name":"svc","host":"example.internal"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	outputs, summary, err := runActionStep(t, map[string]string{"command": "backup", "config": cfg,
		"encryption-key": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"})
	if err != nil {
		t.Fatalf("action failed: %v", err)
	}
	if want := gittest.Branch(t, remoteDir, "kong/ci"); outputs["snapshot-sha"] != want || want == "" {
		t.Errorf("snapshot-sha = %q, remote kong/ci = %q", outputs["snapshot-sha"], want)
	}
	if outputs["drift"] != "false" || outputs["report"] == "" {
		t.Errorf("outputs = %v", outputs)
	}
	if _, err := os.Stat(outputs["report"]); err != nil {
		t.Errorf("report output does not name a file: %v", err)
	}
	if !strings.Contains(summary, "### kongsnap backup") || !strings.Contains(summary, "| ci | ✅ completed |") {
		t.Errorf("step summary:\n%s", summary)
	}
}

func TestActionFailsTheStepWhenABackupFails(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kongsnap.yaml")
	// Nothing listens on port 9 of loopback: the gateway is unreachable.
	os.WriteFile(cfg, []byte("repository:\n  path: "+filepath.Join(dir, "repo")+"\nconnections:\n  - name: down\n"+
		"    admin_url: http://127.0.0.1:9\n    retries: -1\n"), 0o644)
	outputs, summary, err := runActionStep(t, map[string]string{"command": "backup", "config": cfg})
	if err == nil {
		t.Fatal("the step succeeded although the backup failed")
	}
	if !strings.Contains(summary, "| down | ❌ failed |") {
		t.Errorf("step summary:\n%s", summary)
	}
	if outputs["report"] == "" {
		t.Errorf("outputs = %v", outputs)
	}
}

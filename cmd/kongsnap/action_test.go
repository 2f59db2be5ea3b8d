package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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

var buildOnce struct {
	sync.Once
	dir string
	err error
}

// kongsnapBinary builds kongsnap once for the package's tests.
func kongsnapBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildOnce.dir, buildOnce.err = os.MkdirTemp("", "kongsnap-action-test-")
		if buildOnce.err != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", buildOnce.dir, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("building kongsnap: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return filepath.Join(buildOnce.dir, "kongsnap")
}

func readAction(t *testing.T) actionFile {
	t.Helper()
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action actionFile
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	return action
}

// runner is one job's runner: a RUNNER_TEMP shared by its steps, holding the binary the install step puts in
// bin-dir, and the job's own environment.
type runner struct {
	temp   string
	jobEnv []string
}

func newRunner(t *testing.T, jobEnv ...string) *runner {
	t.Helper()
	temp := t.TempDir()
	binDir := filepath.Join(temp, "kongsnap-bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(kongsnapBinary(t), filepath.Join(binDir, "kongsnap")); err != nil {
		t.Fatal(err)
	}
	return &runner{temp: temp, jobEnv: jobEnv}
}

// runActionStep runs action.yml's kongsnap step as the runner would: inputs resolved into the step's env
// (defaults included) on top of the job's env, the install step's bin-dir, and fresh GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files for this step. It returns the outputs and the step summary.
func (rn *runner) runActionStep(t *testing.T, inputs map[string]string) (map[string]string, string, error) {
	t.Helper()
	action := readAction(t)
	if action.Runs.Using != "composite" {
		t.Fatalf("action runs %q, want composite", action.Runs.Using)
	}
	binDir := filepath.Join(rn.temp, "kongsnap-bin")
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
			if name == "steps.install.outputs.bin-dir" {
				return binDir
			}
			return ""
		})
	}
	for name := range inputs {
		if _, ok := action.Inputs[name]; !ok {
			t.Fatalf("test passes input %q that action.yml does not declare", name)
		}
	}
	for name, o := range action.Outputs {
		if !strings.Contains(o.Value, "steps.run.outputs."+name) && !strings.Contains(o.Value, "steps.install.outputs."+name) {
			t.Errorf("output %s is not wired to the run or install step: %q", name, o.Value)
		}
	}
	step := t.Name()
	step = strings.NewReplacer("/", "-", " ", "-").Replace(step) + fmt.Sprint(time.Now().UnixNano())
	outputFile, summaryFile := filepath.Join(rn.temp, step+".output"), filepath.Join(rn.temp, step+".summary.md")
	for _, st := range action.Runs.Steps {
		if st.ID != "run" {
			continue
		}
		cmd := exec.Command("bash", "-c", st.Run)
		// The runner's order: the machine's env, the job's env, then the step's own env on top.
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+rn.temp, "GITHUB_OUTPUT="+outputFile,
			"GITHUB_STEP_SUMMARY="+summaryFile, "GITHUB_ACTIONS=true")
		cmd.Env = append(cmd.Env, rn.jobEnv...)
		for k, v := range st.Env {
			cmd.Env = append(cmd.Env, k+"="+resolve(v))
		}
		out, runErr := cmd.CombinedOutput()
		t.Logf("action output:\n%s", out)
		outputs := map[string]string{}
		raw, _ := os.ReadFile(outputFile)
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				outputs[k] = v
			}
		}
		summary, _ := os.ReadFile(summaryFile)
		return outputs, string(summary), runErr
	}
	t.Fatal("action.yml has no step with id run")
	return nil, "", nil
}

func runActionStep(t *testing.T, inputs map[string]string, jobEnv ...string) (map[string]string, string, error) {
	t.Helper()
	return newRunner(t, jobEnv...).runActionStep(t, inputs)
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

const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// actionGateway is a kongsim holding a consumer with a key-auth credential (a secret: backing it up needs the key)
// and a config for it with a remote.
func actionGateway(t *testing.T) (url, cfg, remoteDir string) {
	t.Helper()
	srv := httptest.NewServer(kongsim.New(kongsim.Options{}))
	t.Cleanup(srv.Close)
	remoteDir, remoteURL := gittest.NewBare(t)
	dir := t.TempDir()
	cfg = filepath.Join(dir, "kongsnap.yaml")
	if err := os.WriteFile(cfg, []byte("repository:\n  path: "+filepath.Join(dir, "repo")+"\n  remotes:\n    - name: backup\n      url: "+
		remoteURL+"\nconnections:\n  - name: ci\n    admin_url: "+srv.URL+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	post(t, srv.URL+"/consumers", `{"username":"alice"}`)
	post(t, srv.URL+"/consumers/alice/key-auth", `{"key":"alice-secret-key"}`)
	return srv.URL, cfg, remoteDir
}

func post(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}

// An empty encryption-key input used to set KONGSNAP_KEY to "" in the step's env, hiding the job's KONGSNAP_KEY:
// the backup then refused the secret for the lack of a key.
func TestActionEmptyKeyInputKeepsTheJobsKey(t *testing.T) {
	_, cfg, remoteDir := actionGateway(t)
	outputs, _, err := runActionStep(t, map[string]string{"command": "backup", "config": cfg}, "KONGSNAP_KEY="+testKey)
	if err != nil {
		t.Fatalf("backup with the job's KONGSNAP_KEY failed: %v", err)
	}
	if want := gittest.Branch(t, remoteDir, "kong/ci"); outputs["snapshot-sha"] != want || want == "" {
		t.Errorf("snapshot-sha = %q, remote kong/ci = %q", outputs["snapshot-sha"], want)
	}
}

func TestActionKeyInputBeatsTheJobsKey(t *testing.T) {
	_, cfg, _ := actionGateway(t)
	// The job's key is malformed; the input's is used.
	if _, _, err := runActionStep(t, map[string]string{"command": "backup", "config": cfg, "encryption-key": testKey},
		"KONGSNAP_KEY=not-a-key"); err != nil {
		t.Fatalf("backup with the input's key failed: %v", err)
	}
}

// Every step writes its own report: a diff after a backup used to report the backup's snapshot-sha.
func TestActionEachStepReportsOnlyItself(t *testing.T) {
	url, cfg, _ := actionGateway(t)
	rn := newRunner(t, "KONGSNAP_KEY="+testKey)
	backup, _, err := rn.runActionStep(t, map[string]string{"command": "backup", "config": cfg})
	if err != nil || backup["snapshot-sha"] == "" {
		t.Fatalf("backup: %v %v", err, backup)
	}
	clean, summary, err := rn.runActionStep(t, map[string]string{"command": "diff", "config": cfg, "connection": "ci"})
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	if clean["snapshot-sha"] != "" || clean["report"] == backup["report"] || clean["report"] == "" || clean["drift"] != "false" {
		t.Errorf("diff step outputs %v after backup outputs %v", clean, backup)
	}
	if !strings.Contains(summary, "### kongsnap diff ci") || !strings.Contains(summary, "No drift") {
		t.Errorf("diff step summary:\n%s", summary)
	}

	post(t, url+"/services", `{"name":"shadow","host":"shadow.internal"}`)
	drifted, summary, err := rn.runActionStep(t, map[string]string{"command": "diff", "config": cfg, "connection": "ci"})
	if err != nil {
		t.Fatalf("a diff that finds drift fails the step: %v", err)
	}
	if drifted["drift"] != "true" || drifted["snapshot-sha"] != "" {
		t.Errorf("drifted diff outputs %v", drifted)
	}
	if !strings.Contains(summary, "| services | 1 | 0 | 0 |") {
		t.Errorf("drift summary lacks the counts:\n%s", summary)
	}
	data, err := os.ReadFile(drifted["report"])
	if err != nil || !strings.Contains(string(data), `"command": "diff"`) || !strings.Contains(string(data), `"name": "shadow"`) {
		t.Errorf("diff report %s: %v\n%s", drifted["report"], err, data)
	}
}

func TestActionArgs(t *testing.T) {
	inputs := map[string]string{"COMMAND": "restore", "CONNECTION": "prod", "REF": "abc", "DRY_RUN": "false",
		"SKIP_BASIC_AUTH": "true", "NO_DELETE": "true", "MAX_DELETES": "5", "ADMIN_URL": "http://dr:8001",
		"FROM_CONNECTION": "staging", "SECTIONS": "plugins", "CONFIG": "k.yaml"}
	argv, err := actionArgs(func(k string) string { return inputs[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := "restore --config k.yaml --connection prod --to abc --sections plugins --max-deletes 5 --admin-url http://dr:8001 " +
		"--from-connection staging --skip-basic-auth --no-delete --yes"
	if got := strings.Join(argv, " "); got != want {
		t.Errorf("argv\n got %s\nwant %s", got, want)
	}
}

package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
)

// TestRestoreWithoutATerminalShowsThePlanAndExits3 runs the real binary with stdin from /dev/null (a character
// device, not a terminal): restore without --yes never prompts, prints the plan, says why it wrote nothing and
// exits 3, so a workflow cannot mistake it for a restore. With --dry-run the same plan is a success; with --yes
// it applies.
func TestRestoreWithoutATerminalShowsThePlanAndExits3(t *testing.T) {
	sim := kongsim.New(kongsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	dir := t.TempDir()
	bin := filepath.Join(dir, "kongsnap")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building kongsnap: %v\n%s", err, out)
	}
	_, remoteURL := gittest.NewBare(t)
	cfg := filepath.Join(dir, "kongsnap.yaml")
	if err := os.WriteFile(cfg, []byte("repository:\n  path: "+filepath.Join(dir, "repo")+"\n  remotes:\n    - name: backup\n"+
		"      url: "+remoteURL+"\nconnections:\n  - name: ci\n    admin_url: "+srv.URL+"\n    retries: -1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) {
		resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("/services", `{"name":"svc","host":"example.internal"}`)
	kongsnap := func(args ...string) (int, string) {
		t.Helper()
		devNull, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		defer devNull.Close()
		cmd := exec.Command(bin, append(args, "-config", cfg)...)
		cmd.Env = append(os.Environ(), "KONGSNAP_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
		var out bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = devNull, &out, &out
		err = cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), out.String()
	}
	if code, out := kongsnap("backup", "--all"); code != 0 {
		t.Fatalf("backup exited %d:\n%s", code, out)
	}
	post("/services", `{"name":"rogue","host":"rogue.internal"}`)
	writes := func() int {
		n := 0
		for _, r := range sim.Requests() {
			if r.Method != http.MethodGet && !strings.HasSuffix(r.Path, "/validate") {
				n++
			}
		}
		return n
	}
	before := writes()

	code, out := kongsnap("restore", "--connection", "ci", "--to", "kong/ci")
	if code != exitNotApplied {
		t.Errorf("restore without --yes exited %d, want %d:\n%s", code, exitNotApplied, out)
	}
	for _, want := range []string{`delete service "rogue"`, "not an interactive terminal and no --yes: nothing was written"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "[y/N]") {
		t.Errorf("a run without a terminal prompted:\n%s", out)
	}
	if n := writes() - before; n != 0 {
		t.Errorf("restore without --yes sent %d writes", n)
	}

	if code, out := kongsnap("restore", "--connection", "ci", "--to", "kong/ci", "--dry-run"); code != exitOK || writes() != before {
		t.Errorf("a dry run exited %d with %d writes:\n%s", code, writes()-before, out)
	}
	if code, out := kongsnap("restore", "--connection", "ci", "--to", "kong/ci", "--yes"); code != exitOK ||
		!strings.Contains(out, "verified:") {
		t.Errorf("restore --yes exited %d:\n%s", code, out)
	}
}

func TestTerminalConfirmIsNilForDevNull(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	if confirm := terminalConfirm(devNull); confirm != nil {
		t.Error("/dev/null was taken for a terminal")
	}
}

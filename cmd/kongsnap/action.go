package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// actionOutputs are the outputs action.yml declares for the run step, in the order they are written.
var actionOutputs = []string{"drift", "pull-request-url", "snapshot-sha", "report"}

// runAction is the GitHub Action's entry point: it reads the action's inputs from INPUT_* variables (action.yml
// maps them), runs the chosen command, and writes the action's outputs to $GITHUB_OUTPUT. Every step writes its
// own fresh report, so no output ever comes from an earlier step.
func runAction(ctx context.Context, g *globals) error {
	in := func(name string) string { return strings.TrimSpace(g.getenv("INPUT_" + name)) }
	command := in("COMMAND")
	outputs := map[string]string{"drift": "false", "pull-request-url": "", "snapshot-sha": "", "report": ""}
	if command == "install" {
		return writeOutputs(g.getenv("GITHUB_OUTPUT"), outputs)
	}
	argv, err := actionArgs(in)
	if err != nil {
		return err
	}
	tmp := g.getenv("RUNNER_TEMP")
	if tmp == "" {
		tmp = os.TempDir()
	}
	f, err := os.CreateTemp(tmp, "kongsnap-"+command+"-*.json")
	if err != nil {
		return fmt.Errorf("creating the step's report: %w", err)
	}
	reportPath := f.Name()
	f.Close()
	os.Remove(reportPath) // absent unless this step's command writes it
	// pr-command reports on the pull request and in its own outputs.
	if command != "pr-command" {
		argv = append(argv, "--report", reportPath)
	}
	argv = append(argv, strings.Fields(in("ARGS"))...)

	// The encryption-key input, when given, is the key; when empty, the job's own KONGSNAP_KEY stays visible.
	getenv := g.getenv
	if key := in("ENCRYPTION_KEY"); key != "" {
		getenv = func(name string) string {
			if name == "KONGSNAP_KEY" {
				return key
			}
			return g.getenv(name)
		}
	}
	code := runWith(ctx, &globals{stdout: g.stdout, stderr: g.stderr, getenv: getenv}, argv)
	if command == "diff" && code == exitDrift {
		outputs["drift"] = "true"
	}
	if err := readOutputs(reportPath, outputs); err != nil {
		return err
	}
	if err := writeOutputs(g.getenv("GITHUB_OUTPUT"), outputs); err != nil {
		return err
	}
	if code != exitOK && !(command == "diff" && code == exitDrift) {
		return fmt.Errorf("kongsnap %s exited with code %d", command, code)
	}
	return nil
}

// actionArgs turns the action's inputs into a kongsnap command line (without --report).
func actionArgs(in func(string) string) ([]string, error) {
	command, conn, ref := in("COMMAND"), in("CONNECTION"), in("REF")
	dryRun := !strings.EqualFold(in("DRY_RUN"), "false")
	argv := []string{command, "--config", orDefault(in("CONFIG"), "kongsnap.yaml")}
	flag := func(name, value string) {
		if value != "" {
			argv = append(argv, "--"+name, value)
		}
	}
	boolean := func(name, input string) {
		if strings.EqualFold(in(input), "true") {
			argv = append(argv, "--"+name)
		}
	}
	switch command {
	case "backup", "drift":
		flag("connection", conn)
	case "restore":
		if conn == "" || ref == "" {
			return nil, errors.New("restore needs the connection and ref inputs")
		}
		flag("connection", conn)
		flag("to", ref)
		flag("sections", in("SECTIONS"))
		flag("max-deletes", in("MAX_DELETES"))
		flag("admin-url", in("ADMIN_URL"))
		flag("from-connection", in("FROM_CONNECTION"))
		boolean("skip-basic-auth", "SKIP_BASIC_AUTH")
		boolean("no-delete", "NO_DELETE")
		if dryRun {
			argv = append(argv, "--dry-run")
		} else {
			argv = append(argv, "--yes")
		}
	case "diff":
		if conn == "" {
			return nil, errors.New("diff needs the connection input")
		}
		flag("connection", conn)
		flag("ref", ref)
	case "prune":
		flag("connection", conn)
		if dryRun {
			argv = append(argv, "--dry-run")
		}
	case "pr-command":
		flag("run", in("PR_COMMANDS"))
	default:
		return nil, fmt.Errorf("unknown command input %q: want backup, drift, restore, diff, prune, pr-command or install", command)
	}
	return argv, nil
}

// readOutputs derives the action outputs from the step's report, when its command wrote one.
func readOutputs(path string, outputs map[string]string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading run report: %w", err)
	}
	var rep struct {
		Drift   bool `json:"drift"`
		Results []struct {
			Drift       bool   `json:"drift"`
			PullRequest string `json:"pull_request"`
			Commit      string `json:"commit"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return fmt.Errorf("reading run report: %w", err)
	}
	outputs["report"] = path
	if rep.Drift {
		outputs["drift"] = "true"
	}
	for _, r := range rep.Results {
		if r.Drift {
			outputs["drift"] = "true"
		}
		if r.PullRequest != "" && outputs["pull-request-url"] == "" {
			outputs["pull-request-url"] = r.PullRequest
		}
		if r.Commit != "" && outputs["snapshot-sha"] == "" {
			outputs["snapshot-sha"] = r.Commit
		}
	}
	return nil
}

// writeOutputs appends name=value lines to the GITHUB_OUTPUT file; outside Actions it does nothing.
func writeOutputs(path string, outputs map[string]string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing action outputs: %w", err)
	}
	for _, name := range actionOutputs {
		if _, err := fmt.Fprintf(f, "%s=%s\n", name, strings.ReplaceAll(outputs[name], "\n", " ")); err != nil {
			f.Close()
			return fmt.Errorf("writing action outputs: %w", err)
		}
	}
	return f.Close()
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

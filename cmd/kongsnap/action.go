package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// runAction is the GitHub Action's entry point: it reads the action's inputs from INPUT_* variables (action.yml
// maps them), runs the chosen command, and writes the action's outputs to $GITHUB_OUTPUT.
func runAction(ctx context.Context, g *globals) error {
	in := func(name string) string { return strings.TrimSpace(g.getenv("INPUT_" + name)) }
	command, conn, ref := in("COMMAND"), in("CONNECTION"), in("REF")
	dryRun := !strings.EqualFold(in("DRY_RUN"), "false")
	tmp := g.getenv("RUNNER_TEMP")
	if tmp == "" {
		tmp = os.TempDir()
	}
	reportPath := filepath.Join(tmp, "kongsnap-report.json")
	argv := []string{command, "--config", orDefault(in("CONFIG"), "kongsnap.yaml")}
	switch command {
	case "backup", "drift":
		if conn != "" {
			argv = append(argv, "--connection", conn)
		}
		argv = append(argv, "--report", reportPath)
	case "restore":
		if conn == "" || ref == "" {
			return errors.New("restore needs the connection and ref inputs")
		}
		argv = append(argv, "--connection", conn, "--to", ref, "--report", reportPath)
		if s := in("SECTIONS"); s != "" {
			argv = append(argv, "--sections", s)
		}
		if dryRun {
			argv = append(argv, "--dry-run")
		} else {
			argv = append(argv, "--yes")
		}
	case "diff":
		if conn == "" {
			return errors.New("diff needs the connection input")
		}
		argv = append(argv, "--connection", conn)
		if ref != "" {
			argv = append(argv, "--ref", ref)
		}
	case "prune":
		argv = append(argv, "--report", reportPath)
		if conn != "" {
			argv = append(argv, "--connection", conn)
		}
		if dryRun {
			argv = append(argv, "--dry-run")
		}
	default:
		return fmt.Errorf("unknown command input %q: want backup, drift, restore, diff or prune", command)
	}

	code := run(ctx, argv, g.stdout, g.stderr, g.getenv)
	outputs := map[string]string{"drift": "false", "pull-request-url": "", "snapshot-sha": "", "report": ""}
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

// readOutputs derives the action outputs from the run report, when the command wrote one.
func readOutputs(path string, outputs map[string]string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading run report: %w", err)
	}
	var rep struct {
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
	for _, name := range []string{"drift", "pull-request-url", "snapshot-sha", "report"} {
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

package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/examples"
)

// InitOptions say where kongsnap init writes and what.
type InitOptions struct {
	Dir string
	// Local writes a config with no GitHub section and no remotes, and no workflows.
	Local bool
	Force bool
}

// Init writes a starter kongsnap.yaml (and, unless Local, the example workflows) into dir, asking nothing. Outside
// a git repository it creates one, so that the config's `path: .` names a repository. It never overwrites a file
// unless Force is set, and lists what it wrote and every variable the config needs.
func Init(opts InitOptions, out io.Writer) error {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	source := "kongsnap.yaml"
	if opts.Local {
		source = "kongsnap-local.yaml"
	}
	files := map[string]string{source: config.DefaultFile}
	if !opts.Local {
		entries, err := fs.ReadDir(examples.Files, "workflows")
		if err != nil {
			return err
		}
		for _, e := range entries {
			files["workflows/"+e.Name()] = filepath.Join(".github", "workflows", e.Name())
		}
	}
	sources := slices.Sorted(maps.Keys(files))
	for _, src := range sources {
		dst := filepath.Join(dir, files[src])
		if _, err := os.Stat(dst); err == nil && !opts.Force {
			return fmt.Errorf("%s exists; use --force to overwrite it", dst)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true}); errors.Is(err, git.ErrRepositoryNotExists) {
		if _, err := git.PlainInit(dir, false); err != nil {
			return fmt.Errorf("creating a git repository in %s: %w", dir, err)
		}
		fmt.Fprintf(out, "created a git repository in %s (the config's path: . is this repository)\n", dir)
	} else if err != nil {
		return fmt.Errorf("opening the git repository of %s: %w", dir, err)
	}
	cfgText, err := examples.Files.ReadFile(source)
	if err != nil {
		return err
	}
	names, err := connectionNames(cfgText)
	if err != nil {
		return fmt.Errorf("the starter config: %w", err)
	}
	for _, src := range sources {
		data, err := examples.Files.ReadFile(src)
		if err != nil {
			return err
		}
		if strings.HasPrefix(src, "workflows/") {
			data = fillConnections(data, names)
		}
		dst := filepath.Join(dir, files[src])
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s\n", dst)
	}
	fmt.Fprintln(out, "\nthe config reads these environment variables; set them before running kongsnap:")
	for _, v := range ConfigVariables(cfgText) {
		fmt.Fprintf(out, "  %-20s %s\n", v.Name, v.Meaning)
	}
	if opts.Local {
		fmt.Fprintln(out, "\nnext: point the connection at your Admin API, then run: kongsnap backup --all")
	} else {
		fmt.Fprintln(out, "\nnext: edit kongsnap.yaml, add the secrets above to the repository (admin tokens as environment "+
			"secrets of kong-<connection>), and commit.")
	}
	return nil
}

// Variable is an environment variable a config reads.
type Variable struct{ Name, Meaning string }

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ConfigVariables lists the variables a config text reads, its encryption key first, in order of appearance;
// commented-out lines do not count.
func ConfigVariables(cfgText []byte) []Variable {
	known := map[string]string{
		"KONGSNAP_KEY":      "encryption key for secrets in snapshots: openssl rand -base64 32 (a secret)",
		"GITHUB_TOKEN":      "pushes snapshot branches and opens drift pull requests (GitHub Actions sets it)",
		"GITHUB_REPOSITORY": "owner/name of this repository (GitHub Actions sets it)",
	}
	out := []Variable{{"KONGSNAP_KEY", known["KONGSNAP_KEY"]}}
	seen := map[string]bool{"KONGSNAP_KEY": true}
	for _, line := range strings.Split(string(cfgText), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		line, _, _ = strings.Cut(line, " #")
		for _, m := range varRef.FindAllStringSubmatch(line, -1) {
			if seen[m[1]] {
				continue
			}
			seen[m[1]] = true
			meaning := known[m[1]]
			if meaning == "" {
				meaning = "named by the config (" + strings.TrimSpace(line) + "); a secret when it holds a token"
			}
			out = append(out, Variable{m[1], meaning})
		}
	}
	return out
}

// connectionNames reads the connection names of a config, with every variable expanded to a placeholder.
func connectionNames(cfgText []byte) ([]string, error) {
	cfg, err := config.Parse(cfgText, func(string) (string, bool) { return "placeholder", true })
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range cfg.Connections {
		names = append(names, c.Name)
	}
	return names, nil
}

// connectionOptions is the marker of a workflow's list of connections: the lines after it that are list items
// are replaced by the config's connection names.
const connectionOptions = "# kongsnap init fills these from kongsnap.yaml"

// fillConnections replaces the list following each marker with names, at the list's indentation.
func fillConnections(workflow []byte, names []string) []byte {
	lines := strings.Split(string(workflow), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		out = append(out, lines[i])
		if !strings.Contains(lines[i], connectionOptions) {
			continue
		}
		indent := ""
		for i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "- ") {
			next := lines[i+1]
			indent = next[:len(next)-len(strings.TrimLeft(next, " "))]
			i++
		}
		for _, n := range names {
			out = append(out, indent+"- "+n)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/snapshot"
)

// DumpOptions selects the gateway to dump and where the files go.
type DumpOptions struct {
	// Connection names a configured connection; or AdminURL reads an ad hoc gateway.
	Connection string
	AdminURL   string
	// Headers are extra request headers for an ad hoc gateway (e.g. Kong-Admin-Token).
	Headers map[string]string
	// Output is a path ending in .yaml, .yml or .json for one merged decK file (as decK's -o), any other path for
	// a directory, or "-" for one merged decK file on stdout.
	Output string
	// Force replaces an existing Output that is not a previous kongsnap dump.
	Force bool
	// Secrets overrides the connection's secrets mode: encrypt, redact or plain.
	Secrets string
	// SelectTags, when set, replaces the connection's select_tags: only entities carrying all of them are read.
	SelectTags []string
}

// mergedMarker opens every merged YAML file dump writes, so that the next dump knows the file is its own to replace.
const mergedMarker = "# Written by kongsnap dump."

// Dump reads a whole gateway and writes it as a decK directory or one merged decK file. What Output names appears
// whole or not at all: it is written beside its place and renamed into it only when complete. An existing Output
// is replaced only when it is a previous kongsnap dump (a directory holding MANIFEST.kongsnap, or a merged file
// kongsnap wrote) or Force is set; anything else is refused, named, and left as it is.
func Dump(ctx context.Context, env *Env, opts DumpOptions) error {
	conn, err := dumpConnection(env, opts)
	if err != nil {
		return err
	}
	if opts.Secrets != "" {
		conn.Secrets = opts.Secrets
	}
	if len(opts.SelectTags) > 0 {
		conn.SelectTags = opts.SelectTags
	}
	client, live, err := env.readLive(ctx, conn)
	if err != nil {
		return err
	}
	version, entities := client.Version(), live.Len()
	keys, err := env.keyring()
	if err != nil {
		return err
	}
	if opts.Output == "-" || mergedOutput(opts.Output) {
		data, err := snapshot.WriteMerged(live, snapshot.WriteOptions{
			Connection: conn.Name, KongVersion: version, Secrets: snapshot.SecretMode(conn.Secrets), Keyring: keys,
			SelectTags: conn.SelectTags,
		})
		if err != nil {
			return fmt.Errorf("connection %q: writing snapshot: %w", conn.Name, err)
		}
		if opts.Output == "-" {
			_, err = env.Stdout.Write(data)
			return err
		}
		if err := writeMergedFile(opts.Output, data, opts.Force); err != nil {
			return fmt.Errorf("connection %q: %w", conn.Name, err)
		}
	} else {
		if err := dumpDir(opts.Output, live, conn, version, keys, opts.Force); err != nil {
			return fmt.Errorf("connection %q: %w", conn.Name, err)
		}
	}
	fmt.Fprintf(env.stderr(), "dumped %d entities from %s (Kong %s) into %s\n", entities, conn.Name, version, opts.Output)
	return nil
}

// mergedOutput reports whether an output path names one merged decK file rather than a directory.
func mergedOutput(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return !strings.HasSuffix(path, "/") && !strings.HasSuffix(path, string(filepath.Separator))
	}
	return false
}

func dumpConnection(env *Env, opts DumpOptions) (*config.Connection, error) {
	if opts.AdminURL != "" {
		if env.Config == nil {
			env.Config = &config.Config{Encryption: config.Encryption{KeyEnv: "KONGSNAP_KEY"}}
		}
		enabled := true
		return &config.Connection{Name: "adhoc", AdminURL: opts.AdminURL, Headers: opts.Headers,
			Secrets: config.SecretsEncrypt, Enabled: &enabled}, nil
	}
	if env.Config == nil {
		return nil, fmt.Errorf("no config file: name a connection from kongsnap.yaml or give --admin-url")
	}
	return env.Config.Connection(opts.Connection)
}

// writeMergedFile replaces path with one merged decK file: YAML opened by mergedMarker, or JSON for a .json path.
func writeMergedFile(path string, data []byte, force bool) error {
	path = filepath.Clean(path)
	if strings.EqualFold(filepath.Ext(path), ".json") {
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		js, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		data = append(js, '\n')
	} else {
		data = append([]byte(mergedMarker+" The next dump -o replaces this file; it refuses other files.\n"), data...)
	}
	return replace(path, force, func(tmpDir string) (string, error) {
		tmp := filepath.Join(tmpDir, filepath.Base(path))
		return tmp, os.WriteFile(tmp, data, 0o644)
	})
}

// dumpDir replaces dir with the files a backup of s would hold, when dir is absent, empty, a previous kongsnap
// dump, or force is set. The files are written into a fresh sibling directory first and swapped in with renames,
// so an interrupted dump leaves either the old directory or the new one, never a mix; each is streamed there as it
// is put together (snapshot.WriteTo), never held whole.
func dumpDir(dir string, s *snapshot.Snapshot, c *config.Connection, version string, keys *snapshot.Keyring,
	force bool) error {
	return replace(filepath.Clean(dir), force, func(tmpDir string) (string, error) {
		err := snapshot.WriteTo(s, snapshotOptions(c, version, keys), func(name string) (io.WriteCloser, error) {
			path := filepath.Join(tmpDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, err
			}
			return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		})
		return tmpDir, err
	})
}

// replace puts what write makes (inside a fresh temporary directory beside target, returning the path to move)
// in target's place, after checking that target may be replaced.
func replace(target string, force bool, write func(tmpDir string) (string, error)) error {
	if err := replaceable(target, force); err != nil {
		return err
	}
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmpDir, err := os.MkdirTemp(parent, "."+filepath.Base(target)+".partial-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	defer os.RemoveAll(tmpDir)
	made, err := write(tmpDir)
	if err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	old := ""
	if fi, err := os.Lstat(target); err == nil && (fi.IsDir() || made == tmpDir) {
		// A directory cannot be renamed over: move it aside first (a file over a file is one atomic rename).
		old = tmpDir + ".old"
		if err := os.Rename(target, old); err != nil {
			return fmt.Errorf("replacing %s: %w", target, err)
		}
	}
	if err := os.Rename(made, target); err != nil {
		if old != "" {
			_ = os.Rename(old, target)
		}
		return fmt.Errorf("replacing %s: %w", target, err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// replaceable says whether dump may replace target: it is absent, an empty directory, or a previous kongsnap dump
// (a directory holding MANIFEST.kongsnap, or a merged file opened by mergedMarker); with force anything but a
// directory holding the working directory.
func replaceable(target string, force bool) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking %s: %w", target, err)
	}
	if fi.IsDir() {
		if holdsWorkingDir(target) {
			return fmt.Errorf("refusing to replace %s: it holds the current directory", target)
		}
		if _, err := os.Stat(filepath.Join(target, snapshot.ManifestName)); err == nil {
			return nil
		}
		if entries, err := os.ReadDir(target); err == nil && len(entries) == 0 {
			return nil
		}
		if force {
			return nil
		}
		return fmt.Errorf("refusing to replace %s: it is a directory that is not a kongsnap dump (no %s); "+
			"dump elsewhere, or pass --force to replace it and everything in it", target, snapshot.ManifestName)
	}
	if fi.Mode().IsRegular() && writtenByDump(target) || force {
		return nil
	}
	return fmt.Errorf("refusing to replace %s: it exists and kongsnap did not write it; dump elsewhere, or pass "+
		"--force to replace it", target)
}

// writtenByDump reports whether a file is a merged decK file a previous dump wrote.
func writtenByDump(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(mergedMarker))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == mergedMarker
}

// holdsWorkingDir reports whether dir is the current directory or one of its ancestors.
func holdsWorkingDir(dir string) bool {
	wd, err := os.Getwd()
	abs, err2 := filepath.Abs(dir)
	if err != nil || err2 != nil {
		return true
	}
	rel, err := filepath.Rel(abs, wd)
	return err == nil && (rel == "." || !strings.HasPrefix(rel, ".."))
}

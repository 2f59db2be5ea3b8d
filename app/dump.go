package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

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
	// Output is a directory, or "-" for one merged decK file on stdout.
	Output string
	// Secrets overrides the connection's secrets mode: encrypt, redact or plain.
	Secrets string
	// SelectTags, when set, replaces the connection's select_tags: only entities carrying all of them are read.
	SelectTags []string
}

// Dump reads a whole gateway and writes it as a decK directory (or one merged file). The directory appears whole
// or not at all: files are written beside it and moved into place only when every one is written.
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
	live, version, err := env.readLive(ctx, conn)
	if err != nil {
		return err
	}
	keys, err := env.keyring()
	if err != nil {
		return err
	}
	if opts.Output == "-" {
		data, err := snapshot.WriteMerged(live, snapshot.WriteOptions{
			Connection: conn.Name, KongVersion: version, Secrets: snapshot.SecretMode(conn.Secrets), Keyring: keys,
		})
		if err != nil {
			return fmt.Errorf("connection %q: writing snapshot: %w", conn.Name, err)
		}
		_, err = env.Stdout.Write(data)
		return err
	}
	files, err := writeSnapshot(live, conn, version, keys)
	if err != nil {
		return err
	}
	if err := WriteDir(opts.Output, files); err != nil {
		return fmt.Errorf("connection %q: %w", conn.Name, err)
	}
	fmt.Fprintf(env.Stderr, "dumped %d entities from %s (Kong %s) into %s\n", live.Len(), conn.Name, version, opts.Output)
	return nil
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

// WriteDir replaces dir with exactly the given files. They are written into a fresh sibling directory first and
// swapped in with renames, so an interrupted dump leaves either the old directory or the new one, never a mix.
func WriteDir(dir string, files snapshot.Files) error {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("writing %s: %w", dir, err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", dir, err)
		}
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replacing %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

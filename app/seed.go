package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

// Load converges the gateway at adminURL toward a decK file or directory (kongsnap's or decK's own), with
// kongsnap's restore engine: kongsim --seed uses it. The key, when given, decrypts kongsnap's encrypted secrets.
func Load(ctx context.Context, adminURL, path string, keys *snapshot.Keyring, logger *slog.Logger) (*kongsync.Result, error) {
	files, err := readPath(path)
	if err != nil {
		return nil, err
	}
	target, err := snapshot.Read(files, snapshot.ReadOptions{Keyring: keys})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	client, err := gateway.Open(ctx, gateway.Connection{Name: adminURL, AdminURL: adminURL, Logger: logger})
	if err != nil {
		return nil, err
	}
	current, err := client.Read(ctx)
	if err != nil {
		return nil, err
	}
	defaults, err := client.Defaults(ctx, current, target)
	if err != nil {
		return nil, err
	}
	plan, err := kongsync.NewPlan(current, target, kongsync.Options{AllowEmpty: true, MaxDeletes: -1,
		Diff: diff.Options{Defaults: defaults}})
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	return kongsync.Apply(ctx, client, plan, kongsync.ApplyOptions{Logger: logger})
}

func readPath(path string) (snapshot.Files, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return snapshot.ReadDir(path)
	}
	return snapshot.ReadFile(path)
}

package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

// Seed converges the gateway at adminURL toward a decK file or directory (kongsnap's or decK's own) with the
// restore engine's sync.Converge, with no guard on deletes or an empty target: kongsim --seed uses it. The key,
// when given, decrypts kongsnap's encrypted secrets.
func Seed(ctx context.Context, adminURL, path string, keys *snapshot.Keyring, logger *slog.Logger) (*kongsync.Convergence, error) {
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
	conv, err := kongsync.Converge(ctx, client, target, kongsync.ConvergeOptions{
		Plan:   kongsync.Options{AllowEmpty: true, MaxDeletes: -1},
		Logger: logger,
	})
	if err != nil {
		return conv, fmt.Errorf("seeding %s from %s: %w", adminURL, path, err)
	}
	return conv, nil
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

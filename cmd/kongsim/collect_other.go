//go:build !unix

package main

import "log/slog"

// collectOnSignal does nothing where there is no SIGUSR1 (see collect_unix.go).
func collectOnSignal(*slog.Logger) (stop func()) { return func() {} }

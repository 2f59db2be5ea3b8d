// Command kongsnap keeps Kong gateways safe in git: it backs them up as decK files on per-environment branches,
// reports drift as pull requests, and restores a gateway to any snapshot.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

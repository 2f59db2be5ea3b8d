// Command kongsnap keeps Kong gateways safe in git: it backs them up as decK files on per-environment branches,
// reports drift as pull requests, and restores a gateway to any snapshot.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	g := &globals{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, confirm: terminalConfirm()}
	code := runWith(ctx, g, os.Args[1:])
	stop()
	os.Exit(code)
}

// terminalConfirm asks on the terminal, or returns nil when stdin is not one (CI), which keeps restores dry.
func terminalConfirm() func(string) bool {
	info, err := os.Stdin.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(prompt string) bool {
		fmt.Fprint(os.Stderr, prompt)
		answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		answer = strings.ToLower(strings.TrimSpace(answer))
		return answer == "y" || answer == "yes"
	}
}

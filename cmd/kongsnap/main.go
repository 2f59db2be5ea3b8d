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

	"golang.org/x/term"

	"github.com/kongsnap/kongsnap/internal/pacing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	g := &globals{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, confirm: terminalConfirm(os.Stdin),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())), stderrTTY: term.IsTerminal(int(os.Stderr.Fd()))}
	setMemoryLimit(os.Getenv)
	pacing.Start(os.Getenv, heapFloor)
	endProfiles, err := startProfiles(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kongsnap:", err)
		os.Exit(2)
	}
	code := runWith(ctx, g, os.Args[1:])
	endProfiles()
	stop()
	os.Exit(code)
}

// terminalConfirm asks on the terminal, or returns nil when stdin is not one (CI, a pipe, a file, /dev/null: a
// character device is not necessarily a terminal), which keeps restores from applying anything.
func terminalConfirm(stdin *os.File) func(string) bool {
	if !term.IsTerminal(int(stdin.Fd())) {
		return nil
	}
	return func(prompt string) bool {
		fmt.Fprint(os.Stderr, prompt)
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		answer = strings.ToLower(strings.TrimSpace(answer))
		return answer == "y" || answer == "yes"
	}
}

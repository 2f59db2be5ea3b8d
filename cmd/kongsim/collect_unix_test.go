//go:build unix

package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SIGUSR1 makes kongsim collect its garbage and say so (bench-compare waits for the line between commands), and
// it goes on serving.
func TestRunCollectsOnSIGUSR1(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var lines []string
	logs := onLine(func(line string) {
		mu.Lock()
		lines = append(lines, line)
		mu.Unlock()
	})
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--listen", addr}, logs) }()
	get := func() error {
		resp, err := http.Get("http://" + addr + "/services")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	for i := 0; get() != nil; i++ {
		if i == 100 {
			t.Fatal("kongsim did not start serving")
		}
		time.Sleep(20 * time.Millisecond)
	}
	collected := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, line := range lines {
			if strings.Contains(line, "msg=collected live_heap_bytes=") {
				return true
			}
		}
		return false
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	for i := 0; !collected(); i++ {
		if i == 250 {
			t.Fatalf("no msg=collected line after SIGUSR1; the log:\n%s", strings.Join(lines, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := get(); err != nil {
		t.Errorf("GET /services after the collection: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

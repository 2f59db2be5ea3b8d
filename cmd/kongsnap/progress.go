package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kongsnap/kongsnap/snapshot"
)

// liveProgress rewrites one line on a terminal's stderr as long work goes: pages and entities read per kind,
// operations applied of a plan's, with the time since the command started. Off a terminal (CI logs) it is not
// used, and the log gets one line per connection status instead.
type liveProgress struct {
	mu    *sync.Mutex // globals.mu: status lines and progress share stderr
	w     io.Writer
	start time.Time
	now   func() time.Time
	last  time.Time
	shown bool
}

// every bounds how often the line is rewritten.
const every = 100 * time.Millisecond

func (p *liveProgress) show(final bool, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.shown && !final && now.Sub(p.last) < every {
		return
	}
	p.last, p.shown = now, true
	fmt.Fprintf(p.w, "\r\x1b[K"+format+" (%s)", append(args, now.Sub(p.start).Round(100*time.Millisecond))...)
}

func (p *liveProgress) read(connection string, kind snapshot.Kind, pages, entities int) {
	p.show(false, "%s: reading %s: page %d, %d entities", connection, kind.Singular()+"s", pages, entities)
}

func (p *liveProgress) apply(connection, phase string, done, total int) {
	p.show(done == total, "%s: %s %d/%d operations", connection, phase, done, total)
}

// clear removes the progress line before a status line is written; the caller holds mu.
func (p *liveProgress) clear() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// clearing is a writer that removes the progress line before each write, so output never lands on its tail.
type clearing struct {
	g *globals
	w io.Writer
}

func (c clearing) Write(b []byte) (int, error) {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	c.g.live.clear()
	return c.w.Write(b)
}

// endProgress clears the progress line before a command prints its result.
func (g *globals) endProgress() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.live.clear()
}

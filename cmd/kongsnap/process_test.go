package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	tests := []struct {
		name        string
		gomemlimit  string
		start, want int64
	}{
		{name: "unset: kongsnap's default", start: math.MaxInt64, want: defaultMemoryLimit},
		{name: "GOMEMLIMIT given: the runtime's", gomemlimit: "8GiB", start: 8 << 30, want: 8 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.start)
			setMemoryLimit(func(key string) string {
				if key == "GOMEMLIMIT" {
					return tt.gomemlimit
				}
				return ""
			})
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("memory limit %d, want %d", got, tt.want)
			}
		})
	}
}

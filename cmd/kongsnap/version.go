package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at link time by GoReleaser (-X main.version=… -X main.commit=… -X main.date=…) and by the Action when it
// builds from source; otherwise read from the binary's build info.
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionString is "v1.2.3 (commit 0123456789ab, built 2026-01-31T02:00:00Z, go1.26.0 linux/amd64)", from the
// link-time values when set, else from the module and VCS stamps Go records in every binary.
func versionString() string {
	v, c, d := version, commit, date
	dirty := false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			case s.Key == "vcs.modified":
				dirty = s.Value == "true" && commit == ""
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	var parts []string
	if c != "" {
		if len(c) > 12 {
			c = c[:12]
		}
		if dirty {
			c += "-dirty"
		}
		parts = append(parts, "commit "+c)
	}
	if d != "" {
		parts = append(parts, "built "+d)
	}
	parts = append(parts, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	return v + " (" + strings.Join(parts, ", ") + ")"
}

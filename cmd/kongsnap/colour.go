package main

// palette colours text for a terminal. Every code is the same length, so that columns aligned by text/tabwriter
// stay aligned when every cell of a column is coloured.
type palette struct{ on bool }

// colours is on only when stdout is a terminal and NO_COLOR (https://no-color.org) is unset; a pipe, a file or a
// character device such as /dev/null gets plain text.
func (g *globals) colours() palette {
	return palette{on: g.stdoutTTY && g.getenv("NO_COLOR") == "" && g.getenv("TERM") != "dumb"}
}

func (p palette) paint(code, s string) string {
	if !p.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) green(s string) string  { return p.paint("32", s) }
func (p palette) red(s string) string    { return p.paint("31", s) }
func (p palette) yellow(s string) string { return p.paint("33", s) }
func (p palette) plain(s string) string  { return p.paint("39", s) }
func (p palette) dim(s string) string    { return p.paint("90", s) }

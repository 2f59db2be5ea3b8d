package diff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// contextLines is how many unchanged lines surround each change in a unified diff, as in `diff -u`.
const contextLines = 3

type diffLine struct {
	op   diffmatchpatch.Operation
	text string // with its newline, when it has one
}

// Unified returns the unified diff of a file from current to target, with `--- a/name` and `+++ b/name` headers
// and @@ hunks of 3 context lines, as `diff -u` prints it; "" when the two are equal.
func Unified(name string, current, target []byte) string {
	if bytes.Equal(current, target) {
		return ""
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // a deadline would make the result depend on the clock
	a, b, lines := dmp.DiffLinesToRunes(string(current), string(target))
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(a, b, false), lines)

	var all []diffLine
	for _, d := range diffs {
		for text := d.Text; text != ""; {
			line, rest, found := strings.Cut(text, "\n")
			if found {
				line += "\n"
			}
			all = append(all, diffLine{d.Type, line})
			text = rest
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", name, name)
	oldLine, newLine := 0, 0 // lines of each file before all[i]
	for i := 0; i < len(all); {
		if all[i].op == diffmatchpatch.DiffEqual {
			oldLine++
			newLine++
			i++
			continue
		}
		start := max(0, i-contextLines)
		end := hunkEnd(all, i)
		oldStart, newStart := oldLine-(i-start), newLine-(i-start)
		oldCount, newCount := 0, 0
		var body strings.Builder
		for _, l := range all[start:end] {
			prefix := " "
			switch l.op {
			case diffmatchpatch.DiffDelete:
				prefix = "-"
				oldCount++
			case diffmatchpatch.DiffInsert:
				prefix = "+"
				newCount++
			default:
				oldCount++
				newCount++
			}
			body.WriteString(prefix + l.text)
			if !strings.HasSuffix(l.text, "\n") {
				body.WriteString("\n\\ No newline at end of file\n")
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n%s", hunkRange(oldStart, oldCount), hunkRange(newStart, newCount), body.String())
		for _, l := range all[i:end] {
			if l.op != diffmatchpatch.DiffInsert {
				oldLine++
			}
			if l.op != diffmatchpatch.DiffDelete {
				newLine++
			}
		}
		i = end
	}
	return out.String()
}

// hunkEnd returns the end (exclusive) of the hunk whose first change is all[i]: changes separated by at most twice
// the context join one hunk, and the hunk closes with up to contextLines unchanged lines.
func hunkEnd(all []diffLine, i int) int {
	last := i
	for j := i; j < len(all); j++ {
		if all[j].op != diffmatchpatch.DiffEqual {
			last = j
			continue
		}
		if j-last > 2*contextLines {
			break
		}
	}
	return min(len(all), last+1+contextLines)
}

// hunkRange prints one side of a hunk header as `diff -u` does: "start,count", "start" for one line, and the line
// before the hunk with count 0 for none.
func hunkRange(before, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprintf("%d", before+1)
	}
	return fmt.Sprintf("%d,%d", before+1, count)
}

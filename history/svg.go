package history

import (
	"fmt"
	"strings"
)

// colours of a badge's right half, by state.
var badgeColours = map[State]string{Passing: "#2e7d32", Failing: "#c62828", Unknown: "#757575"}

// Badge draws a flat two-part badge, "<label> | <state>", coloured by state. Text widths are estimated from the
// character count, which keeps the output a pure function of its input.
func Badge(label string, state State) []byte {
	const charWidth, pad = 7, 10
	lw, rw := len([]rune(label))*charWidth+pad, len([]rune(string(state)))*charWidth+pad
	w := lw + rw
	title := xmlText(label + ": " + string(state))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`+"\n", w, title)
	fmt.Fprintf(&b, "  <title>%s</title>\n", title)
	fmt.Fprintf(&b, `  <rect width="%d" height="20" rx="3" fill="#555"/>`+"\n", w)
	fmt.Fprintf(&b, `  <rect x="%d" width="%d" height="20" rx="3" fill="%s"/>`+"\n", lw, rw, badgeColours[state])
	fmt.Fprintf(&b, `  <rect x="%d" width="4" height="20" fill="%s"/>`+"\n", lw, badgeColours[state])
	b.WriteString(`  <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">` + "\n")
	fmt.Fprintf(&b, `    <text x="%d" y="14">%s</text>`+"\n", lw/2, xmlText(label))
	fmt.Fprintf(&b, `    <text x="%d" y="14">%s</text>`+"\n", lw+rw/2, xmlText(string(state)))
	b.WriteString("  </g>\n</svg>\n")
	return []byte(b.String())
}

// Sparkline draws values (oldest first) as a small line, scaled between their minimum and maximum, with a dot on
// the latest.
func Sparkline(values []int) []byte {
	const w, h, margin = 120, 24, 3
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	x := func(i int) float64 {
		if len(values) == 1 {
			return w / 2
		}
		return margin + float64(i)*float64(w-2*margin)/float64(len(values)-1)
	}
	y := func(v int) float64 {
		if hi == lo {
			return h / 2
		}
		return float64(h-margin) - float64(v-lo)*float64(h-2*margin)/float64(hi-lo)
	}
	points := make([]string, len(values))
	for i, v := range values {
		points[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(v))
	}
	last := len(values) - 1
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="entities: %d to %d, latest %d">`+"\n",
		w, h, lo, hi, values[last])
	fmt.Fprintf(&b, "  <title>entities over the last %d snapshots: %d to %d, latest %d</title>\n", len(values), lo, hi, values[last])
	fmt.Fprintf(&b, `  <polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="%s"/>`+"\n", strings.Join(points, " "))
	fmt.Fprintf(&b, `  <circle cx="%.1f" cy="%.1f" r="2" fill="#1565c0"/>`+"\n", x(last), y(values[last]))
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

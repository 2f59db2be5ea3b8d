package schema

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Kong's schemas match strings with Lua patterns; this translates the subset they use into Go regular
// expressions: anchors, character classes (%a %d %l %s %u %w %x %p %c and their complements), sets, escapes
// and the quantifiers * + ? - (lazy).

var luaPatterns sync.Map // pattern -> *regexp.Regexp

func luaMatch(pattern, s string) bool {
	if re, ok := luaPatterns.Load(pattern); ok {
		return re.(*regexp.Regexp).MatchString(s)
	}
	re := regexp.MustCompile(luaToRegexp(pattern))
	luaPatterns.Store(pattern, re)
	return re.MatchString(s)
}

var luaClasses = map[byte]string{
	'a': `A-Za-z`, 'd': `0-9`, 'l': `a-z`, 's': `\t\n\v\f\r `, 'u': `A-Z`, 'w': `0-9A-Za-z`,
	'x': `0-9A-Fa-f`, 'p': `!-/:-@\[-` + "`" + `{-~`, 'c': `\x00-\x1f\x7f`,
}

func luaToRegexp(p string) string {
	var b strings.Builder
	b.WriteString(`(?s)`)
	i := 0
	if strings.HasPrefix(p, "^") {
		b.WriteString(`^`)
		i = 1
	}
	for i < len(p) {
		c := p[i]
		var atom string
		switch {
		case c == '$' && i == len(p)-1:
			b.WriteString(`$`)
			i++
			continue
		case c == '%' && i+1 < len(p):
			atom = luaEscape(p[i+1], false)
			i += 2
		case c == '[':
			j := i + 1
			var set strings.Builder
			set.WriteString("[")
			if j < len(p) && p[j] == '^' {
				set.WriteString("^")
				j++
			}
			first := true
			for j < len(p) && (p[j] != ']' || first) {
				first = false
				switch {
				case p[j] == '%' && j+1 < len(p):
					set.WriteString(luaEscape(p[j+1], true))
					j += 2
				case j+2 < len(p) && p[j+1] == '-' && p[j+2] != ']':
					set.WriteString(regexp.QuoteMeta(string(p[j])) + "-" + regexp.QuoteMeta(string(p[j+2])))
					j += 3
				default:
					set.WriteString(setLiteral(p[j]))
					j++
				}
			}
			set.WriteString("]")
			atom = set.String()
			i = j + 1
		case c == '.':
			atom = `.`
			i++
		default:
			atom = regexp.QuoteMeta(string(c))
			i++
		}
		b.WriteString(atom)
		if i < len(p) {
			switch p[i] {
			case '*', '+', '?':
				b.WriteByte(p[i])
				i++
			case '-':
				b.WriteString(`*?`)
				i++
			}
		}
	}
	return b.String()
}

func luaEscape(c byte, inSet bool) string {
	if class, ok := luaClasses[c]; ok {
		if inSet {
			return class
		}
		return "[" + class + "]"
	}
	// Complemented classes (%S, %D, ...) appear only outside sets in Kong's schemas.
	if class, ok := luaClasses[c|0x20]; ok && c != c|0x20 && !inSet {
		return "[^" + class + "]"
	}
	if inSet {
		return setLiteral(c)
	}
	return regexp.QuoteMeta(string(c))
}

func setLiteral(c byte) string {
	if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
		return string(c)
	}
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf(`\x%02x`, c)
	}
	return `\` + string(c)
}

package snapshot

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

// decK reads state files with a YAML 1.1 resolver (go-yaml v2, through sigs.k8s.io/yaml), where kongsnap's
// yaml.v3 resolves YAML 1.2's core schema. The two disagree on plain scalars such as no, on, y, 0123 and 1_000: a
// string written bare that a YAML 1.1 reader takes for a boolean, a number or null would reach Kong as a different
// value. The writer quotes every such string, and the reader resolves a bare scalar as decK would.

// yaml11Bools are the plain scalars YAML 1.1 reads as booleans (go-yaml v2's resolve table).
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"true": true, "True": true, "TRUE": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
	"false": false, "False": false, "FALSE": false,
}

var (
	yaml11Special = map[string]bool{
		"~": true, "null": true, "Null": true, "NULL": true, "": true, "<<": true, "=": true,
		".inf": true, ".Inf": true, ".INF": true, "+.inf": true, "+.Inf": true, "+.INF": true,
		"-.inf": true, "-.Inf": true, "-.INF": true, ".nan": true, ".NaN": true, ".NAN": true,
	}
	yaml11Float     = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	yaml11Base60    = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)
	yaml11Timestamp = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)`)
	yaml11Binary    = regexp.MustCompile(`^[-+]?0b[01_]+$`)
)

// yaml11NonString reports whether a YAML 1.1 reader would take the plain scalar s for something other than the
// string s: a boolean, null, an integer (decimal, octal 0123, hex 0x1F, binary 0b101, with _ separators), a float
// (1e3, .5, .inf, .nan), a sexagesimal number (1:30) or a timestamp (2001-12-14). Erring towards "yes" only costs
// a pair of quotes.
func yaml11NonString(s string) bool {
	if len(s) <= yaml11LongestWord && (s == "" || strings.IndexByte(yaml11Starts, s[0]) >= 0) {
		if _, ok := yaml11Bools[s]; ok || yaml11Special[s] {
			return true
		}
	}
	// Past those words, every rule below needs s to start with a digit, a sign, a dot or an underscore (dropped
	// before parsing), and none matches a UUID: most of a gateway's strings are answered here, cheaply.
	if c := s[0]; !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' || c == '_') || isUUID(s) {
		return false
	}
	plain := strings.ReplaceAll(s, "_", "")
	// An integer has no dot and no colon (a host:port, an address): those skip the parses, whose failures
	// allocate their errors.
	if !strings.ContainsAny(plain, ".:") {
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return true
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return true
		}
	}
	return yaml11Float.MatchString(plain) || yaml11Base60.MatchString(s) || yaml11Timestamp.MatchString(s) ||
		yaml11Binary.MatchString(s)
}

// yaml11LongestWord is the length of the longest of yaml11Bools and yaml11Special: a longer string is none of
// them, and most strings are longer.
var yaml11LongestWord = func() int {
	n := 0
	for _, words := range []map[string]bool{yaml11Bools, yaml11Special} {
		for w := range words {
			n = max(n, len(w))
		}
	}
	return n
}()

// yaml11Starts are the first bytes of yaml11Bools and yaml11Special: a string starting otherwise is none of them,
// and most of an entity's keys and values do (id, host, paths).
var yaml11Starts = func() string {
	var starts []byte
	for _, words := range []map[string]bool{yaml11Bools, yaml11Special} {
		for w := range words {
			if w != "" && bytes.IndexByte(starts, w[0]) < 0 {
				starts = append(starts, w[0])
			}
		}
	}
	return string(starts)
}()

// yaml11Bool returns the boolean a YAML 1.1 reader makes of the plain scalar s, if it makes one.
func yaml11Bool(s string) (value, ok bool) {
	value, ok = yaml11Bools[s]
	return value, ok
}

// isUUID reports whether s is a UUID as Kong writes ids: lowercase hexadecimal, 8-4-4-4-12.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

package snapshot

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestMultilineStringsReadBack: every string with a line break (a pre-function plugin's Lua, a certificate) is
// written in a form that reads back as itself, whatever its first character: yaml.v3 writes a literal block that
// it cannot read back when the first line starts with a tab.
func TestMultilineStringsReadBack(t *testing.T) {
	strs := []string{"\tlocal x = 1\nreturn x\n", "a\n", "a\nb", " lead\nx\n", "\n", "\n\n", "a\n\n", "x \ny\n",
		"\t\n", "a\n\tb\n", "a\r\nb", "é\n", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}
	rng := rand.New(rand.NewPCG(3, 5))
	chars := []byte("a \t\n#:-\"'|>")
	for range 3000 {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		if bytes.IndexByte(b, '\n') >= 0 {
			strs = append(strs, string(b))
		}
	}
	for _, s := range strs {
		var buf bytes.Buffer
		buf.WriteString("services:\n")
		if err := encodeEntry(&buf, fieldsFromMap(map[string]any{"name": "x", "value": s})); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var doc struct {
			Services []struct{ Value string }
		}
		if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("%q written as\n%s\ndoes not read back: %v", s, buf.String(), err)
		}
		if got := doc.Services[0].Value; got != s {
			t.Fatalf("%q written as\n%s\nreads back as %q", s, buf.String(), got)
		}
	}
}

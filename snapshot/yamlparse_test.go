package snapshot

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
	"gopkg.in/yaml.v3"
)

// diffNodes returns the first difference between two node trees, with its path, or "" when every field of every
// node is equal.
func diffNodes(path string, got, want *yaml.Node) string {
	if got == nil || want == nil {
		if got != want {
			return fmt.Sprintf("%s: node %v, want %v", path, got, want)
		}
		return ""
	}
	fields := []struct {
		name      string
		got, want any
	}{
		{"Kind", got.Kind, want.Kind}, {"Style", got.Style, want.Style}, {"Tag", got.Tag, want.Tag},
		{"Value", got.Value, want.Value}, {"Anchor", got.Anchor, want.Anchor},
		{"Alias", got.Alias != nil, want.Alias != nil}, {"HeadComment", got.HeadComment, want.HeadComment},
		{"LineComment", got.LineComment, want.LineComment}, {"FootComment", got.FootComment, want.FootComment},
		{"Line", got.Line, want.Line}, {"Column", got.Column, want.Column},
		{"len(Content)", len(got.Content), len(want.Content)},
		{"Content == nil", got.Content == nil, want.Content == nil},
	}
	for _, f := range fields {
		if f.got != f.want {
			return fmt.Sprintf("%s (line %d, column %d): %s is %#v, yaml.v3 has %#v", path, want.Line, want.Column,
				f.name, f.got, f.want)
		}
	}
	for i := range got.Content {
		step := fmt.Sprintf("[%d]", i)
		if want.Kind == yaml.MappingNode && i%2 == 1 {
			step = "." + want.Content[i-1].Value
		} else if want.Kind == yaml.MappingNode {
			step = fmt.Sprintf(".key(%s)", want.Content[i].Value)
		}
		if d := diffNodes(path+step, got.Content[i], want.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// checkParse parses data with parseFast and yaml.v3 and fails the test when parseFast accepts it and the trees
// differ, or when mustAccept and parseFast refuses it.
func checkParse(t *testing.T, name string, data []byte, mustAccept bool) {
	t.Helper()
	got, ok := parseFast(data)
	if !ok {
		if mustAccept {
			t.Errorf("%s: parseFast refused it, want it read on the fast path", name)
		}
		return
	}
	var want yaml.Node
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Errorf("%s: parseFast accepted what yaml.v3 refuses: %v", name, err)
		return
	}
	if d := diffNodes("doc", got, &want); d != "" {
		t.Errorf("%s: %s", name, d)
	}
}

// repositoryYAML returns every YAML file under a testdata directory of the repository.
func repositoryYAML(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "fuzz") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.Contains(filepath.ToSlash(path), "/testdata/") {
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(path)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found %d YAML files under testdata directories, want the repository's", len(files))
	}
	return files
}

// awkwardStrings are values the writer has to quote, escape or write as block scalars.
var awkwardStrings = []string{"", " lead", "trail ", "on", "No", "y", "123", "0123", "1_000", "1e3", "0x1F", ".5",
	"-1", "~", "null", "Null", "true", "2001-12-14", "a: b", "a #b", "#x", "*x", "&x", "!x", "%x", "@x", "`x", "|x",
	">x", "- x", "-x", "?x", ":x", "x:", "{x}", "[x]", "'", "\"", "\\", "a'b", "say \"hi\"", "ünïcødé ✓ 𝄞",
	"ключ", "tab\there", "ctl\x01\x7f", "nul\x00", "nel\u0085", "bom\ufeff", "crlf\r\nline", "one\ntwo",
	"one\ntwo\n", "one\ntwo\n\n", " indented\nblock", "\nleading break", "\n", "\n\n", "trail \nspace",
	"lua\n\tlocal x = 1\n\treturn x\n", strings.Repeat("x", 300), strings.Repeat("word ", 30) + "end",
	"kongsnap:v1:630dcd29:1U43ESBOSJXOe/X09LArYwnfSfla7epJscN5X2XMZpveVhoXnsMC", "~/invoices/\\d+$", "/p/0"}

// awkwardSnapshot is n services, each with a route and a plugin whose config, tags and names hold the awkward
// strings, keys included (but for the keys yaml.v3 writes as complex "? " keys, which parseFast leaves to it).
func awkwardSnapshot(t testing.TB, n int) *Snapshot {
	t.Helper()
	var keys []string
	for _, k := range awkwardStrings {
		if len(k) < 100 && !strings.ContainsAny(k, "\n\r\u0085") {
			keys = append(keys, k)
		}
	}
	s := &Snapshot{}
	for i := range n {
		svc := fmt.Sprintf("10000000-0000-4000-8000-%012d", i)
		route := fmt.Sprintf("20000000-0000-4000-8000-%012d", i)
		str := func(k int) string { return awkwardStrings[(i+k)%len(awkwardStrings)] }
		key := func(k int) string { return keys[(i+k)%len(keys)] }
		config := kong.Configuration{"nested": map[string]any{key(3): str(4), "list": []any{str(5), 1.5, true, nil,
			map[string]any{"deep": []any{str(6)}}}}, key(1): str(2), "empty": map[string]any{}, "none": []any{}}
		s.Services = append(s.Services, &kong.Service{ID: kong.String(svc), Name: kong.String(fmt.Sprintf("svc-%d", i)),
			Host: kong.String("upstream.internal"), Port: kong.Int(80), Protocol: kong.String("http"),
			Tags: kong.StringSlice(str(0), str(7))})
		s.Routes = append(s.Routes, &kong.Route{ID: kong.String(route), Name: kong.String(fmt.Sprintf("route-%d", i)),
			Paths: kong.StringSlice("/r"+fmt.Sprint(i), "~/x/\\d+$"), Service: &kong.Service{ID: kong.String(svc)},
			Headers: map[string][]string{"x-" + fmt.Sprint(i): {str(8)}}})
		s.Plugins = append(s.Plugins, &kong.Plugin{ID: kong.String(fmt.Sprintf("40000000-0000-4000-8000-%012d", i)),
			Name: kong.String("pre-function"), Route: &kong.Route{ID: kong.String(route)}, Config: config})
	}
	return s
}

func TestParseFastMatchesYAMLv3(t *testing.T) {
	for path, data := range repositoryYAML(t) {
		// kongsnap wrote the golden files; decK, editors and people wrote the others.
		checkParse(t, path, data, strings.Contains(path, "snapshot/testdata/golden/"))
	}
	written := map[string]*Snapshot{"rich": richSnapshot(t), "large": largeTestSnapshot(t, 1000)}
	for name, s := range written {
		for _, opts := range []WriteOptions{richOptions(t), {Secrets: SecretsRedact}, {Secrets: SecretsPlain}} {
			files, err := Write(s, opts)
			if err != nil {
				t.Fatal(err)
			}
			for file, data := range files {
				if IsStateFile(file) {
					checkParse(t, fmt.Sprintf("%s %s %s", name, opts.Secrets, file), data, true)
				}
			}
		}
	}
	files, err := Write(awkwardSnapshot(t, 2*len(awkwardStrings)), WriteOptions{Secrets: SecretsPlain})
	if err != nil {
		t.Fatal(err)
	}
	for file, data := range files {
		if IsStateFile(file) {
			checkParse(t, "awkward "+file, data, true)
		}
	}
}

// largeTestSnapshot is largeSnapshot for tests.
func largeTestSnapshot(t testing.TB, n int) *Snapshot {
	s := &Snapshot{}
	for i := range n {
		svc, consumer := fmt.Sprintf("10000000-0000-4000-8000-%012d", i), fmt.Sprintf("3%07x-0000-4000-8000-%012d", i, i)
		s.Services = append(s.Services, &kong.Service{ID: kong.String(svc), Name: kong.String(fmt.Sprintf("svc-%d", i)),
			Host: kong.String("upstream.internal"), Port: kong.Int(80 + i), Protocol: kong.String("http")})
		s.Plugins = append(s.Plugins, &kong.Plugin{ID: kong.String(fmt.Sprintf("40000000-0000-4000-8000-%012d", i)),
			Name: kong.String("rate-limiting"), Service: &kong.Service{ID: kong.String(svc)},
			Config: config(t, fmt.Sprintf(`{"minute":%d,"policy":"local","fault_tolerant":true,"limit_by":"consumer","ratio":%d.5}`, i, i))})
		s.Consumers = append(s.Consumers, &kong.Consumer{ID: kong.String(consumer), Username: kong.String(fmt.Sprintf("user-%d", i))})
		s.KeyAuths = append(s.KeyAuths, &kong.KeyAuth{ID: kong.String(fmt.Sprintf("50000000-0000-4000-8000-%012d", i)),
			Key: kong.String(fmt.Sprintf("secret-%d", i)), Consumer: &kong.Consumer{ID: kong.String(consumer)}})
	}
	return s
}

func TestParseFastEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		fast bool // parseFast reads it (else it leaves it to yaml.v3)
	}{
		{"quoted numbers and booleans", "a: \"123\"\nb: \"true\"\nc: 'on'\nd: \"0123\"\ne: \"1e3\"\n", true},
		{"keys needing quotes", "\"on\": 1\n'a: b': 2\n\"1\": x\n\"\": y\n'#': z\n", true},
		{"unicode", "name: ünïcødé ✓ 𝄞\nключ: значение\n\"ü\\u00fc\": 'é'\nlist:\n  - 日本: 語\n    x: y\n", true},
		{"empty strings", "a: \"\"\nb: ''\nc:\n  - \"\"\n  - ''\n", true},
		{"long line", "a: " + strings.Repeat("x", 20000) + "\nb: " + strings.Repeat("y ", 5000) + "z\n", true},
		{"escapes", "a: \"\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\\"\\/\\\\\\N\\_\\L\\P\"\n", false},
		{"all escapes yaml.v3 has", "a: \"\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\\"\\'\\\\\\N\\_\\L\\P\\x41\\u00e9\\U0001F600\"\n", true},
		{"tab in quotes", "a: \"x\ty\"\nb: 'x\ty'\n", true},
		{"single quote escapes", "a: 'it''s'\nb: ''''\n", true},
		{"literal", "a: |\n  one\n  two\nb: x\n", true},
		{"literal strip", "a: |-\n  one\n  two\nb: x\n", true},
		{"literal keep", "a: |+\n  one\n\n\nb: x\n", true},
		{"literal keep at end", "a: |+\n  one\n\n", true},
		{"literal indentation indicator", "a: |2-\n     lead\n    two\n", true},
		{"literal indicator after chomping", "a: |-2\n     lead\n    two\n", true},
		{"literal only a break", "a: |2+\nb: x\n", true},
		{"literal empty lines inside", "a: |\n  one\n\n  three\n   \n  five\nb: x\n", true},
		{"literal with tabs", "a: |\n  local x\n  \ty\t\n", true},
		{"literal starting with a tab", "a: |\n  \tlocal x\n", false}, // yaml.v3 refuses it, though it writes it
		{"literal in a sequence", "a:\n  - |\n    one\n  - |-\n    two\n  - k: |\n      three\n    j: x\n", true},
		{"literal at end of file", "a: |\n  one\n", true},
		{"literal more indented first line", "a: |\n    one\n  two\nb: x\n", false},
		{"literal tab indentation", "a: |\n\tone\n", false},
		{"nested sequences of mappings", "a:\n  - b:\n      - c: 1\n        d:\n          - e\n      - f: {}\n    g: []\n", true},
		{"scalar sequence items", "a:\n  - x\n  - \"y\"\n  - 'z'\n  - 1\n  - null\n  - []\n  - {}\n", true},
		{"sequence at its key's indentation", "a:\n- x\n- y: 1\n  z: 2\nb:\n- 3\n", true},
		{"sequence at +2", "a:\n  - x\nb: 1\n", true},
		{"plain scalars of every tag", "a: 1\nb: -1\nc: 0x1F\nd: 0o17\ne: 0b101\nf: 1_000\ng: 1.5\nh: .5\ni: 1e3\n" +
			"j: .inf\nk: -.Inf\nl: .NaN\nm: null\nn: ~\no: true\np: False\nq: 2001-12-14\nr: 2001-12-14T21:59:43.10-05:00\n" +
			"s: 99999999999999999999\nt: 0b-1\nu: -0b1\nv: 0777\nw: +12\nx: 1e\ny: 2001-13-40\nz: 0x\n" +
			"aa: 18446744073709551615\nab: -9223372036854775809\nac: on\nad: 1:30\nae: 0b2\naf: -0o7\nag: 1.\nah: +.5\n", true},
		{"merge key", "a:\n  <<: {}\n  b: 1\n", true},
		{"plain scalars with indicators inside", "a: b:c\nb: x#y\nc: '-'\nd: -x\ne: ?x\nf: :x\ng: a,b[c]{d}\nh: a'b\"c\n", true},
		{"uuid ids", "id: 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0\nid2: 1234e567-0000-4000-8000-000000000000\n", true},
		{"comment line", "# c\na: 1\n", false},
		{"comment after value", "a: 1 # c\n", false},
		{"anchor and alias", "a: &x 1\nb: *x\n", false},
		{"tag", "a: !!str 1\n", false},
		{"flow collections with content", "a: [1, 2]\nb: {c: 1}\n", false},
		{"document start", "---\na: 1\n", false},
		{"two documents", "a: 1\n---\nb: 2\n", false},
		{"document end", "a: 1\n...\n", false},
		{"folded scalar", "a: >\n  x\n", false},
		{"tab separator", "a:\tb\n", false},
		{"crlf", "a: 1\r\nb: 2\r\n", false},
		{"bom", "\ufeffa: 1\n", false},
		{"odd indentation", "a:\n   b: 1\n", false},
		{"complex key", "? a\n: b\n", false},
		{"multi-line plain", "a: b\n  c\n", false},
		{"multi-line quoted", "a: \"b\n  c\"\n", false},
		{"blank line", "a: 1\n\nb: 2\n", false},
		{"no final newline", "a: 1", false},
		{"trailing space", "a: 1 \n", false},
		{"empty value", "a:\nb: 1\n", false},
		{"two spaces after colon", "a:  1\n", false},
		{"space before colon", "a : 1\n", false},
		{"directive", "%YAML 1.2\na: 1\n", false},
		{"nested sequence", "a:\n  - - x\n", false},
		{"control character", "a: b\x01c\n", false},
		{"invalid utf-8", "a: \xff\n", false},
		{"nel", "a: b\u0085c\n", false},
		{"root sequence", "- a\n", false},
		{"malformed: mapping in a value", "a: b: c\n", false},
		{"malformed: unclosed quote", "a: \"x\n", false},
		{"malformed: sequence then key", "a:\n  - x\n  b: 1\n", false},
		{"malformed: bad escape", "a: \"\\q\"\n", false},
		{"malformed: dedent to nowhere", "a:\n    b: 1\n  c: 2\n", false},
		{"malformed: key after scalar entry", "- a\nb: 1\n", false},
		{"deep nesting", strings.Repeat("a:\n", 1) + nestedMappings(150), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.in)
			if _, ok := parseFast(data); ok != tt.fast {
				t.Errorf("parseFast accepted %v, want %v", ok, tt.fast)
			}
			checkParse(t, tt.name, data, tt.fast)
			// Whoever reads it, parseYAML's result and error are yaml.v3's.
			got, gotErr := parseYAML(data)
			var want yaml.Node
			wantErr := yaml.Unmarshal(data, &want)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("parseYAML error %v, yaml.v3's is %v", gotErr, wantErr)
			}
			if gotErr == nil {
				if d := diffNodes("doc", got, &want); d != "" {
					t.Error(d)
				}
			}
		})
	}
}

func nestedMappings(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString(strings.Repeat("  ", i+1) + "b:\n")
	}
	b.WriteString(strings.Repeat("  ", depth+1) + "c: 1\n")
	return b.String()
}

func TestPlainTagMatchesYAMLv3(t *testing.T) {
	values := []string{"1", "-1", "+1", "01", "0777", "0o17", "-0o17", "0O17", "0b101", "-0b101", "0B101", "0b-1",
		"0o-7", "-0b-1", "0x1F", "-0x1F", "0X1f", "1_000", "_1", "1__0", "1.5", "-1.5", ".5", "-.5", "+.5", "1.", "1e3",
		"1E-3", "1e", "e3", ".e3", "0x1p-2", ".inf", "-.inf", "+.INF", ".nan", ".NaN", "-.nan", "inf", "-inf", "nan",
		"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
		"-9223372036854775809", "2001-12-14", "2001-12-14T21:59:43.10-05:00", "2001-12-14t21:59:43Z",
		"2001-12-14 21:59:43.10", "2001-12-14 21:59:43.10 -5", "2001-1-2", "2001-13-40", "12345-1-2", "1:30",
		"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "1234e567-0000-4000-8000-000000000000", "1e-5-", "1-2", "+",
		"-x", "true", "True", "TRUE", "tRUE", "false", "no", "on", "off", "yes", "y", "n", "null", "Null", "NULL",
		"nULL", "~", "~x", "<<", "<", "abc", "t", "f", "O", ".", "..", "._5", "0.0.0", "1.2.3", "0b", "0o", "0x",
		"-0b", "+0b1", "0b1_1", "0o_7", "1e1_0", "0x_1F", "00", "-0", "+0", "0e0", "٣"}
	for _, v := range values {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("k: "+v+"\n"), &doc); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if want := doc.Content[0].Content[1].Tag; plainTag(v) != want {
			t.Errorf("plainTag(%q) = %s, yaml.v3 resolves %s", v, plainTag(v), want)
		}
	}
}

func FuzzParse(f *testing.F) {
	// Small seeds mutate faster: each file whole when short, and each entry of a top-level list on its own.
	seed := func(data []byte) {
		if len(data) < 4096 {
			f.Add(data)
		}
		for _, piece := range topLevelEntries(data) {
			f.Add(piece)
		}
	}
	for _, data := range repositoryYAML(f) {
		seed(data)
	}
	for _, s := range []*Snapshot{richSnapshot(f), awkwardSnapshot(f, len(awkwardStrings))} {
		files, err := Write(s, WriteOptions{Secrets: SecretsPlain})
		if err != nil {
			f.Fatal(err)
		}
		for name, data := range files {
			if IsStateFile(name) {
				seed(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := parseFast(data)
		if !ok {
			return
		}
		var want yaml.Node
		if err := yaml.Unmarshal(data, &want); err != nil {
			t.Fatalf("parseFast accepted what yaml.v3 refuses: %v", err)
		}
		if d := diffNodes("doc", got, &want); d != "" {
			t.Fatal(d)
		}
	})
}

// topLevelEntries splits a file written with two-space indentation into one small document per entry of its
// top-level lists: "key:" and the entry's lines.
func topLevelEntries(data []byte) [][]byte {
	var pieces [][]byte
	var key string
	var piece []byte
	for _, line := range strings.SplitAfter(string(data), "\n") {
		switch {
		case line != "" && line[0] != ' ':
			key = line
		case strings.HasPrefix(line, "  - ") || strings.HasPrefix(line, "- "):
			if piece != nil {
				pieces = append(pieces, piece)
			}
			piece = []byte(key)
		}
		if piece != nil && line != "" && line[0] == ' ' {
			piece = append(piece, line...)
		}
	}
	if piece != nil {
		pieces = append(pieces, piece)
	}
	return pieces
}

// TestParseFastRandomDocuments compares the two parsers on random documents built from the subset's pieces and
// characters that sit on its edges (indicators, quotes, escapes, spaces, tabs, numbers, multi-byte characters),
// a share of them slightly broken: a grammar reaches deeper into the accepted subset than byte mutation does.
func TestParseFastRandomDocuments(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	g := &docGen{rng: rng}
	accepted := 0
	const docs = 20000
	for i := range docs {
		g.b.Reset()
		g.mapping(0, false, 0)
		data := []byte(g.b.String())
		if rng.IntN(4) == 0 {
			data = g.perturb(data)
		}
		if _, ok := parseFast(data); ok {
			accepted++
		}
		checkParse(t, fmt.Sprintf("document %d %q", i, data), data, false)
		if t.Failed() {
			return
		}
	}
	if accepted < docs/4 {
		t.Errorf("parseFast accepted %d of %d random documents: the generator no longer exercises it", accepted, docs)
	}
}

type docGen struct {
	rng *rand.Rand
	b   strings.Builder
}

const genChars = "abcxyz0123456789 -_.:#?'\"\\{}[],~+eEobx!&*|>%@`\tü日\U0001F600"

func (g *docGen) text(max int) string {
	chars := []rune(genChars)
	var s []rune
	for range g.rng.IntN(max + 1) {
		if g.rng.IntN(3) == 0 {
			s = append(s, chars[g.rng.IntN(len(chars))])
		} else {
			s = append(s, rune('a'+g.rng.IntN(26)))
		}
	}
	return string(s)
}

func (g *docGen) scalar(indent int, key bool) string {
	pool := []string{"1", "-2", "0x1F", "1.5", "true", "null", "~", "on", "2001-12-14", "<<", "\"\"", "''", "-", "|"}
	switch n := g.rng.IntN(10); {
	case n == 0:
		return pool[g.rng.IntN(len(pool))]
	case n == 1:
		return "\"" + strings.ReplaceAll(g.text(8), "\\", "\\\\") + "\\t\\u00e9\\x41\""
	case n == 2:
		return "'" + strings.ReplaceAll(g.text(8), "'", "''") + "'"
	case n == 3 && !key:
		header := []string{"|", "|-", "|+", "|2", "|1-", "|+3", "|2-"}[g.rng.IntN(7)]
		var b strings.Builder
		b.WriteString(header)
		for range g.rng.IntN(4) {
			b.WriteString("\n")
			if g.rng.IntN(4) != 0 {
				b.WriteString(strings.Repeat(" ", indent+2+g.rng.IntN(2)) + g.text(10))
			}
		}
		return b.String()
	case n == 4 && !key:
		return []string{"{}", "[]"}[g.rng.IntN(2)]
	default:
		return g.text(12)
	}
}

func (g *docGen) mapping(indent int, inline bool, depth int) {
	for i := range 1 + g.rng.IntN(4) {
		if i > 0 || !inline {
			g.b.WriteString(strings.Repeat(" ", indent))
		}
		g.b.WriteString(g.scalar(indent, true) + ":")
		g.value(indent, depth)
	}
}

func (g *docGen) value(indent, depth int) {
	switch n := g.rng.IntN(6); {
	case n == 0 && depth < 4:
		g.b.WriteString("\n")
		g.mapping(indent+2, false, depth+1)
	case n == 1 && depth < 4:
		g.b.WriteString("\n")
		at := indent + 2*g.rng.IntN(2)
		for range 1 + g.rng.IntN(3) {
			g.b.WriteString(strings.Repeat(" ", at) + "- ")
			if g.rng.IntN(2) == 0 {
				g.mapping(at+2, true, depth+1)
			} else {
				g.b.WriteString(g.scalar(at, false) + "\n")
			}
		}
	default:
		g.b.WriteString(" " + g.scalar(indent, false) + "\n")
	}
}

// perturb breaks a document a little: a character dropped, doubled or replaced.
func (g *docGen) perturb(data []byte) []byte {
	if len(data) == 0 {
		return data
	}
	i := g.rng.IntN(len(data))
	out := append([]byte{}, data[:i]...)
	switch g.rng.IntN(3) {
	case 0:
	case 1:
		out = append(out, data[i], data[i])
	case 2:
		out = append(out, " \n\t:-#"[g.rng.IntN(6)])
	}
	return append(out, data[i+1:]...)
}

// BenchmarkParseYAML reads the services file of a written large snapshot into nodes, with parseFast and with
// yaml.v3 alone: the share of BenchmarkRead the parser accounts for.
func BenchmarkParseYAML(b *testing.B) {
	files, err := Write(largeSnapshot(b, 2000), WriteOptions{Keyring: testRing(b, 1)})
	if err != nil {
		b.Fatal(err)
	}
	data := files["services.yaml"]
	b.Run("parseFast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, ok := parseFast(data); !ok {
				b.Fatal("parseFast refused the file")
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var doc yaml.Node
			if err := yaml.Unmarshal(data, &doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// parseYAML is the reader's choice of parser for a whole file: parseFast for kongsnap's own files, yaml.v3 for
// anything else and every malformed file, so that its error is yaml.v3's.
func parseYAML(data []byte) (*yaml.Node, error) {
	if doc, ok := parseFast(data); ok {
		return doc, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

package snapshot

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ManifestName is the manifest's path in a snapshot directory. Its extension is deliberately neither .yaml, .yml
// nor .json: decK reads every such file below a directory (hidden folders included) as a state file and rejects
// one it does not recognise, so this name keeps `deck gateway sync DIR` working on a snapshot directory as is.
const ManifestName = "MANIFEST.kongsnap"

// ErrIntegrity means a snapshot directory does not match its manifest: a file is missing, extra or changed.
var ErrIntegrity = errors.New("snapshot does not match its manifest")

// Manifest describes a snapshot directory: where it came from, what it holds and the SHA-256 of every file. It
// holds no timestamp, so an unchanged gateway gives an unchanged directory.
type Manifest struct {
	Connection  string
	KongVersion string
	SelectTags  []string
	Secrets     SecretMode
	Counts      map[Kind]int
	Files       map[string]string // path → hex SHA-256 of its content
}

const manifestHeader = `# kongsnap snapshot manifest: where the files beside it came from, how many entities of each kind they hold
# and the SHA-256 of each file. kongsnap refuses to restore a directory that does not match it.
format 1
`

// Marshal renders the manifest as text, one fact per line, in a fixed order.
func (m *Manifest) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(manifestHeader)
	fmt.Fprintf(&b, "connection %s\n", strconv.Quote(m.Connection))
	fmt.Fprintf(&b, "kong_version %s\n", strconv.Quote(m.KongVersion))
	for _, tag := range m.SelectTags {
		fmt.Fprintf(&b, "select_tag %s\n", strconv.Quote(tag))
	}
	fmt.Fprintf(&b, "secrets %s\n", secretMode(m.Secrets))
	for _, kind := range Kinds {
		if n := m.Counts[kind]; n > 0 {
			fmt.Fprintf(&b, "count %s %d\n", kind, n)
		}
	}
	names := make([]string, 0, len(m.Files))
	for name := range m.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "file %s sha256 %s\n", strconv.Quote(name), m.Files[name])
	}
	return b.Bytes()
}

// ParseManifest reads a manifest written by Marshal.
func ParseManifest(data []byte) (*Manifest, error) {
	m := &Manifest{Counts: map[Kind]int{}, Files: map[string]string{}}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	sawFormat := false
	for scanner.Scan() {
		line++
		text := strings.TrimSpace(scanner.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := m.parseLine(text, &sawFormat); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", ManifestName, line, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", ManifestName, err)
	}
	if !sawFormat {
		return nil, fmt.Errorf("%s: no format line: not a kongsnap manifest", ManifestName)
	}
	return m, nil
}

func (m *Manifest) parseLine(text string, sawFormat *bool) error {
	word, rest, _ := strings.Cut(text, " ")
	switch word {
	case "format":
		if rest != "1" {
			return fmt.Errorf("unknown manifest format %q (this kongsnap reads format 1)", rest)
		}
		*sawFormat = true
	case "connection", "kong_version", "select_tag":
		value, err := strconv.Unquote(rest)
		if err != nil {
			return fmt.Errorf("%s: want a quoted string, got %s", word, rest)
		}
		switch word {
		case "connection":
			m.Connection = value
		case "kong_version":
			m.KongVersion = value
		default:
			m.SelectTags = append(m.SelectTags, value)
		}
	case "secrets":
		mode, err := ParseSecretMode(rest)
		if err != nil {
			return err
		}
		m.Secrets = mode
	case "count":
		name, number, _ := strings.Cut(rest, " ")
		kind, err := ParseKind(name)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(number)
		if err != nil || n < 0 {
			return fmt.Errorf("count %s: want a number, got %q", name, number)
		}
		m.Counts[kind] = n
	case "file":
		quoted, sum, ok := cutQuoted(rest)
		sum, hasSum := strings.CutPrefix(sum, " sha256 ")
		if !ok || !hasSum || len(sum) != 64 {
			return fmt.Errorf("file: want `file \"path\" sha256 <64 hex digits>`, got %s", rest)
		}
		m.Files[quoted] = sum
	default:
		return fmt.Errorf("unknown line %q", text)
	}
	return nil
}

// cutQuoted splits a leading Go-quoted string from the rest of s.
func cutQuoted(s string) (string, string, bool) {
	quoted, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", false
	}
	value, err := strconv.Unquote(quoted)
	if err != nil {
		return "", "", false
	}
	return value, s[len(quoted):], true
}

// ReadManifest parses the manifest of a snapshot directory.
func ReadManifest(files Files) (*Manifest, error) {
	data, ok := files[ManifestName]
	if !ok {
		return nil, fmt.Errorf("no %s: not a kongsnap snapshot: %w", ManifestName, ErrIntegrity)
	}
	return ParseManifest(data)
}

// Verify checks a snapshot directory against its manifest: every file it lists is present with the same SHA-256,
// and no other file is there. Restore refuses a directory that fails.
func Verify(files Files) error {
	m, err := ReadManifest(files)
	if err != nil {
		return err
	}
	var problems []string
	// Each file is hashed on a goroutine of its own: a restore verifies its target before it contacts the gateway,
	// and tens of megabytes hashed one file after another were a tenth of a no-op restore.
	names := slices.Sorted(maps.Keys(m.Files))
	changed := make([]bool, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		if data, ok := files[name]; ok {
			wg.Go(func() { changed[i] = checksum(data) != m.Files[name] })
		}
	}
	wg.Wait()
	for i, name := range names {
		switch _, ok := files[name]; {
		case !ok:
			problems = append(problems, name+" is missing")
		case changed[i]:
			problems = append(problems, name+" was changed")
		}
	}
	for name := range files {
		if _, listed := m.Files[name]; !listed && name != ManifestName {
			problems = append(problems, name+" is not in the manifest")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("verifying snapshot: %s: %w", strings.Join(problems, "; "), ErrIntegrity)
	}
	return nil
}

func checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// CheckCounts checks the snapshot read from a directory against the manifest's entity counts, kind by kind: a
// file's checksum can be recomputed by whoever edits it, but a count that no longer matches what the files hold
// means they were changed after kongsnap wrote them.
func (m *Manifest) CheckCounts(s *Snapshot) error {
	got := s.Count()
	var problems []string
	for _, kind := range Kinds {
		if got[kind] != m.Counts[kind] {
			problems = append(problems, fmt.Sprintf("the manifest counts %d %s, the files hold %d", m.Counts[kind], kind, got[kind]))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("verifying snapshot: %s: %w", strings.Join(problems, "; "), ErrIntegrity)
	}
	return nil
}

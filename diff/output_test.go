package diff

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

func TestSummaryAndCounts(t *testing.T) {
	changes := Compare(
		with(&kong.Service{ID: s("s-2"), Name: s("a"), Port: n(1)}, &kong.KeyAuth{ID: s("ka-1"), Key: s("k"), Consumer: &kong.Consumer{ID: s("c-1")}}),
		func() *snapshot.Snapshot {
			snap := with(&kong.Service{ID: s("s-2"), Name: s("a"), Port: n(2)}, &kong.Route{ID: s("r-2"), Name: s("new")},
				&kong.KeyAuth{ID: s("ka-2"), Key: s("k2"), Consumer: &kong.Consumer{ID: s("c-1")}},
				&kong.KeyAuth{ID: s("ka-3"), Key: s("k3"), Consumer: &kong.Consumer{ID: s("c-1")}})
			snap.Services[0].Port = n(81)
			return snap
		}(),
		Options{})
	tests := []struct {
		name    string
		changes Changes
		summary string
		counts  map[snapshot.Kind]Counts
	}{
		{name: "none", changes: nil, summary: "no changes", counts: map[snapshot.Kind]Counts{}},
		{
			name: "several kinds and actions", changes: changes,
			summary: "2 services changed, 2 key-auth credentials added, 1 key-auth credential removed, 1 route added",
			counts: map[snapshot.Kind]Counts{
				snapshot.KindService: {Changed: 2}, snapshot.KindKeyAuth: {Added: 2, Removed: 1}, snapshot.KindRoute: {Added: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.changes.Summary(); got != tt.summary {
				t.Errorf("Summary() = %q, want %q", got, tt.summary)
			}
			if got := tt.changes.Counts(); !reflect.DeepEqual(got, tt.counts) {
				t.Errorf("Counts() = %v, want %v", got, tt.counts)
			}
			if got, want := tt.changes.Empty(), len(tt.counts) == 0; got != want {
				t.Errorf("Empty() = %v, want %v", got, want)
			}
		})
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		name   string
		entity any
		want   map[string]any
	}{
		{
			name: "route: timestamps and empties dropped, sets sorted, arrays kept, reference as written",
			entity: &kong.Route{ID: s("r-1"), CreatedAt: n(1), UpdatedAt: n(2), Name: s("orders"), Hosts: []*string{},
				Methods: strs("POST", "GET"), Protocols: strs("https", "http", "https"), Paths: strs("/b", "/a"),
				Tags: strs("z", "a"), Service: &kong.Service{ID: s("s-1")}, StripPath: b(false)},
			want: map[string]any{"id": "r-1", "name": "orders", "methods": []any{"GET", "POST"},
				"protocols": []any{"http", "https"}, "paths": []any{"/b", "/a"}, "tags": []any{"a", "z"},
				"service": map[string]any{"id": "s-1"}, "strip_path": false},
		},
		{
			name:   "plugin config: nulls and empty objects dropped at any depth, numbers as float64",
			entity: &kong.Plugin{Name: s("cors"), Config: kong.Configuration{"max_age": 5, "headers": nil, "nested": map[string]any{"a": nil, "b": []any{}}, "origins": []any{"x", nil}}},
			want:   map[string]any{"name": "cors", "config": map[string]any{"max_age": 5.0, "origins": []any{"x", nil}}},
		},
		{
			name:   "CA certificate digest and certificate snis are dropped",
			entity: &kong.CACertificate{ID: s("ca-1"), Cert: s("c"), CertDigest: s("d")},
			want:   map[string]any{"id": "ca-1", "cert": "c"},
		},
		{
			name:   "not an entity",
			entity: "service",
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fields(tt.entity); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Fields() = %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"config.*", "config.minute", true},
		{"config.*", "config.limits[0].name", true},
		{"config.*", "config", false},
		{"config.*", "configs.x", false},
		{"*.updated_at", "healthchecks.updated_at", true},
		{"*.updated_at", "updated_at", false},
		{"tags", "tags", true},
		{"tags", "tags[0]", false},
		{"*_timeout", "read_timeout", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.path, func(t *testing.T) {
			if got := glob(tt.pattern, tt.path); got != tt.want {
				t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
			}
		})
	}
}

func TestUnified(t *testing.T) {
	current := "_format_version: \"3.0\"\nservices:\n- name: billing\n  port: 80\n  host: billing.internal\n  retries: 5\n  read_timeout: 60000\n  write_timeout: 60000\n  connect_timeout: 60000\n  protocol: http\n  tags:\n  - team-a\n"
	target := "_format_version: \"3.0\"\nservices:\n- name: billing\n  port: 8080\n  host: billing.internal\n  retries: 5\n  read_timeout: 60000\n  write_timeout: 60000\n  connect_timeout: 60000\n  protocol: http\n  tags:\n  - team-a\n  - team-b\n"
	tests := []struct {
		name            string
		current, target string
		want            string
	}{
		{name: "equal", current: current, target: current, want: ""},
		{
			name: "two hunks", current: current, target: target,
			want: "--- a/kong.yaml\n+++ b/kong.yaml\n" +
				"@@ -1,7 +1,7 @@\n _format_version: \"3.0\"\n services:\n - name: billing\n-  port: 80\n+  port: 8080\n   host: billing.internal\n   retries: 5\n   read_timeout: 60000\n" +
				"@@ -10,3 +10,4 @@\n   protocol: http\n   tags:\n   - team-a\n+  - team-b\n",
		},
		{
			name: "from empty", current: "", target: "a\nb\n",
			want: "--- a/kong.yaml\n+++ b/kong.yaml\n@@ -0,0 +1,2 @@\n+a\n+b\n",
		},
		{
			name: "no newline at end", current: "a\nb", target: "a\nc",
			want: "--- a/kong.yaml\n+++ b/kong.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unified("kong.yaml", []byte(tt.current), []byte(tt.target))
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestUnifiedMatchesDiffU checks the hunks against the system's `diff -u` on files with changes near each other,
// far apart and at both ends, when diff is installed.
func TestUnifiedMatchesDiffU(t *testing.T) {
	tool, err := exec.LookPath("diff")
	if err != nil {
		t.Skip("no diff(1) on this machine")
	}
	var current, target []byte
	for i := range 60 {
		line := []byte("line " + string(rune('a'+i%26)) + "\n")
		current = append(current, line...)
		switch {
		case i == 0 || i == 10 || i == 17 || i == 25 || i == 59:
			target = append(target, []byte("changed\n")...)
		case i == 40:
		case i == 41:
			target = append(target, line...)
			target = append(target, []byte("inserted\n")...)
		default:
			target = append(target, line...)
		}
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(a, current, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, target, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(tool, "-u", "--label", "a/f", "--label", "b/f", a, b).Output()
	if got := Unified("f", current, target); got != string(out) {
		t.Errorf("Unified:\n%s\ndiff -u:\n%s", got, out)
	}
}

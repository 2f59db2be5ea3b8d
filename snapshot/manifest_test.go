package snapshot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	written := func(t *testing.T) Files { return writeRich(t, richSnapshot(t), richOptions(t)) }
	tests := []struct {
		name   string
		change func(Files)
		msg    string
	}{
		{name: "as written", change: func(Files) {}},
		{name: "file changed", change: func(f Files) { f["services.yaml"] = append(f["services.yaml"], '#') },
			msg: "services.yaml was changed"},
		{name: "file missing", change: func(f Files) { delete(f, "vaults.yaml") }, msg: "vaults.yaml is missing"},
		{name: "extra file", change: func(f Files) { f["extra.yaml"] = []byte("_format_version: \"3.0\"\n") },
			msg: "extra.yaml is not in the manifest"},
		{name: "no manifest", change: func(f Files) { delete(f, ManifestName) }, msg: "no MANIFEST.kongsnap"},
		// Files are hashed side by side: every problem is still reported, in order.
		{name: "every file changed, one missing", change: func(f Files) {
			for name := range f {
				if name != ManifestName {
					f[name] = append(f[name], '#')
				}
			}
			delete(f, "vaults.yaml")
		}, msg: "services.yaml was changed; upstreams.yaml was changed; vaults.yaml is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := written(t)
			tt.change(files)
			err := Verify(files)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Verify error = %v, want ErrIntegrity containing %q", err, tt.msg)
			}
		})
	}
}

func TestManifest(t *testing.T) {
	files := writeRich(t, richSnapshot(t), WriteOptions{Connection: "prod \"eu\"", KongVersion: "3.9.1",
		SelectTags: []string{"a", "b c"}, Secrets: SecretsRedact})
	m, err := ReadManifest(files)
	if err != nil {
		t.Fatal(err)
	}
	want := &Manifest{Connection: "prod \"eu\"", KongVersion: "3.9.1", SelectTags: []string{"a", "b c"},
		Secrets: SecretsRedact, Counts: richSnapshot(t).Count(), Files: map[string]string{}}
	for name, data := range files {
		if name != ManifestName {
			want.Files[name] = checksum(data)
		}
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("manifest = %+v\nwant %+v", m, want)
	}
	if got := string(m.Marshal()); got != string(files[ManifestName]) {
		t.Errorf("Marshal of the parsed manifest differs:\n%s", got)
	}
	bad := []struct{ text, msg string }{
		{"connection \"x\"\n", "no format line"},
		{"format 2\n", "unknown manifest format"},
		{"format 1\ncount widgets 3\n", `unknown entity kind "widgets"`},
		{"format 1\nfile \"a.yaml\" sha256 123\n", "want `file \"path\" sha256"},
		{"format 1\nwhatever\n", `MANIFEST.kongsnap:2: unknown line "whatever"`},
		{"format 1\nconnection prod\n", "want a quoted string"},
	}
	for _, b := range bad {
		if _, err := ParseManifest([]byte(b.text)); err == nil || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("ParseManifest(%q) error = %v, want %q", b.text, err, b.msg)
		}
	}
}

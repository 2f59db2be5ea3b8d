package drift

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

// baseline and live make a realistic drift: a hotfix someone applied by hand in the Admin API.
func baseline() *snapshot.Snapshot {
	s := &snapshot.Snapshot{
		Services: []*kong.Service{
			{ID: kong.String("5c1e6c1e-0000-4000-8000-000000000001"), Name: kong.String("billing"), Host: kong.String("billing.internal"),
				Port: kong.Int(80), Protocol: kong.String("http"), Retries: kong.Int(5), ConnectTimeout: kong.Int(60000)},
			{ID: kong.String("5c1e6c1e-0000-4000-8000-000000000002"), Name: kong.String("orders"), Host: kong.String("orders.internal"),
				Port: kong.Int(80), Protocol: kong.String("http"), Retries: kong.Int(5), ConnectTimeout: kong.Int(60000)},
		},
		Routes: []*kong.Route{
			{ID: kong.String("7a0e0000-0000-4000-8000-000000000001"), Name: kong.String("invoices"), Paths: kong.StringSlice("/invoices"),
				Service: &kong.Service{ID: kong.String("5c1e6c1e-0000-4000-8000-000000000001")}, StripPath: kong.Bool(true)},
		},
		Consumers: []*kong.Consumer{{ID: kong.String("c0000000-0000-4000-8000-000000000001"), Username: kong.String("alice")}},
		KeyAuths: []*kong.KeyAuth{{ID: kong.String("ca000000-0000-4000-8000-000000000001"), Key: kong.String("alice-old-key"),
			Consumer: &kong.Consumer{ID: kong.String("c0000000-0000-4000-8000-000000000001")}}},
		Plugins: []*kong.Plugin{
			{ID: kong.String("9a000000-0000-4000-8000-000000000001"), Name: kong.String("rate-limiting"),
				Route:  &kong.Route{ID: kong.String("7a0e0000-0000-4000-8000-000000000001")},
				Config: kong.Configuration{"minute": 5, "policy": "local"}, Enabled: kong.Bool(true)},
			{ID: kong.String("9a000000-0000-4000-8000-000000000002"), Name: kong.String("cors"),
				Route:  &kong.Route{ID: kong.String("7a0e0000-0000-4000-8000-000000000001")},
				Config: kong.Configuration{"origins": []any{"https://app.example.com"}}, Enabled: kong.Bool(true)},
		},
	}
	// Unchanged bulk a reviewer must not have to scroll through.
	for i := 0; i < 40; i++ {
		id := "3f000000-0000-4000-8000-0000000000" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		s.Services = append(s.Services, &kong.Service{ID: kong.String(id), Name: kong.String("svc-" + id[len(id)-2:]),
			Host: kong.String("internal"), Port: kong.Int(80), Protocol: kong.String("http")})
	}
	return s
}

func live() *snapshot.Snapshot {
	s := baseline()
	s.Services[0].Retries = kong.Int(10)
	s.Routes[0].Paths = kong.StringSlice("/invoices", "/v2/invoices")
	s.Plugins[0].Config = kong.Configuration{"minute": 50, "policy": "local"}
	s.Plugins[1].Route = nil // cors made global by hand
	s.KeyAuths[0].Key = kong.String("alice-new-key")
	s.Consumers = append(s.Consumers, &kong.Consumer{ID: kong.String("c0000000-0000-4000-8000-000000000002"), Username: kong.String("mallory")})
	s.Services = append(s.Services[:1], s.Services[2:]...) // orders deleted
	return s
}

func files(t *testing.T, s *snapshot.Snapshot) snapshot.Files {
	t.Helper()
	f, err := snapshot.Write(s, snapshot.WriteOptions{Connection: "prod", KongVersion: "3.9.1", Secrets: snapshot.SecretsRedact})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func unified(current, target snapshot.Files) string {
	var names []string
	for n := range target {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		if n != snapshot.ManifestName {
			b.WriteString(diff.Unified(n, current[n], target[n]))
		}
	}
	return b.String()
}

func realistic(t *testing.T) Report {
	base, now := baseline(), live()
	return Report{
		Connection: "prod", Branch: "kong/prod", BaselineCommit: "0123456789abcdef0123456789abcdef01234567",
		Changes: diff.Compare(base, now, diff.Options{}), Unified: unified(files(t, base), files(t, now)),
	}
}

func TestBodyGolden(t *testing.T) {
	body := realistic(t).Body()
	golden := filepath.Join("testdata", "realistic-drift.md")
	if *update {
		if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if body != string(want) {
		t.Errorf("body differs from %s (run with -update to accept):\n%s", golden, body)
	}
}

func TestBodyIsReadable(t *testing.T) {
	r := realistic(t)
	body := r.Body()
	summary, _, _ := strings.Cut(body, "<details>")
	for _, want := range []string{
		"`retries` | `5` | `10`",
		"`config.minute` | `5` | `50`",
		"**Plugin scope changed**: plugin \"cors\"",
		"removed from the gateway**: service \"orders\"",
		"added on the gateway**: consumer \"mallory\"",
		"`key` | 🔒 secret | 🔒 changed",
		"kongsnap restore --connection prod --to 0123456789abcdef0123456789abcdef01234567 --yes",
	} {
		if !strings.Contains(summary+body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	// Unchanged services never appear above the folded diff, and no secret does anywhere.
	if strings.Contains(summary, "svc-") {
		t.Error("unchanged entities are listed in the summary")
	}
	for _, secret := range []string{"alice-old-key", "alice-new-key"} {
		if strings.Contains(body, secret) {
			t.Errorf("body shows secret %q", secret)
		}
	}
	if r.Title() != "Drift on prod: "+r.Changes.Summary() {
		t.Errorf("title = %q", r.Title())
	}
}

func TestBodyIsCutToFit(t *testing.T) {
	r := realistic(t)
	r.Unified = strings.Repeat("+ a long line of configuration that keeps going\n", 5000)
	r.MaxChars = 8000
	body := r.Body()
	if len(body) > 8000 {
		t.Fatalf("body is %d chars, limit 8000", len(body))
	}
	if !strings.Contains(body, "cut to fit GitHub's pull request size limit") {
		t.Error("no note saying the diff was cut")
	}
	if !strings.HasSuffix(strings.TrimSpace(body), "```") {
		t.Error("the footer was cut away")
	}
	if strings.Contains(body, "keeps goi\n") {
		t.Error("diff cut in the middle of a line")
	}
}

package drift

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

func realistic(t *testing.T) PullRequestBody {
	base, now := baseline(), live()
	return PullRequestBody{
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

// manyConsumers is a drift of n consumers added by hand, each with a key-auth credential whose key changed.
func manyConsumers(n int) (*snapshot.Snapshot, *snapshot.Snapshot) {
	base, now := baseline(), baseline()
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c1000000-0000-4000-8000-%012d", i)
		now.Consumers = append(now.Consumers, &kong.Consumer{ID: kong.String(id), Username: kong.String(fmt.Sprintf("bulk-user-%05d", i))})
	}
	return base, now
}

func TestBodyAlwaysFitsGitHub(t *testing.T) {
	for _, n := range []int{1200, 10000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			base, now := manyConsumers(n)
			now.Services[0].Retries = kong.Int(10)
			r := PullRequestBody{Connection: "prod", Branch: "kong/prod", DriftBranch: "kongsnap/drift/prod",
				BaselineCommit: "0123456789abcdef0123456789abcdef01234567",
				Changes:        diff.Compare(base, now, diff.Options{}), Unified: unified(files(t, base), files(t, now))}
			body := r.Body()
			if got := utf8.RuneCountInString(body); got > MaxBody {
				t.Fatalf("body is %d characters, GitHub takes %d", got, MaxBody)
			}
			for _, want := range []string{
				fmt.Sprintf("| consumers | %d | 0 | 0 |", n),
				"| services | 0 | 0 | 1 |",
				"more consumers added on the gateway (no room to list them here; see branch `kongsnap/drift/prod`)",
				"bulk-user-00000",
				"gh workflow run kongsnap-restore.yml -f connection=prod -f ref=0123456789abcdef0123456789abcdef01234567",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q", want)
				}
			}
			listed := strings.Count(body, "**added on the gateway**: consumer")
			more := regexp.MustCompile(`and ([0-9,]+) more consumers added`).FindStringSubmatch(body)
			if more == nil {
				t.Fatal("no count of the consumers left out")
			}
			if left, _ := strconv.Atoi(strings.ReplaceAll(more[1], ",", "")); listed+left != n {
				t.Errorf("%d listed + %d counted = %d, want %d", listed, left, listed+left, n)
			}
			if !strings.Contains(body, "Unified diff of the decK files") {
				t.Error("the unified diff got no room at all")
			}
		})
	}
}

func TestBodyDoesNotRepeatTheTitleAndSaysWhenAndWhere(t *testing.T) {
	r := realistic(t)
	r.DetectedAt = time.Date(2026, 1, 31, 2, 17, 0, 0, time.UTC)
	r.RunURL = "https://github.com/acme/kong-backups/actions/runs/42"
	body := r.Body()
	if strings.HasPrefix(body, "#") || strings.Contains(body, r.Changes.Summary()) {
		t.Errorf("body repeats the title %q:\n%.300s", r.Title(), body)
	}
	if !strings.Contains(body, "Drift detected 2026-01-31 02:17 UTC by [this run](https://github.com/acme/kong-backups/actions/runs/42).") {
		t.Errorf("body does not say when and where the drift was seen:\n%.600s", body)
	}
	for _, want := range []string{"| key-auth credentials |", "### Key-auth credentials", "### Services"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if summary, _, _ := strings.Cut(body, "<details>"); strings.Contains(summary, "keyauth_credentials") {
		t.Error("body names a kind by its decK key outside the decK files' diff")
	}
	if r.Body() != body {
		t.Error("the same drift renders different bytes")
	}
}

func TestTitleStaysShort(t *testing.T) {
	var changes diff.Changes
	for _, k := range snapshot.Kinds {
		for _, a := range []diff.Action{diff.Added, diff.Removed, diff.Changed} {
			changes = append(changes, diff.Change{Kind: k, Action: a, Identity: "x"})
		}
	}
	title := PullRequestBody{Connection: "prod", Changes: changes}.Title()
	if len(title) > maxTitle || !strings.Contains(title, fmt.Sprintf("%d changes across %d kinds", len(changes), len(snapshot.Kinds))) {
		t.Errorf("title = %q", title)
	}
}

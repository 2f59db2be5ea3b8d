package config

import (
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

const minimal = `
connections:
  - name: prod
    admin_url: http://127.0.0.1:8001
`

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse([]byte(minimal), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Connections[0]
	if c.Secrets != SecretsEncrypt || c.OnDrift != OnDriftPullRequest || c.OnReject != OnRejectKeep || !c.IsEnabled() {
		t.Errorf("defaults not applied: %+v", c)
	}
	if c.Retention != (Retention{Days: 30, Weeks: 12, Months: 12}) {
		t.Errorf("retention = %+v", c.Retention)
	}
	if cfg.Repository.BranchPrefix != "kong/" || cfg.Encryption.KeyEnv != "KONGSNAP_KEY" {
		t.Errorf("repository defaults not applied: %+v %+v", cfg.Repository, cfg.Encryption)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		vars       map[string]string
		want       string
	}{
		{"unknown key", minimal + "    schedul: '@daily'\n", nil, "field schedul not found"},
		{"missing env names connection and field", `
connections:
  - name: prod
    admin_url: http://kong:8001
    headers:
      Kong-Admin-Token: ${PROD_TOKEN}
`, nil, `connection "prod": field headers.Kong-Admin-Token: environment variable PROD_TOKEN is not set`},
		{"bad schedule", minimal + "    schedule: 'every hour'\n", nil, `connection "prod": schedule`},
		{"bad secrets mode", minimal + "    secrets: clear\n", nil, "secrets must be encrypt, redact or plain"},
		{"bad section", minimal + "    sections: [servces]\n", nil, `unknown section "servces"`},
		{"bad url", "connections:\n  - name: prod\n    admin_url: kong:8001\n", nil, "is not an http(s) URL"},
		{"duplicate", minimal + "  - name: prod\n    admin_url: http://x:1\n", nil, "defined twice"},
		{"no connections", "repository:\n  path: x\n", nil, "no connections"},
		{"malformed", "connections: [", nil, "malformed YAML"},
		{"bad on_reject", minimal + "    on_reject: revert\n", nil, `connection "prod": on_reject must be keep or restore, not "revert"`},
		{"reviewer with @", minimal + "    reviewers: ['@alice']\n", nil, `reviewers[0]: "@alice" is not a GitHub login`},
		{"team with org", minimal + "    team_reviewers: [acme/owners]\n", nil, `team_reviewers[0]: "acme/owners" is not a team slug`},
		{"bad name", "connections:\n  - name: Prod Env\n    admin_url: http://x:1\n", nil, "name must be lowercase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), env(tt.vars))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestExpandAndSecrets(t *testing.T) {
	cfg, err := Parse([]byte(`
repository:
  token: ${REPO_TOKEN}
connections:
  - name: prod
    admin_url: ${PROD_URL}
    headers:
      Kong-Admin-Token: ${PROD_TOKEN}
`), env(map[string]string{"REPO_TOKEN": "ghp_repo", "PROD_URL": "https://kong:8444", "PROD_TOKEN": "s3cret-admin"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Connections[0].AdminURL; got != "https://kong:8444" {
		t.Errorf("admin_url = %q", got)
	}
	secrets := strings.Join(cfg.Secrets(), ",")
	if !strings.Contains(secrets, "ghp_repo") || !strings.Contains(secrets, "s3cret-admin") {
		t.Errorf("Secrets() = %q, want both tokens", secrets)
	}
}

func TestDue(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		schedule string
		now      string
		want     bool
	}{
		{"no schedule is always due", "", "2026-11-22T10:17:00Z", true},
		{"daily at 02:00 in the hourly run covering it", "0 2 * * *", "2026-11-22T02:05:00Z", true},
		{"daily at 02:00 not due at 03:05", "0 2 * * *", "2026-11-22T03:05:00Z", false},
		{"hourly always due", "@hourly", "2026-11-22T10:59:00Z", true},
		{"exactly at the boundary", "30 4 * * *", "2026-11-22T04:30:00Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Connection{Schedule: tt.schedule}
			if got := c.Due(at(tt.now), time.Hour); got != tt.want {
				t.Errorf("Due = %v, want %v", got, tt.want)
			}
		})
	}
}

// Issue 12 §7: configuration errors say exactly what is wrong.
func TestRetriesZeroMeansNone(t *testing.T) {
	for _, tt := range []struct {
		name, extra string
		want        int
	}{
		{"absent is the default", "", DefaultRetries},
		{"zero is none", "    retries: 0\n", 0},
		{"minus one is still none", "    retries: -1\n", 0},
		{"a count", "    retries: 2\n", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(minimal+tt.extra), env(nil))
			if err != nil {
				t.Fatal(err)
			}
			if r := cfg.Connections[0].Retries; r == nil || *r != tt.want {
				t.Errorf("retries = %v, want %d", r, tt.want)
			}
		})
	}
}

func TestConfigurationErrorsNameTheProblem(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"zero timeout", minimal + "    timeout: 0s\n", `line 5: "0s" must be a positive duration`},
		{"negative timeout", minimal + "    timeout: -5s\n", `line 5: "-5s" must be a positive duration`},
		{"negative retries", minimal + "    retries: -3\n", "retries must be 0 (no retries) or more"},
		{"dot dot", "connections:\n  - name: a..b\n    admin_url: http://x:1\n", `name "a..b" contains "..", which git refuses in a branch name`},
		{"dot lock", "connections:\n  - name: x.lock\n    admin_url: http://x:1\n", `name "x.lock" ends with ".lock", which git refuses`},
		{"trailing dot", "connections:\n  - name: prod.\n    admin_url: http://x:1\n", `name "prod." ends with ".", which git refuses`},
		// Comments and blank lines count: the unknown key is on line 9 of the file as written.
		{"line numbers", "# kongsnap.yaml\n\nconnections:\n  # the production gateway\n  - name: prod\n\n    admin_url: http://x:1\n    # a typo follows\n    schedul: '@daily'\n",
			"line 9: field schedul not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), env(nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// A disabled connection that a run does not select needs none of its ${VARS}; selecting it names them.
func TestDisabledConnectionNeedsNoVariablesUntilSelected(t *testing.T) {
	cfg, err := Parse([]byte(`
connections:
  - name: prod
    admin_url: http://kong:8001
  - name: legacy
    enabled: false
    admin_url: ${LEGACY_URL}
    headers:
      Kong-Admin-Token: ${LEGACY_TOKEN}
    retries: ${LEGACY_RETRIES}
`), env(nil))
	if err != nil {
		t.Fatalf("a disabled connection's unset variables failed the load: %v", err)
	}
	if _, err := cfg.Connection("prod"); err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Connection("legacy")
	if err == nil || !strings.Contains(err.Error(), `connection "legacy": field admin_url: environment variable LEGACY_URL is not set`) ||
		!strings.Contains(err.Error(), "LEGACY_TOKEN") {
		t.Errorf("selecting the disabled connection: %v, want its missing variables named", err)
	}

	// An enabled connection still needs them at load.
	_, err = Parse([]byte("connections:\n  - name: prod\n    admin_url: ${PROD_URL}\n"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "PROD_URL is not set") {
		t.Errorf("enabled connection with an unset variable: %v", err)
	}
}

// Issue 12 §3: an admin_url with credentials is accepted, its password is a secret, and errors never show it.
func TestAdminURLPasswordIsASecret(t *testing.T) {
	cfg, err := Parse([]byte("connections:\n  - name: prod\n    admin_url: https://ops:${PW}@kong:8444\n"),
		env(map[string]string{"PW": "pa55-in-the-url"}))
	if err != nil {
		t.Fatal(err)
	}
	if secrets := strings.Join(cfg.Secrets(), ","); !strings.Contains(secrets, "pa55-in-the-url") {
		t.Errorf("Secrets() = %q; want the admin_url password", secrets)
	}
	_, err = Parse([]byte("connections:\n  - name: prod\n    admin_url: ftp://ops:pa55-in-the-url@kong:21\n"), env(nil))
	if err == nil || strings.Contains(err.Error(), "pa55-in-the-url") || !strings.Contains(err.Error(), "ops:xxxxx@kong") {
		t.Errorf("error = %v; want it to name the URL with its password redacted", err)
	}
}

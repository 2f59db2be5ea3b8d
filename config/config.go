// Package config reads kongsnap.yaml: the repository backups go to, the gateways ("connections") to back up, and
// how each is read, scheduled, kept and reported. It expands ${ENV} references and rejects unknown keys, so a typo
// fails loudly instead of silently disabling a backup.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
)

// DefaultFile is the configuration file kongsnap reads when none is named.
const DefaultFile = "kongsnap.yaml"

// Config is the whole of kongsnap.yaml.
type Config struct {
	Repository  Repository   `yaml:"repository"`
	GitHub      GitHub       `yaml:"github"`
	Encryption  Encryption   `yaml:"encryption"`
	Connections []Connection `yaml:"connections"`
	// Notify lists the webhooks run events are posted to.
	Notify []Webhook `yaml:"notify"`
}

// Webhook is one place run events (a failed backup, drift, a recovery, a slow run) are posted to.
type Webhook struct {
	// Name identifies the webhook in warnings; default "notify[i]". The URL is never shown: it is a secret.
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// On lists the events posted: failed, drift, recovered, slow; default [failed, recovered].
	On []string `yaml:"on"`
	// Format is slack (a Slack-compatible message, default) or json (the run record).
	Format string `yaml:"format"`
	// SlowAfter is when a run is slow: a duration such as 10m, or a multiple of the connection's median run
	// such as 2x (the default).
	SlowAfter SlowAfter `yaml:"slow_after"`
	// Timeout bounds each post; default 10s.
	Timeout Duration `yaml:"timeout"`
}

// Webhook events and formats.
const (
	EventFailed    = "failed"
	EventDrift     = "drift"
	EventRecovered = "recovered"
	EventSlow      = "slow"
	FormatSlack    = "slack"
	FormatJSON     = "json"
)

// SlowAfter is a fixed duration, or a Factor of the connection's median duration.
type SlowAfter struct {
	Duration time.Duration
	Factor   float64
}

// UnmarshalYAML parses "10m" or "2x".
func (s *SlowAfter) UnmarshalYAML(n *yaml.Node) error {
	if f, ok := strings.CutSuffix(n.Value, "x"); ok {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("line %d: slow_after %q is not a duration such as 10m or a multiple of the median such as 2x", n.Line, n.Value)
		}
		*s = SlowAfter{Factor: v}
		return nil
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil || d <= 0 {
		return fmt.Errorf("line %d: slow_after %q is not a duration such as 10m or a multiple of the median such as 2x", n.Line, n.Value)
	}
	*s = SlowAfter{Duration: d}
	return nil
}

// Repository says where snapshots are committed and pushed.
type Repository struct {
	// Path is the local repository (created when missing). With URL set it is the work folder URL is cloned into.
	Path string `yaml:"path"`
	// URL, when set, is cloned into Path on first use and is also the first push remote ("origin").
	URL string `yaml:"url"`
	// Token authenticates https URLs (as the password of user "x-access-token", which GitHub accepts).
	Token string `yaml:"token"`
	// SSHKey is a private key file for ssh URLs.
	SSHKey string `yaml:"ssh_key"`
	// BranchPrefix prefixes each connection's branch: prod lives on kong/prod by default.
	BranchPrefix string `yaml:"branch_prefix"`
	Author       Author `yaml:"author"`
	// Remotes are more places every snapshot is pushed to: the second and offsite copies of the 3-2-1 rule.
	Remotes []Remote `yaml:"remotes"`
}

// Author is the commit author of snapshot commits.
type Author struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

// Remote is one more git remote snapshots are pushed to.
type Remote struct {
	Name   string `yaml:"name"`
	URL    string `yaml:"url"`
	Token  string `yaml:"token"`
	SSHKey string `yaml:"ssh_key"`
}

// GitHub says where drift pull requests are opened.
type GitHub struct {
	// Repository is "owner/name"; empty means $GITHUB_REPOSITORY.
	Repository string `yaml:"repository"`
	// APIURL is the REST API base for GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3/.
	APIURL string `yaml:"api_url"`
	// Token defaults to $GITHUB_TOKEN.
	Token string `yaml:"token"`
}

// Encryption says where the key that encrypts secrets comes from; never from the repository.
type Encryption struct {
	// KeyEnv names the environment variable holding the key (base64 or hex of 32 bytes); default KONGSNAP_KEY.
	// Several keys separated by commas allow rotation: the first encrypts, all decrypt.
	KeyEnv string `yaml:"key_env"`
	// KeyFile is a file holding the key, instead of the environment.
	KeyFile string `yaml:"key_file"`
}

// Connection is one Kong gateway to back up.
type Connection struct {
	Name       string            `yaml:"name"`
	AdminURL   string            `yaml:"admin_url"`
	Headers    map[string]string `yaml:"headers"`
	TLS        TLS               `yaml:"tls"`
	Workspace  string            `yaml:"workspace"`
	SelectTags []string          `yaml:"select_tags"`
	// Sections limits the backup to these sections (snapshot.Sections); empty means all.
	Sections []string `yaml:"sections"`
	// Secrets is encrypt (default), redact, or plain.
	Secrets string `yaml:"secrets"`
	// Schedule is a cron expression; a run backs up only the connections due in its window. Empty means every run.
	Schedule string `yaml:"schedule"`
	// Enabled defaults to true.
	Enabled *bool `yaml:"enabled"`
	// OnDrift is pull-request (default) or commit.
	OnDrift   string    `yaml:"on_drift"`
	Retention Retention `yaml:"retention"`
	Timeout   Duration  `yaml:"timeout"`
	Retries   *int      `yaml:"retries"`
	// Ignore silences known noise in drift: kind plus field path with globs.
	Ignore []IgnoreRule `yaml:"ignore"`

	// unresolved lists the ${VARS} a disabled connection lacks; set, it was not read further (deferDisabled).
	unresolved []string

	// OnReject is what a run does after a reviewer closed the drift pull request without merging it: keep (default)
	// leaves the gateway as it is, restore converges it back to the branch.
	OnReject string `yaml:"on_reject"`
	// Reviewers (GitHub logins) and TeamReviewers (team slugs) are asked to review a drift pull request when it opens.
	Reviewers     []string `yaml:"reviewers"`
	TeamReviewers []string `yaml:"team_reviewers"`
}

// TLS configures how the Admin API's certificate is checked and which client certificate is shown.
type TLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Retention is how many daily, weekly and monthly snapshots prune keeps.
type Retention struct {
	Days   int `yaml:"days"`
	Weeks  int `yaml:"weeks"`
	Months int `yaml:"months"`
}

// IgnoreRule silences a field of a kind in drift reports.
type IgnoreRule struct {
	Kind string `yaml:"kind"`
	Path string `yaml:"path"`
}

// Duration is a time.Duration written as "30s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 30s or 2m", n.Line, n.Value)
	}
	if v <= 0 {
		// A zero or negative bound would mean "no time at all", not "the default": say so at load.
		return fmt.Errorf("line %d: %q must be a positive duration such as 30s or 2m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// Secret modes.
const (
	SecretsEncrypt = "encrypt"
	SecretsRedact  = "redact"
	SecretsPlain   = "plain"
)

// Drift actions.
const (
	OnDriftPullRequest = "pull-request"
	OnDriftCommit      = "commit"
)

// Rejection actions.
const (
	OnRejectKeep    = "keep"
	OnRejectRestore = "restore"
)

// Load reads and validates a configuration file, expanding ${VAR} references from the environment.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := Parse(data, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes and validates configuration bytes; lookup resolves ${VAR} references.
func Parse(data []byte, lookup func(string) (string, bool)) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("malformed YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, errors.New("the file is empty")
	}
	deferred := deferDisabled(&root, lookup)
	var missing []string
	expandNode(&root, nil, lookup, &missing)
	if len(missing) > 0 {
		return nil, errors.New(strings.Join(missing, "; "))
	}
	var cfg Config
	encoded := mustMarshal(&root)
	dec := yaml.NewDecoder(bytes.NewReader(encoded))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("invalid configuration: %w", originalLines(err, encoded, &root))
	}
	for i, msgs := range deferred {
		if i < len(cfg.Connections) {
			cfg.Connections[i].unresolved = msgs
		}
	}
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// deferDisabled takes out of the tree every connection marked enabled: false whose ${VAR}s are not all set, so a
// run that does not select it needs none of them. Its name stays, and its missing variables are returned by
// connection index: selecting it by name then fails with them (Config.Connection).
func deferDisabled(root *yaml.Node, lookup func(string) (string, bool)) map[int][]string {
	conns := mappingValue(root, "connections")
	if conns == nil || conns.Kind != yaml.SequenceNode {
		return nil
	}
	deferred := map[int][]string{}
	for i, c := range conns.Content {
		if enabled := mappingValue(c, "enabled"); enabled == nil || !strings.EqualFold(enabled.Value, "false") {
			continue
		}
		var missing []string
		expandNode(copyNode(c), []string{"connections", sequenceLabel(c, i)}, lookup, &missing)
		if len(missing) == 0 {
			continue
		}
		deferred[i] = missing
		kept := &yaml.Node{Kind: yaml.MappingNode, Line: c.Line, Column: c.Column}
		for j := 0; j+1 < len(c.Content); j += 2 {
			if k := c.Content[j].Value; k == "name" || k == "enabled" {
				kept.Content = append(kept.Content, c.Content[j], c.Content[j+1])
			}
		}
		conns.Content[i] = kept
	}
	return deferred
}

func copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = copyNode(child)
	}
	return &c
}

// mappingValue returns the value under key in a mapping (or a document holding one), or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var lineRef = regexp.MustCompile(`\bline (\d+)\b`)

// originalLines rewrites the line numbers in a decoding error, which count lines of the re-encoded tree (where
// comments and blank lines are gone), into lines of the file as written.
func originalLines(err error, encoded []byte, original *yaml.Node) error {
	var reparsed yaml.Node
	if yaml.Unmarshal(encoded, &reparsed) != nil {
		return err
	}
	lines := map[int]int{}
	pairLines(&reparsed, original, lines)
	return errors.New(lineRef.ReplaceAllStringFunc(err.Error(), func(m string) string {
		var n int
		fmt.Sscanf(m, "line %d", &n)
		if orig, ok := lines[n]; ok {
			return fmt.Sprintf("line %d", orig)
		}
		return m
	}))
}

// pairLines walks two trees of the same shape, mapping each line of the first to the same node's line in the second.
func pairLines(a, b *yaml.Node, lines map[int]int) {
	if _, seen := lines[a.Line]; !seen && a.Line > 0 {
		lines[a.Line] = b.Line
	}
	for i := range min(len(a.Content), len(b.Content)) {
		pairLines(a.Content[i], b.Content[i], lines)
	}
}

func mustMarshal(n *yaml.Node) []byte {
	out, err := yaml.Marshal(n)
	if err != nil {
		// A node tree that yaml just parsed always marshals; anything else is a bug in expandNode.
		panic(fmt.Sprintf("re-encoding parsed config: %v", err))
	}
	return out
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandNode replaces ${VAR} in every scalar value, recording each missing variable with the connection and field
// it was needed for.
func expandNode(n *yaml.Node, path []string, lookup func(string) (string, bool), missing *[]string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for i, c := range n.Content {
			p := path
			if n.Kind == yaml.SequenceNode {
				p = append(append([]string{}, path...), sequenceLabel(c, i))
			}
			expandNode(c, p, lookup, missing)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			expandNode(n.Content[i+1], append(append([]string{}, path...), n.Content[i].Value), lookup, missing)
		}
	case yaml.ScalarNode:
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v, ok := lookup(name)
			if !ok {
				*missing = append(*missing, fmt.Sprintf("%s: environment variable %s is not set", describePath(path), name))
			}
			return v
		})
	}
}

// sequenceLabel names a list item by its name field when it has one, so errors say connection "prod", not [2].
func sequenceLabel(n *yaml.Node, i int) string {
	if n.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == "name" {
				return fmt.Sprintf("%q", n.Content[j+1].Value)
			}
		}
	}
	return fmt.Sprintf("[%d]", i)
}

func describePath(path []string) string {
	if len(path) >= 2 && path[0] == "connections" {
		return fmt.Sprintf("connection %s: field %s", path[1], strings.Join(path[2:], "."))
	}
	return "field " + strings.Join(path, ".")
}

func (c *Config) setDefaults() error {
	if c.Repository.BranchPrefix == "" {
		c.Repository.BranchPrefix = "kong/"
	}
	if c.Repository.Path == "" {
		c.Repository.Path = "kongsnap-backups"
	}
	if c.Repository.Author.Name == "" {
		c.Repository.Author.Name = "kongsnap"
	}
	if c.Repository.Author.Email == "" {
		c.Repository.Author.Email = "kongsnap@users.noreply.github.com"
	}
	if c.Encryption.KeyEnv == "" && c.Encryption.KeyFile == "" {
		c.Encryption.KeyEnv = "KONGSNAP_KEY"
	}
	for i, r := range c.Repository.Remotes {
		if r.Name == "" || r.URL == "" {
			return fmt.Errorf("repository.remotes[%d]: name and url are required", i)
		}
	}
	for i := range c.Notify {
		if err := c.Notify[i].setDefaults(i); err != nil {
			return fmt.Errorf("notify %q: %w", c.Notify[i].Name, err)
		}
	}
	if len(c.Connections) == 0 {
		return errors.New("no connections: add at least one gateway under connections")
	}
	seen := map[string]bool{}
	for i := range c.Connections {
		conn := &c.Connections[i]
		if err := conn.setDefaults(); err != nil {
			return fmt.Errorf("connection %q: %w", conn.Name, err)
		}
		if seen[conn.Name] {
			return fmt.Errorf("connection %q is defined twice", conn.Name)
		}
		seen[conn.Name] = true
	}
	return nil
}

func (w *Webhook) setDefaults(i int) error {
	if w.Name == "" {
		w.Name = fmt.Sprintf("notify[%d]", i)
	}
	u, err := url.Parse(w.URL)
	if w.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("url must be an http(s) URL")
	}
	if len(w.On) == 0 {
		w.On = []string{EventFailed, EventRecovered}
	}
	for _, e := range w.On {
		switch e {
		case EventFailed, EventDrift, EventRecovered, EventSlow:
		default:
			return fmt.Errorf("on: %q is not one of failed, drift, recovered, slow", e)
		}
	}
	switch w.Format {
	case "":
		w.Format = FormatSlack
	case FormatSlack, FormatJSON:
	default:
		return fmt.Errorf("format must be slack or json, not %q", w.Format)
	}
	if w.SlowAfter == (SlowAfter{}) {
		w.SlowAfter.Factor = 2
	}
	if w.Timeout < 0 {
		return errors.New("timeout cannot be negative")
	}
	if w.Timeout == 0 {
		w.Timeout = Duration(10 * time.Second)
	}
	return nil
}

var connectionName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// checkName refuses a connection name that is not a valid part of a git branch or tag name (git check-ref-format):
// the name becomes kong/<name>, kongsnap/drift/<name> and kongsnap/<name>/<time>.
func checkName(name string) error {
	if !connectionName.MatchString(name) {
		return errors.New("name must be lowercase letters, digits, '.', '_' or '-' (it becomes a branch name)")
	}
	switch {
	case strings.Contains(name, ".."):
		return fmt.Errorf("name %q contains \"..\", which git refuses in a branch name", name)
	case strings.HasSuffix(name, ".lock"):
		return fmt.Errorf("name %q ends with \".lock\", which git refuses in a branch name", name)
	case strings.HasSuffix(name, "."):
		return fmt.Errorf("name %q ends with \".\", which git refuses in a branch name", name)
	}
	return nil
}

func (c *Connection) setDefaults() error {
	if err := checkName(c.Name); err != nil {
		return err
	}
	if c.unresolved != nil {
		// Disabled, with ${VARS} unset: nothing else of it was read (see deferDisabled).
		return nil
	}
	if c.AdminURL == "" {
		return errors.New("admin_url is required")
	}
	u, err := url.Parse(c.AdminURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("admin_url %q is not an http(s) URL", gateway.RedactURL(c.AdminURL))
	}
	if c.Enabled == nil {
		t := true
		c.Enabled = &t
	}
	switch c.Secrets {
	case "":
		c.Secrets = SecretsEncrypt
	case SecretsEncrypt, SecretsRedact, SecretsPlain:
	default:
		return fmt.Errorf("secrets must be encrypt, redact or plain, not %q", c.Secrets)
	}
	switch c.OnDrift {
	case "":
		c.OnDrift = OnDriftPullRequest
	case OnDriftPullRequest, OnDriftCommit:
	default:
		return fmt.Errorf("on_drift must be pull-request or commit, not %q", c.OnDrift)
	}
	if err := c.setReviewDefaults(); err != nil {
		return err
	}
	if c.Schedule != "" {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			return fmt.Errorf("schedule %q: %w", c.Schedule, err)
		}
	}
	if _, err := snapshot.SectionKinds(c.Sections); err != nil {
		return fmt.Errorf("sections: %w", err)
	}
	for i, r := range c.Ignore {
		if _, err := snapshot.ParseKind(r.Kind); err != nil {
			return fmt.Errorf("ignore[%d]: %w", i, err)
		}
		if r.Path == "" {
			return fmt.Errorf("ignore[%d]: path is required", i)
		}
	}
	if c.Retention.Days == 0 && c.Retention.Weeks == 0 && c.Retention.Months == 0 {
		c.Retention = Retention{Days: 30, Weeks: 12, Months: 12}
	}
	if c.Retention.Days < 0 || c.Retention.Weeks < 0 || c.Retention.Months < 0 {
		return errors.New("retention counts cannot be negative")
	}
	switch {
	case c.Retries == nil:
		r := DefaultRetries
		c.Retries = &r
	case *c.Retries == -1:
		// -1 was the way to say "none" before 0 meant it; both still do.
		*c.Retries = 0
	case *c.Retries < 0:
		return fmt.Errorf("retries must be 0 (no retries) or more, not %d", *c.Retries)
	}
	return nil
}

// DefaultRetries is how many times a failed Admin API request is retried when retries is not set.
const DefaultRetries = 4

// setReviewDefaults checks how the connection's drift pull requests are reviewed.
func (c *Connection) setReviewDefaults() error {
	switch c.OnReject {
	case "":
		c.OnReject = OnRejectKeep
	case OnRejectKeep, OnRejectRestore:
	default:
		return fmt.Errorf("on_reject must be keep or restore, not %q", c.OnReject)
	}
	for i, r := range c.Reviewers {
		if r == "" || strings.ContainsAny(r, " /@") {
			return fmt.Errorf("reviewers[%d]: %q is not a GitHub login (write it without @)", i, r)
		}
	}
	for i, t := range c.TeamReviewers {
		if t == "" || strings.ContainsAny(t, " /@") {
			return fmt.Errorf("team_reviewers[%d]: %q is not a team slug (write the slug only, without org/ or @)", i, t)
		}
	}
	return nil
}

// Due reports whether the connection's schedule fires within the window ending at now. A connection without a
// schedule is due on every run. Runs themselves are triggered by the CI scheduler (an hourly workflow, say), so the
// window is that trigger's period: a connection scheduled daily at 02:00 is due in the hourly run that covers 02:00.
func (c *Connection) Due(now time.Time, window time.Duration) bool {
	if c.Schedule == "" {
		return true
	}
	sched, err := cron.ParseStandard(c.Schedule)
	if err != nil {
		return false
	}
	next := sched.Next(now.Add(-window))
	return !next.After(now)
}

// IsEnabled reports whether the connection takes part in runs.
func (c *Connection) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Connection returns the named connection. A disabled connection whose ${VARS} were not set (which a run that
// leaves it out does not need) fails here, naming them.
func (c *Config) Connection(name string) (*Connection, error) {
	var names []string
	for i := range c.Connections {
		if c.Connections[i].Name == name {
			if u := c.Connections[i].unresolved; len(u) > 0 {
				return nil, errors.New(strings.Join(u, "; "))
			}
			return &c.Connections[i], nil
		}
		names = append(names, c.Connections[i].Name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("no connection named %q in the config (have: %s)", name, strings.Join(names, ", "))
}

// Secrets returns every secret value the config holds (tokens, header values), so output can be scrubbed of them.
func (c *Config) Secrets() []string {
	var out []string
	add := func(s string) {
		if len(s) >= 4 {
			out = append(out, s)
		}
	}
	add(c.Repository.Token)
	add(c.GitHub.Token)
	for _, r := range c.Repository.Remotes {
		add(r.Token)
	}
	for _, conn := range c.Connections {
		for _, v := range conn.Headers {
			add(v)
		}
		if u, err := url.Parse(conn.AdminURL); err == nil && u.User != nil {
			if password, ok := u.User.Password(); ok {
				add(password)
			}
		}
	}
	for _, w := range c.Notify {
		add(w.URL) // a webhook URL is its own credential (Slack's, Teams')
	}
	return out
}

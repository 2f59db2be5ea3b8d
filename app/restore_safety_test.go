package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/gitstore/gittest"
	"github.com/kongsnap/kongsnap/report"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

// drillGateway is an empty kongsim behind wrap (nil: none), for restores through --admin-url.
type drillGateway struct {
	sim *kongsim.Server
	url string
	srv *httptest.Server
}

func newDrillGateway(t *testing.T, opts kongsim.Options, tls bool, wrap func(http.Handler) http.Handler) *drillGateway {
	t.Helper()
	sim := kongsim.New(opts)
	var h http.Handler = sim
	if wrap != nil {
		h = wrap(sim)
	}
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return &drillGateway{sim: sim, url: srv.URL, srv: srv}
}

// onlyReads fails the test when the simulator received anything but GET requests and validation requests.
func onlyReads(t *testing.T, sim *kongsim.Server) {
	t.Helper()
	for _, r := range sim.Requests() {
		if r.Method != http.MethodGet && !(r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/validate")) {
			t.Errorf("a refused restore sent %s %s", r.Method, r.Path)
		}
	}
}

func validations(sim *kongsim.Server) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/validate") {
			n++
		}
	}
	return n
}

// rewriteSnapshot edits a kongsnap snapshot on a branch of the remote by hand and keeps its manifest's checksums
// right, as someone covering their tracks would; it returns the new commit.
func rewriteSnapshot(t *testing.T, remoteDir, branch string, edit func(name, content string) string) {
	t.Helper()
	work := t.TempDir()
	gittest.Git(t, work, "clone", "-q", "--branch", branch, remoteDir, "clone")
	clone := filepath.Join(work, "clone")
	raw, err := os.ReadFile(filepath.Join(clone, snapshot.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := snapshot.ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name := range m.Files {
		path := filepath.Join(clone, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		edited := edit(name, string(data))
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(edited))
		m.Files[name] = hex.EncodeToString(sum[:])
	}
	if err := os.WriteFile(filepath.Join(clone, snapshot.ManifestName), m.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "edited by hand")
	gittest.Git(t, clone, "push", "-q", "origin", branch)
}

// TestRestoreRefusesWhatTheGatewayWouldReject restores a hand-edited snapshot holding a plugin the gateway does
// not run (an Enterprise one on an OSS gateway) and a plugin config field Kong does not know: the dry run and the apply are both refused before the
// first write, naming every rejected entity with the gateway's message, and the gateway sees only reads and
// validation requests.
func TestRestoreRefusesWhatTheGatewayWouldReject(t *testing.T) {
	deck := `_format_version: "3.0"
services:
- name: billing
  host: billing.internal
  routes:
  - name: invoices
    paths: [/invoices]
    plugins:
    - name: openid-connect
      config:
        issuer: https://idp.example.test/
    - name: cors
      config:
        origins: ["*"]
        colour: red
    - name: key-auth
  - name: payments
    paths: [/payments]
`
	b := newBackedUp(t, nil)
	commitDeckFile(t, b.remoteDir, "hand/invalid", []byte(deck))
	drill := newDrillGateway(t, kongsim.Options{}, false, nil)
	for _, dry := range []bool{true, false} {
		t.Run(fmt.Sprintf("dry run %v", dry), func(t *testing.T) {
			drill.sim.ResetRequests()
			b.env.stdout.b.Reset()
			rep, err := Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: "hand/invalid",
				AdminURL: drill.url, DryRun: dry, Yes: !dry})
			if !errors.Is(err, kongsync.ErrRejected) {
				t.Fatalf("err = %v, want ErrRejected\n%s", err, b.env.stdout.String())
			}
			for _, want := range []string{`plugin "openid-connect"`, "plugin openid-connect is not enabled on this gateway",
				`plugin "cors"`, "config.colour: unknown field"} {
				if !strings.Contains(err.Error(), want) || !strings.Contains(b.env.stdout.String(), want) {
					t.Errorf("the refusal or the output lacks %q:\n%v\n%s", want, err, b.env.stdout.String())
				}
			}
			if !strings.Contains(b.env.stdout.String(), "validated 6 entities with the gateway (5 validation requests): 2 rejected") {
				t.Errorf("the validation is not counted:\n%s", b.env.stdout.String())
			}
			if n := validations(drill.sim); n != 5 {
				t.Errorf("%d validation requests, want 5 (every create but the plugin the gateway lacks)", n)
			}
			onlyReads(t, drill.sim)
			if live := drill.sim.Requests(); len(live) == 0 {
				t.Error("the gateway was never asked")
			}
			ops := status(t, rep, "prod").Operations
			if ops == nil || len(ops.Rejected) != 2 || len(ops.Applied) != 0 {
				t.Errorf("report operations = %+v", ops)
			}
		})
	}
}

func TestRestoreRefusesAnotherConnectionsSnapshot(t *testing.T) {
	ctx := context.Background()
	prod, staging := newGateway(t), newGateway(t)
	prod.seed(t)
	staging.addService(t, "staging-only")
	_, remoteURL := gittest.NewBare(t)
	env := newEnv(t, connectionsYAML(filepath.Join(t.TempDir(), "repo"), remoteURL,
		map[string]string{"prod": prod.url, "staging": staging.url}, ""), map[string]string{"KONGSNAP_KEY": testKey})
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil || rep.Failed() {
		t.Fatalf("backup: %v", err)
	}
	prodSHA := status(t, rep, "prod").Commit
	writes := func() int {
		n := 0
		for _, r := range staging.sim.Requests() {
			if r.Method != http.MethodGet && !strings.HasSuffix(r.Path, "/validate") {
				n++
			}
		}
		return n
	}

	for _, tc := range []struct {
		name, from string
		says       []string
	}{
		{name: "no --from-connection", says: []string{`snapshot of connection "prod", not of "staging"`, "--from-connection prod"}},
		{name: "--from-connection naming a third one", from: "qa", says: []string{`snapshot of connection "prod", not of "qa"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := writes()
			_, err := Restore(ctx, env.Env, RestoreOptions{Connection: "staging", To: prodSHA, FromConnection: tc.from, Yes: true,
				AllowEmpty: true, MaxDeletes: -1})
			if err == nil {
				t.Fatal("restoring prod's snapshot into staging was not refused")
			}
			for _, want := range tc.says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal lacks %q: %v", want, err)
				}
			}
			if n := writes() - before; n != 0 {
				t.Errorf("a refused restore sent %d writes to staging", n)
			}
		})
	}

	// A clone of prod into staging is a real use, said with --from-connection.
	rep, err = Restore(ctx, env.Env, RestoreOptions{Connection: "staging", To: prodSHA, FromConnection: "prod", Yes: true,
		AllowEmpty: true, MaxDeletes: -1})
	if err != nil || status(t, rep, "staging").Status != report.Completed {
		t.Fatalf("clone of prod into staging: %v\n%s", err, env.stdout.String())
	}
	if _, err := staging.kong.Services.Get(ctx, strPtr("billing")); err != nil {
		t.Errorf("staging lacks prod's service after the clone: %v", err)
	}
}

func strPtr(s string) *string { return &s }

func TestRestoreComparesKongVersions(t *testing.T) {
	b := newBackedUp(t, nil) // taken from Kong 3.9.1
	for _, tc := range []struct {
		name, version string
		allow         bool
		refused       bool
		says          string
	}{
		{name: "same minor", version: "3.9.3"},
		{name: "another minor warns", version: "3.10.0", says: "warning: prod runs Kong 3.10.0, snapshot"},
		{name: "another major is refused", version: "4.0.0", refused: true, says: "another major version"},
		{name: "another major when allowed", version: "4.0.0", allow: true, says: "warning: prod runs Kong 4.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			drill := newDrillGateway(t, kongsim.Options{Version: tc.version}, false, nil)
			b.env.stdout.b.Reset()
			rep, err := Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: b.sha, Yes: true,
				AdminURL: drill.url, AllowVersionMismatch: tc.allow})
			if tc.refused {
				if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "--allow-version-mismatch") {
					t.Fatalf("err = %v, want a refusal saying %q", err, tc.says)
				}
				onlyReads(t, drill.sim)
				return
			}
			if err != nil || status(t, rep, "prod").Status != report.Completed {
				t.Fatalf("restore into Kong %s: %v\n%s", tc.version, err, b.env.stdout.String())
			}
			out := b.env.stdout.String()
			if tc.says != "" && !strings.Contains(out, tc.says) {
				t.Errorf("output lacks %q:\n%s", tc.says, out)
			}
			if tc.says == "" && strings.Contains(out, "warning:") {
				t.Errorf("a warning for a patch release:\n%s", out)
			}
		})
	}
}

// demandHeader answers 401 to any request without the header value, as a token-protected Admin API does.
func demandHeader(name, value string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(name) != value {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"message":"Invalid credentials. Token or User credentials required"}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestRestoreDrillKeepsTheConnectionsAccess restores through --admin-url into gateways that demand a token or
// serve TLS: the drill keeps the connection's headers and TLS settings unless --header, --tls-skip-verify or
// --ca-cert override them.
func TestRestoreDrillKeepsTheConnectionsAccess(t *testing.T) {
	ctx := context.Background()
	prod := newGateway(t)
	prod.seed(t)
	_, remoteURL := gittest.NewBare(t)
	dir := t.TempDir()
	env := newEnv(t, connectionsYAML(filepath.Join(dir, "repo"), remoteURL, map[string]string{"prod": prod.url},
		"    headers:\n      Kong-Admin-Token: ${PROD_TOKEN}\n"), map[string]string{"KONGSNAP_KEY": testKey, "PROD_TOKEN": "prod-token-123"})
	rep, err := Backup(ctx, env.Env, BackupOptions{All: true})
	if err != nil || rep.Failed() {
		t.Fatalf("backup: %v", err)
	}
	sha := status(t, rep, "prod").Commit

	tlsDrill := func() *drillGateway {
		return newDrillGateway(t, kongsim.Options{}, true, demandHeader("Kong-Admin-Token", "prod-token-123"))
	}
	caFile := filepath.Join(dir, "ca.pem") // every httptest TLS server serves the same certificate
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsDrill().srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		drill *drillGateway
		opts  RestoreOptions
		fails string
	}{
		{name: "the connection's token", drill: newDrillGateway(t, kongsim.Options{}, false,
			demandHeader("Kong-Admin-Token", "prod-token-123"))},
		{name: "a token of its own", drill: newDrillGateway(t, kongsim.Options{}, false,
			demandHeader("Kong-Admin-Token", "drill-token-456")),
			opts: RestoreOptions{Headers: map[string]string{"Kong-Admin-Token": "drill-token-456"}}},
		{name: "--header replaces the connection's headers", drill: newDrillGateway(t, kongsim.Options{}, false,
			demandHeader("Kong-Admin-Token", "prod-token-123")),
			opts: RestoreOptions{Headers: map[string]string{"X-Other": "x"}}, fails: "refused the client"},
		{name: "TLS without verification", drill: tlsDrill(), opts: RestoreOptions{TLSSkipVerify: true}},
		{name: "TLS verified with --ca-cert", drill: tlsDrill(), opts: RestoreOptions{CACert: caFile}},
		{name: "TLS unverified", drill: tlsDrill(), fails: "tls settings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Connection, opts.To, opts.Yes, opts.AdminURL = "prod", sha, true, tc.drill.url
			rep, err := Restore(ctx, env.Env, opts)
			if tc.fails != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fails) {
					t.Fatalf("err = %v, want %q", err, tc.fails)
				}
				return
			}
			if err != nil || status(t, rep, "prod").Status != report.Completed {
				t.Fatalf("drill: %v\n%s", err, env.stdout.String())
			}
			if strings.Contains(env.stdout.String()+env.logs.String(), "prod-token-123") {
				t.Error("the connection's token reached the output or the logs")
			}
		})
	}
	if n := len(prod.sim.Requests()); n == 0 {
		t.Fatal("prod was never read")
	}
}

func TestRestoreRefusesAHandEditedSnapshot(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(name, content string) string
		says []string
	}{
		{
			name: "a ciphertext replaced by plaintext",
			edit: func(name, content string) string {
				lines := strings.Split(content, "\n")
				for i, l := range lines {
					if k, v, ok := strings.Cut(l, "key: "); ok && strings.HasPrefix(v, "kongsnap:v1:") && name == "consumers.yaml" {
						lines[i] = k + "key: attacker-chosen-key"
					}
				}
				return strings.Join(lines, "\n")
			},
			says: []string{"key-auth credential", "field key", "plaintext", "encrypt"},
		},
		{
			name: "an entity added without the manifest's count",
			edit: func(name, content string) string {
				if name != "services.yaml" {
					return content
				}
				return strings.Replace(content, "services:\n", "services:\n  - name: smuggled\n    host: evil.example\n", 1)
			},
			says: []string{"integrity", "the manifest counts 1 services, the files hold 2"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackedUp(t, nil)
			rewriteSnapshot(t, b.remoteDir, "kong/prod", tc.edit)
			b.gw.sim.ResetRequests()
			_, err := Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true})
			if err == nil {
				t.Fatal("the edited snapshot was restored")
			}
			for _, want := range tc.says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal lacks %q: %v", want, err)
				}
			}
			if strings.Contains(err.Error(), "attacker-chosen-key") {
				t.Errorf("the refusal shows the secret: %v", err)
			}
			if n := len(b.gw.sim.Requests()); n != 0 {
				t.Errorf("the gateway was contacted %d times for a snapshot refused before reading it", n)
			}
		})
	}
}

// TestRestoreInterruptedReportsTheWriteInFlightAsUnknown cancels a restore (Ctrl-C) while a write is in flight:
// that write is reported as unknown (the gateway may or may not have applied it), never as failed, in the output
// and in the JSON report, and running the restore again converges.
func TestRestoreInterruptedReportsTheWriteInFlightAsUnknown(t *testing.T) {
	b := newBackedUp(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var writes atomic.Int32
	var interrupt atomic.Bool
	interrupt.Store(true)
	drill := newDrillGateway(t, kongsim.Options{}, false, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && !strings.HasSuffix(r.URL.Path, "/validate") && interrupt.Load() &&
				writes.Add(1) == 3 {
				// Ctrl-C while the gateway holds the third write; the body is read so that the server notices the
				// client going away.
				_, _ = io.Copy(io.Discard, r.Body)
				cancel()
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	rep, err := Restore(ctx, b.env.Env, RestoreOptions{Connection: "prod", To: b.sha, Yes: true, AdminURL: drill.url,
		Parallelism: 1})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, kongsync.ErrIncomplete) {
		t.Fatalf("err = %v, want an incomplete, cancelled restore\n%s", err, b.env.stdout.String())
	}
	out := b.env.stdout.String()
	if !strings.Contains(out, "1 unknown") || !strings.Contains(out, "the gateway may or may not have applied it") ||
		strings.Contains(out, "failed: ") {
		t.Errorf("the write in flight is not reported as unknown:\n%s", out)
	}
	if strings.Contains(err.Error(), "the lines above") || !strings.Contains(err.Error(), "--report") {
		t.Errorf("the error does not say where to look: %v", err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Results []struct {
			Operations report.Operations `json:"operations"`
		} `json:"results"`
	}
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil || len(decoded.Results) != 1 {
		t.Fatalf("report: %v\n%s", err, buf.String())
	}
	ops := decoded.Results[0].Operations
	if len(ops.Applied) != 2 || len(ops.Failed) != 0 || len(ops.Unknown) != 1 || len(ops.NotApplied) == 0 ||
		ops.Unknown[0].Step != 3 || ops.Unknown[0].Operation == "" || ops.Unknown[0].Error == "" {
		t.Errorf("report operations:\n%s", buf.String())
	}

	interrupt.Store(false)
	rep, err = Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: b.sha, Yes: true,
		AdminURL: drill.url})
	if err != nil || status(t, rep, "prod").Status != report.Completed {
		t.Fatalf("the rerun did not converge: %v\n%s", err, b.env.stdout.String())
	}
}

// TestRestoreRefusedByMaxDeletesPrintsTheWholePlan: a dry run refused for its deletes still lists every operation,
// so the operator sees what was refused.
func TestRestoreRefusedByMaxDeletesPrintsTheWholePlan(t *testing.T) {
	b := newBackedUp(t, nil)
	for i := range 12 {
		b.gw.addService(t, fmt.Sprintf("rogue-%02d", i))
	}
	b.gw.sim.ResetRequests()
	_, err := Restore(context.Background(), b.env.Env, RestoreOptions{Connection: "prod", To: b.sha, DryRun: true})
	if !errors.Is(err, kongsync.ErrTooManyDeletes) {
		t.Fatalf("err = %v, want ErrTooManyDeletes", err)
	}
	out := b.env.stdout.String()
	if !strings.Contains(out, "plan: delete 12 services") {
		t.Errorf("no plan summary:\n%s", out)
	}
	for i := range 12 {
		if want := fmt.Sprintf(`delete service "rogue-%02d"`, i); !strings.Contains(out, want) {
			t.Errorf("the plan lacks %q:\n%s", want, out)
		}
	}
	onlyReads(t, b.gw.sim)
}

// TestRestoreTrustsOnlyAManifestMACThatChecks: a backup's commit authenticates its manifest with the encryption key
// (Kongsnap-Manifest-Mac), and a no-op restore of it compares the live gateway with its files without reading the
// snapshot or planning, and only reads the gateway. A hand edit that keeps the commit's MAC
// trailer is refused as before, naming the edit, without contacting the gateway.
func TestRestoreTrustsOnlyAManifestMACThatChecks(t *testing.T) {
	ctx := context.Background()
	b := newBackedUp(t, nil)
	msg := gittest.Git(t, b.remoteDir, "log", "-1", "--format=%B", "kong/prod")
	_, mac, ok := strings.Cut(msg, TrailerManifestMAC+": ")
	if !ok {
		t.Fatalf("the backup's commit has no %s trailer:\n%s", TrailerManifestMAC, msg)
	}
	mac, _, _ = strings.Cut(mac, "\n")
	ring, err := snapshot.ParseKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := exec.Command("git", "-C", b.remoteDir, "show", "kong/prod:"+snapshot.ManifestName).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !ring.CheckManifestMAC(snapshot.Files{snapshot.ManifestName: manifest}, mac) {
		t.Errorf("the trailer %q does not authenticate the manifest with the key", mac)
	}

	b.gw.sim.ResetRequests()
	rep, err := Restore(ctx, b.env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := status(t, rep, "prod"); got.Status != report.Unchanged {
		t.Errorf("no-op restore: %+v", got)
	}
	if !strings.Contains(b.env.stdout.String(), "plan: nothing to do") {
		t.Errorf("the empty plan is not shown:\n%s", b.env.stdout.String())
	}
	for _, r := range b.gw.sim.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("a no-op restore of a backup sent %s %s: it should only read the gateway", r.Method, r.Path)
		}
	}
	logs := b.env.logs.String()
	if !strings.Contains(logs, "gives the snapshot's files: nothing to plan") || strings.Contains(logs, `msg="read snapshot"`) {
		t.Errorf("the no-op restore read the snapshot instead of comparing files:\n%s", logs)
	}

	// The same hand edit as TestRestoreRefusesAHandEditedSnapshot, its commit then given the backup's message,
	// MAC trailer included.
	rewriteSnapshot(t, b.remoteDir, "kong/prod", func(name, content string) string {
		if name != "consumers.yaml" {
			return content
		}
		lines := strings.Split(content, "\n")
		for i, l := range lines {
			if k, v, ok := strings.Cut(l, "key: "); ok && strings.HasPrefix(v, "kongsnap:v1:") {
				lines[i] = k + "key: attacker-chosen-key"
			}
		}
		return strings.Join(lines, "\n")
	})
	work := t.TempDir()
	gittest.Git(t, work, "clone", "-q", "--branch", "kong/prod", b.remoteDir, "clone")
	clone := filepath.Join(work, "clone")
	gittest.Git(t, clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "--amend", "-C", "HEAD~1")
	gittest.Git(t, clone, "push", "-qf", "origin", "kong/prod")
	if msg := gittest.Git(t, b.remoteDir, "log", "-1", "--format=%B", "kong/prod"); !strings.Contains(msg, mac) {
		t.Fatalf("the edited commit does not carry the backup's MAC:\n%s", msg)
	}
	b.gw.sim.ResetRequests()
	_, err = Restore(ctx, b.env.Env, RestoreOptions{Connection: "prod", To: "kong/prod", Yes: true})
	if err == nil || !strings.Contains(err.Error(), "plaintext") || strings.Contains(err.Error(), "attacker-chosen-key") {
		t.Fatalf("err = %v, want the plaintext refused without showing it", err)
	}
	if n := len(b.gw.sim.Requests()); n != 0 {
		t.Errorf("the gateway was contacted %d times for a snapshot refused before reading it", n)
	}
}

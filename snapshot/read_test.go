package snapshot

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"
)

func TestReadDeckFiles(t *testing.T) {
	tests := []struct {
		name  string
		files Files
		check func(t *testing.T, s *Snapshot)
	}{
		{
			name: "dump without ids: nested and top-level forms, references by name",
			files: Files{"kong.yaml": []byte(`_format_version: "3.0"
services:
- name: billing
  host: billing.internal
  routes:
  - name: invoices
    paths: [/invoices]
    plugins:
    - name: key-auth
  plugins:
  - name: rate-limiting
    config: {minute: 20}
routes:
- name: detached
  service: {name: billing}
  paths: [/detached]
consumers:
- username: alice
  keyauth_credentials:
  - key: k1
  acls:
  - group: gold
  plugins:
  - name: request-transformer
plugins:
- name: prometheus
- name: acl
  route: invoices
  consumer: alice
  config: {allow: [gold]}
upstreams:
- name: pool
  targets:
  - target: 10.0.0.1:8000
key_sets:
- name: signing
keys:
- name: k
  kid: kid-1
  set: {name: signing}
  jwk: '{"kty":"oct"}'
`)},
			check: func(t *testing.T, s *Snapshot) {
				wantCounts := map[Kind]int{KindService: 1, KindRoute: 2, KindConsumer: 1, KindKeyAuth: 1, KindACL: 1,
					KindPlugin: 5, KindUpstream: 1, KindTarget: 1, KindKeySet: 1, KindKey: 1}
				if got := s.Count(); !equalCounts(got, wantCounts) {
					t.Errorf("counts = %v, want %v", got, wantCounts)
				}
				for _, r := range s.Routes {
					if r.ID != nil || r.Service == nil || str(r.Service.Name) != "billing" || r.Service.ID != nil {
						t.Errorf("route %s: service = %+v, want the name billing and no ids", str(r.Name), r.Service)
					}
				}
				scopes := map[string]string{}
				for _, p := range s.Plugins {
					scopes[str(p.Name)] = scope(p)
				}
				want := map[string]string{"key-auth": "route", "rate-limiting": "service", "request-transformer": "consumer",
					"prometheus": "global", "acl": "route+consumer"}
				if !equalMaps(scopes, want) {
					t.Errorf("plugin scopes = %v, want %v", scopes, want)
				}
				if c := s.KeyAuths[0].Consumer; c == nil || str(c.Username) != "alice" {
					t.Errorf("key-auth consumer = %+v, want alice", c)
				}
				if set := s.Keys[0].Set; set == nil || str(set.Name) != "signing" {
					t.Errorf("key set = %+v, want signing", set)
				}
				if u := s.Targets[0].Upstream; u == nil || str(u.Name) != "pool" {
					t.Errorf("target upstream = %+v, want pool", u)
				}
			},
		},
		{
			name: "references by id resolve to the id, by name to the named entity's id",
			files: Files{"kong.yaml": []byte(`_format_version: "3.0"
services:
- id: ` + idSvcBilling + `
  name: billing
  host: billing.internal
routes:
- name: by-name
  service: {name: billing}
- name: by-id
  service: {id: ` + idSvcBilling + `}
plugins:
- name: cors
  service: billing
  route: by-id
`)},
			check: func(t *testing.T, s *Snapshot) {
				for _, r := range s.Routes {
					if r.Service == nil || str(r.Service.ID) != idSvcBilling || r.Service.Name != nil {
						t.Errorf("route %s: service = %+v, want id %s", str(r.Name), r.Service, idSvcBilling)
					}
				}
				p := s.Plugins[0]
				if str(p.Service.ID) != idSvcBilling || p.Route == nil || str(p.Route.Name) != "by-id" {
					t.Errorf("plugin refs = service %+v route %+v", p.Service, p.Route)
				}
			},
		},
		{
			name: "select tags are added to every entity, defaults fill missing fields",
			files: Files{"kong.yaml": []byte(`_format_version: "3.0"
_info:
  select_tags: [team-a]
  defaults:
    service: {port: 8443, protocol: https}
    target: {weight: 50}
services:
- name: explicit
  host: a.internal
  port: 9000
  tags: [keep]
- name: defaulted
  url: http://b.internal/api
- name: bare
  host: c.internal
upstreams:
- name: pool
  targets:
  - target: 10.0.0.1:8000
`)},
			check: func(t *testing.T, s *Snapshot) {
				got := map[string]string{}
				for _, svc := range s.Services {
					got[str(svc.Name)] = str(svc.Protocol) + "://" + str(svc.Host) + ":" + itoa(svc.Port) + str(svc.Path)
					if tags := strs(svc.Tags); !slices.Contains(tags, "team-a") {
						t.Errorf("service %s tags = %v, want team-a added", str(svc.Name), tags)
					}
				}
				want := map[string]string{"explicit": "https://a.internal:9000", "defaulted": "http://b.internal:80/api",
					"bare": "https://c.internal:8443"}
				if !equalMaps(got, want) {
					t.Errorf("services = %v, want %v", got, want)
				}
				if svc := find(s.Services, "explicit"); !slices.Equal(strs(svc.Tags), []string{"keep", "team-a"}) {
					t.Errorf("explicit tags = %v, want [keep team-a]", strs(svc.Tags))
				}
				if w := s.Targets[0].Weight; w == nil || *w != 50 {
					t.Errorf("target weight = %v, want the default 50", w)
				}
			},
		},
		{
			name: "several files merged, a JSON one among them, references across files",
			files: Files{
				"a/services.yaml": []byte("_format_version: \"3.0\"\nservices:\n- name: billing\n  host: b.internal\n"),
				"b/plugins.json":  []byte("{\n\t\"_format_version\": \"3.0\",\n\t\"plugins\": [\n\t\t{\"name\": \"cors\", \"service\": \"billing\", \"consumer\": \"alice\"}\n\t]\n}\n"),
				"c/consumers.yml": []byte("_format_version: \"3.0\"\nconsumers:\n- username: alice\n"),
				ManifestName:      []byte("not read"),
				"README.md":       []byte("# not read\n"),
			},
			check: func(t *testing.T, s *Snapshot) {
				if len(s.Plugins) != 1 || scope(s.Plugins[0]) != "service+consumer" {
					t.Fatalf("plugins = %s, want one service+consumer plugin", dump(t, s.Plugins))
				}
			},
		},
		{
			name: "format 1.1, anchors and merge keys, SNIs listed by name",
			files: Files{"kong.yaml": []byte(`_format_version: "1.1"
services:
- &base
  name: one
  host: shared.internal
  port: 8080
- <<: *base
  name: two
certificates:
- id: ` + idCert + `
  cert: c
  key: k
  snis: [a.example.com, {name: b.example.com}]
`)},
			check: func(t *testing.T, s *Snapshot) {
				two := find(s.Services, "two")
				if two == nil || str(two.Host) != "shared.internal" || itoa(two.Port) != "8080" {
					t.Errorf("merged service = %+v, want host and port from the anchor", two)
				}
				if len(s.SNIs) != 2 || str(s.SNIs[0].Certificate.ID) != idCert {
					t.Errorf("snis = %s", dump(t, s.SNIs))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read(tt.files, ReadOptions{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			tt.check(t, s)
			files, err := Write(s, WriteOptions{Secrets: SecretsPlain})
			if err != nil {
				t.Fatalf("Write of what was read: %v", err)
			}
			again, err := Read(files, ReadOptions{})
			if err != nil {
				t.Fatalf("Read of what Write wrote: %v", err)
			}
			tt.check(t, again)
		})
	}
}

func TestReadErrors(t *testing.T) {
	const v3 = "_format_version: \"3.0\"\n"
	tests := []struct {
		name  string
		files Files
		want  error
		msg   string
	}{
		{"unknown format version", Files{"kong.yaml": []byte("_format_version: \"2.0\"\nservices: []\n")},
			ErrFormatVersion, `kong.yaml:1: field _format_version: scalar "2.0" is not one of 1.1, 3.0`},
		{"no format version", Files{"kong.yaml": []byte("services:\n- name: a\n  host: h\n")},
			ErrFormatVersion, `kong.yaml: field _format_version: no file declares one`},
		{"format versions disagree", Files{"a.yaml": []byte(v3), "b.yaml": []byte("_format_version: \"1.1\"\n")},
			ErrFormatVersion, `b.yaml:1: field _format_version: "1.1" differs from "3.0" in a.yaml`},
		{"malformed YAML", Files{"kong.yaml": []byte(v3 + "services:\n- name: [unclosed\n")},
			ErrSyntax, `kong.yaml: line 2: did not find expected ',' or ']'`},
		{"duplicate key", Files{"services.yaml": []byte(v3 + "services:\n- name: a\n  host: h\n  name: b\n")},
			ErrDuplicateKey, `services.yaml:5: services[0] "a": key "name" appears twice (first at line 3)`},
		{"duplicate key in config", Files{"p.yaml": []byte(v3 + "plugins:\n- name: cors\n  config:\n    a: 1\n    a: 2\n")},
			ErrDuplicateKey, `p.yaml:6: plugins[0] "cors": field config: key "a" appears twice (first at line 5)`},
		{"unknown field", Files{"services.yaml": []byte(v3 + "services:\n- name: billing\n  colour: blue\n")},
			ErrUnknownField, `services.yaml:4: services[0] "billing": field colour: a service has no field "colour"`},
		{"unknown nested field", Files{"u.yaml": []byte(v3 + "upstreams:\n- name: pool\n  healthchecks:\n    active:\n      bogus: 1\n")},
			ErrUnknownField, `u.yaml:3: upstreams[0] "pool": unknown field "bogus"`},
		{"unknown section", Files{"k.yaml": []byte(v3 + "consumer_groups: []\n")},
			ErrUnknownField, `k.yaml:2: unknown top-level section "consumer_groups"`},
		{"wrong type", Files{"s.yaml": []byte(v3 + "services:\n- name: billing\n  port: eighty\n")},
			ErrInvalidValue, `s.yaml:4: services[0] "billing": field port: want int, got a string`},
		{"dangling route service", Files{"services.yaml": []byte(v3 + "routes:\n- name: a\n- name: b\n- name: orders\n  service: {name: billing}\n")},
			ErrDanglingReference, `services.yaml:6: routes[2] "orders": field service: references service "billing", which no file defines`},
		{"dangling plugin consumer", Files{"plugins.yaml": []byte(v3 + "plugins:\n- name: cors\n  consumer: carol\n")},
			ErrDanglingReference, `plugins.yaml:4: plugins[0] "cors": field consumer: references consumer "carol", which no file defines`},
		{"dangling CA certificate not named by id", Files{"s.yaml": []byte(v3 + "services:\n- name: a\n  host: h\n  ca_certificates: [my-ca]\n")},
			ErrDanglingReference, `s.yaml:5: services[0] "a": field ca_certificates: references CA certificate "my-ca"`},
		{"same service in two files", Files{"a.yaml": []byte(v3 + "services:\n- name: billing\n  host: h\n"),
			"b.yaml": []byte(v3 + "services:\n- name: billing\n  host: h\n")},
			ErrDuplicateEntity, `b.yaml:3: services[0] "billing": same id or name as services[0] "billing" in a.yaml`},
		{"nested route names its service", Files{"s.yaml": []byte(v3 + "services:\n- name: a\n  host: h\n  routes:\n  - name: r\n    service: a\n")},
			ErrUnknownField, `s.yaml:7: services[0].routes[0] "r": field service: not allowed in a route nested under a service`},
		{"route plugin names its route", Files{"s.yaml": []byte(v3 + "routes:\n- name: r\n  plugins:\n  - name: cors\n    route: r\n")},
			ErrUnknownField, `s.yaml:6: routes[0].plugins[0] "cors": field route: not allowed`},
		{"certificate without id", Files{"c.yaml": []byte(v3 + "certificates:\n- cert: c\n  key: k\n")},
			ErrInvalidValue, `c.yaml:3: certificates[0]: a certificate needs an id`},
		{"files disagree on _info", Files{"a.yaml": []byte(v3 + "_info: {select_tags: [a]}\n"), "b.yaml": []byte(v3 + "_info: {select_tags: [b]}\n")},
			ErrInvalidValue, `b.yaml:2: field _info: differs from _info in a.yaml`},
		{"unknown defaults", Files{"a.yaml": []byte(v3 + "_info:\n  defaults:\n    plugin: {enabled: true}\n")},
			ErrUnknownField, `a.yaml:4: field _info.defaults.plugin`},
		{"transform false", Files{"a.yaml": []byte(v3 + "_transform: false\n")},
			ErrInvalidValue, `a.yaml:2: field _transform: only true is supported`},
		{"list expected", Files{"a.yaml": []byte(v3 + "services: {name: a}\n")},
			ErrInvalidValue, `a.yaml:2: services: want a list, got mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(tt.files, ReadOptions{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Read error = %q, want it to contain %q", err, tt.msg)
			}
		})
	}
	if _, err := Read(Files{ManifestName: []byte("format 1\n")}, ReadOptions{}); err == nil {
		t.Error("Read of a directory without decK files succeeded")
	}
}

// TestReadSharedFixtures reads the decK files other parts of the project share: the rich gateway fixture and any
// decK dumps of it.
func TestReadSharedFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "rich", "deck-dump*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	source := filepath.Join("..", "testdata", "rich", "kong.yaml")
	var want *Snapshot
	if files, err := ReadFile(source); err == nil {
		if want, err = Read(files, ReadOptions{}); err != nil {
			t.Fatalf("Read %s: %v", source, err)
		}
	}
	paths = append([]string{source}, paths...)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s not there yet", path)
			}
			files, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Read(files, ReadOptions{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if s.Len() == 0 {
				t.Fatal("read no entity")
			}
			out, err := Write(s, WriteOptions{Secrets: SecretsPlain})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			again, err := Read(out, ReadOptions{})
			if err != nil {
				t.Fatalf("Read of what Write wrote: %v", err)
			}
			if !equalCounts(again.Count(), s.Count()) {
				t.Errorf("counts after write and read = %v, want %v", again.Count(), s.Count())
			}
			if want == nil {
				return
			}
			if !equalCounts(s.Count(), want.Count()) {
				t.Errorf("counts = %v, want those of kong.yaml %v", s.Count(), want.Count())
			}
			if got, want := pluginScopes(s), pluginScopes(want); !equalMaps(got, want) {
				t.Errorf("plugin scopes = %v\nwant those of kong.yaml %v", got, want)
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	files := writeRich(t, richSnapshot(t), richOptions(t))
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys(got), keys(files)) {
		t.Fatalf("ReadDir files = %v, want %v", keys(got), keys(files))
	}
	if err := Verify(got); err != nil {
		t.Errorf("Verify of a written directory: %v", err)
	}
}

func equalCounts(a, b map[Kind]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func find(services []*kong.Service, name string) *kong.Service {
	for _, s := range services {
		if str(s.Name) == name {
			return s
		}
	}
	return nil
}

func strs(p []*string) []string {
	out := make([]string, len(p))
	for i, s := range p {
		out[i] = str(s)
	}
	return out
}

func itoa(p *int) string {
	if p == nil {
		return "<nil>"
	}
	return strconv.Itoa(*p)
}

// pluginScopes maps each plugin (by instance name, else name and parents) to its scope.
func pluginScopes(s *Snapshot) map[string]string {
	out := map[string]string{}
	for _, p := range s.Plugins {
		key := str(p.InstanceName)
		if key == "" {
			key = str(p.Name) + " " + str(p.ID)
		}
		out[key] = scope(p)
	}
	return out
}

package interop

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

func decode(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("decoding test YAML: %v", err)
	}
	return m
}

func TestDifferences(t *testing.T) {
	const target = `
services:
  - id: s1
    name: orders
    port: 8080
    ca_certificates: [ca1]
    routes:
      - name: orders-api
        methods: [GET, POST]
        sources:
          - ip: 10.0.0.0/8
consumers:
  - username: alice
    basicauth_credentials:
      - username: alice
        password: secret
upstreams:
  - name: up
    healthchecks:
      threshold: 33
`
	tests := []struct {
		name    string
		current string
		opts    Options
		want    []string
	}{
		{
			name: "defaults, reordering and a hashed password are not differences",
			current: `
upstreams:
  - name: up
    algorithm: round-robin
    healthchecks:
      threshold: 33.0
consumers:
  - username: alice
    basicauth_credentials:
      - username: alice
        password: 5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8
services:
  - name: orders
    port: 8080
    ca_certificates: [ca1]
    retries: 5
    routes:
      - name: orders-api
        methods: [POST, GET]
        sources:
          - ip: 10.0.0.0/8
            port: null
`,
			opts: Options{IgnoreIDs: true, Ignore: []string{"consumers.basicauth_credentials.password"}},
		},
		{
			name: "changed, missing and unexpected entities are reported where they are",
			current: `
services:
  - id: s1
    name: orders
    port: 80
    ca_certificates: [ca2]
    routes:
      - name: orders-api
        methods: [GET]
        sources:
          - ip: 192.168.0.0/16
      - name: stray
consumers:
  - username: alice
    basicauth_credentials:
      - username: alice
        password: secret
vaults:
  - prefix: env-x
`,
			want: []string{
				`services[id="s1"].ca_certificates: want [ca1], got [ca2]`,
				`services[id="s1"].port: want 8080, got 80`,
				`services[id="s1"].routes: unexpected member name="stray"`,
				`services[id="s1"].routes[name="orders-api"].methods: want [GET POST], got [GET]`,
				`services[id="s1"].routes[name="orders-api"].sources: unexpected member map[ip:192.168.0.0/16]`,
				`services[id="s1"].routes[name="orders-api"].sources[map[ip:10.0.0.0/8]]: missing`,
				`upstreams: missing`,
				`vaults: unexpected member prefix="env-x"`,
			},
		},
		{
			name: "ids are compared unless ignored",
			current: `
services:
  - id: s2
    name: orders
    port: 8080
    ca_certificates: [ca1]
    routes:
      - name: orders-api
        methods: [GET, POST]
        sources:
          - ip: 10.0.0.0/8
consumers:
  - username: alice
    basicauth_credentials:
      - username: alice
        password: secret
upstreams:
  - name: up
    healthchecks:
      threshold: 33
`,
			want: []string{
				`services: unexpected member id="s2"`,
				`services[id="s1"]: missing`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Differences(decode(t, target), decode(t, tt.current), tt.opts)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Differences:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDifferencesPairsSameNamedMembers(t *testing.T) {
	target := decode(t, `
plugins:
  - name: rate-limiting
    config: {minute: 9}
  - name: rate-limiting
    route: orders-api
    config: {minute: 5}
`)
	tests := []struct {
		name    string
		current string
		want    []string
	}{
		{
			name: "in another order",
			current: `
plugins:
  - name: rate-limiting
    route: orders-api
    config: {minute: 5, policy: local}
  - name: rate-limiting
    config: {minute: 9, policy: local}
`,
		},
		{
			name: "one changed",
			current: `
plugins:
  - name: rate-limiting
    route: orders-api
    config: {minute: 6}
  - name: rate-limiting
    config: {minute: 9}
`,
			want: []string{`plugins[name="rate-limiting"].config.minute: want 5, got 6`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Differences(target, decode(t, tt.current), Options{IgnoreIDs: true})
			if !slices.Equal(got, tt.want) {
				t.Errorf("Differences:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

package diff

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/snapshot"
)

var (
	s = kong.String
	n = kong.Int
	b = kong.Bool
)

func strs(v ...string) []*string { return kong.StringSlice(v...) }

// testPEM is a PEM block with a made-up body: digests only need its bytes.
const testPEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0czAK\n-----END CERTIFICATE-----\n"
const otherPEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUT3RoZXJDZXJ0aWZpY2F0ZUZvclRlc3Rz\n-----END CERTIFICATE-----\n"

// base returns a small gateway with one entity of each parent kind, all with ids.
func base() *snapshot.Snapshot {
	return &snapshot.Snapshot{
		Certificates:   []*kong.Certificate{{ID: s("cert-1"), Cert: s(testPEM), Key: s("cert-key-secret")}},
		CACertificates: []*kong.CACertificate{{ID: s("ca-1"), Cert: s(testPEM)}},
		Consumers:      []*kong.Consumer{{ID: s("c-1"), Username: s("alice")}},
		KeySets:        []*kong.KeySet{{ID: s("ks-1"), Name: s("jwks")}},
		Services:       []*kong.Service{{ID: s("s-1"), Name: s("billing"), Host: s("billing.internal"), Port: n(80)}},
		Upstreams:      []*kong.Upstream{{ID: s("u-1"), Name: s("billing-up")}},
		Routes: []*kong.Route{{
			ID: s("r-1"), Name: s("orders"), Paths: strs("/orders"), Service: &kong.Service{ID: s("s-1")},
		}},
	}
}

// with returns base plus the given entities.
func with(entities ...any) *snapshot.Snapshot {
	snap := base()
	for _, e := range entities {
		if _, err := snap.Add(e); err != nil {
			panic(err)
		}
	}
	return snap
}

// render prints changes one per line, fields indented below, values as JSON: what a test compares against.
func render(changes Changes) string {
	var out strings.Builder
	for _, ch := range changes {
		fmt.Fprintf(&out, "%s %s %s", ch.Action, ch.Kind, ch.Identity)
		if ch.ScopeChanged {
			out.WriteString(" [scope changed]")
		}
		out.WriteString("\n")
		for _, f := range ch.Fields {
			fmt.Fprintf(&out, "  %s %s", f.Path, f.Kind)
			if f.Secret {
				out.WriteString(" (secret)")
			}
			if f.From != nil || f.To != nil {
				fmt.Fprintf(&out, ": %s -> %s", jsonOf(f.From), jsonOf(f.To))
			}
			out.WriteString("\n")
		}
	}
	return out.String()
}

func jsonOf(v any) string {
	if v == nil {
		return "-"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func lines(l ...string) string {
	if len(l) == 0 {
		return ""
	}
	return strings.Join(l, "\n") + "\n"
}

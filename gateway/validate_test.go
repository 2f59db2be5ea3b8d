package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway"
)

// TestValidateAsksTheGatewayAndWritesNothing checks entities with the gateway's own schema validation: accepted
// ones pass (even those referencing parents that do not exist yet, and those carrying the options a write strips),
// rejected ones fail with ErrInvalid and Kong's message naming the field, and nothing but validation requests is
// sent.
func TestValidateAsksTheGatewayAndWritesNothing(t *testing.T) {
	s := newSim(t)
	c := open(t, testConnection(s.url))
	certPEM, keyPEM := selfSigned(t, "api.example.test", false)
	route := &kong.Route{ID: kong.String(uuid(1, 1))}
	for _, tc := range []struct {
		name   string
		entity any
		says   string // "" when accepted
	}{
		{name: "service", entity: &kong.Service{ID: kong.String(uuid(2, 1)), Name: kong.String("orders"), Host: kong.String("orders.internal")}},
		{name: "plugin on a route not created yet", entity: &kong.Plugin{ID: kong.String(uuid(3, 1)), Name: kong.String("key-auth"), Route: route}},
		{name: "certificate with its snis", entity: &kong.Certificate{ID: kong.String(uuid(4, 1)), Cert: kong.String(certPEM),
			Key: kong.String(keyPEM), SNIs: kong.StringSlice("api.example.test")}},
		{name: "key-auth with a ttl", entity: &kong.KeyAuth{ID: kong.String(uuid(5, 1)), Key: kong.String("k-123456"), TTL: kong.Int(60),
			Consumer: &kong.Consumer{ID: kong.String(uuid(6, 1))}}},
		{name: "unknown plugin config field", entity: &kong.Plugin{Name: kong.String("cors"), Route: route,
			Config: kong.Configuration{"colour": "red"}}, says: "config.colour: unknown field"},
		{name: "plugin not installed", entity: &kong.Plugin{Name: kong.String("openid-connect")}, says: "openid-connect"},
		{name: "service without a host", entity: &kong.Service{Name: kong.String("broken")}, says: "host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetRequests()
			err := c.Validate(context.Background(), tc.entity)
			switch {
			case tc.says == "" && err != nil:
				t.Fatalf("Validate = %v, want accepted", err)
			case tc.says != "" && (!errors.Is(err, gateway.ErrInvalid) || !strings.Contains(err.Error(), tc.says)):
				t.Fatalf("Validate = %v, want ErrInvalid saying %q", err, tc.says)
			}
			for _, r := range s.Requests() {
				if r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/schemas/") || !strings.HasSuffix(r.Path, "/validate") {
					t.Errorf("Validate sent %s %s", r.Method, r.Path)
				}
			}
		})
	}
	live, err := c.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := live.Len(); n != 0 {
		t.Errorf("validation left %d entities on the gateway", n)
	}
}

func TestAvailablePluginsComeFromTheHandshake(t *testing.T) {
	c := open(t, testConnection(newSim(t).url))
	plugins := c.AvailablePlugins()
	if !plugins["key-auth"] || !plugins["rate-limiting"] || plugins["openid-connect"] {
		t.Errorf("available plugins = %v", plugins)
	}
}

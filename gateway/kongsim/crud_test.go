package kongsim_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

func TestHandshake(t *testing.T) {
	h := newHarness(t)
	root, err := h.client.Root(ctx(t))
	if err != nil {
		t.Fatalf("Root: %v", err)
	}
	if root["version"] != "3.9.1" || root["edition"] != "community" {
		t.Errorf("version %v edition %v, want 3.9.1 community", root["version"], root["edition"])
	}
	conf := root["configuration"].(map[string]any)
	if conf["database"] != "postgres" || conf["role"] != "traditional" || conf["router_flavor"] != "traditional_compatible" {
		t.Errorf("configuration = %v", conf)
	}
	available := root["plugins"].(map[string]any)["available_on_server"].(map[string]any)
	if _, ok := available["rate-limiting"]; !ok {
		t.Errorf("rate-limiting missing from available_on_server")
	}
	for _, path := range []string{"/", "/status", "/nope", "/services"} {
		_, _, hdr := h.callHeader(http.MethodGet, path, nil)
		if got := hdr.Get("Server"); got != "kong/3.9.1" {
			t.Errorf("GET %s Server header = %q, want kong/3.9.1", path, got)
		}
	}
	status := h.must(http.StatusOK, http.MethodGet, "/status", nil)
	if status["database"].(map[string]any)["reachable"] != true {
		t.Errorf("status = %v", status)
	}
}

func TestServicesAndRoutes(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	svc, err := h.client.Services.Create(c, &kong.Service{Name: kong.String("svc"), URL: kong.String("https://example.com:8443/api")})
	if err != nil {
		t.Fatalf("creating service: %v", err)
	}
	if *svc.Protocol != "https" || *svc.Host != "example.com" || *svc.Port != 8443 || *svc.Path != "/api" || *svc.Retries != 5 {
		t.Errorf("service = %+v", svc)
	}
	raw := h.must(http.StatusOK, http.MethodGet, "/services/svc", nil)
	for _, field := range []string{"tls_verify", "client_certificate", "ca_certificates", "tags"} {
		if v, ok := raw[field]; !ok || v != nil {
			t.Errorf("service field %s = %v (present %v), want null", field, v, ok)
		}
	}
	if _, ok := raw["url"]; ok {
		t.Errorf("url is write-only but was returned")
	}
	route, err := h.client.Routes.CreateInService(c, svc.ID, &kong.Route{Name: kong.String("r1"), Paths: kong.StringSlice("/a")})
	if err != nil {
		t.Fatalf("creating route: %v", err)
	}
	if *route.Service.ID != *svc.ID || !*route.StripPath || *route.HTTPSRedirectStatusCode != 426 {
		t.Errorf("route = %+v", route)
	}
	route.Paths = kong.StringSlice("/b")
	if _, err := h.client.Routes.Update(c, route); err != nil {
		t.Fatalf("updating route: %v", err)
	}
	got, err := h.client.Routes.Get(c, kong.String("r1"))
	if err != nil || *got.Paths[0] != "/b" {
		t.Fatalf("route after update = %+v, %v", got, err)
	}
	svcOfRoute, err := h.client.Services.GetForRoute(c, route.ID)
	if err != nil || *svcOfRoute.ID != *svc.ID {
		t.Fatalf("GetForRoute = %+v, %v", svcOfRoute, err)
	}
	routes, _, err := h.client.Routes.ListForService(c, svc.Name, nil)
	if err != nil || len(routes) != 1 {
		t.Fatalf("ListForService = %d routes, %v", len(routes), err)
	}
	if err := h.client.Routes.Delete(c, kong.String("r1")); err != nil {
		t.Fatalf("deleting route: %v", err)
	}
	if err := h.client.Services.Delete(c, kong.String("svc")); err != nil {
		t.Fatalf("deleting service: %v", err)
	}
	if _, err := h.client.Services.Get(c, kong.String("svc")); !kong.IsNotFoundErr(err) {
		t.Fatalf("service after delete: %v, want not found", err)
	}
}

func TestPutUpsert(t *testing.T) {
	h := newHarness(t)
	const id = "9f6b6a4e-1f1c-4d3e-8a55-0d9d2b0c0a01"
	tests := []struct {
		name   string
		path   string
		body   map[string]any
		wantID string
	}{
		{name: "by id creates", path: "/services/" + id, body: map[string]any{"name": "a", "host": "a.test"}, wantID: id},
		{name: "by id replaces, omitted fields reset", path: "/services/" + id, body: map[string]any{"name": "a", "host": "b.test"}, wantID: id},
		{name: "by name keeps the id", path: "/services/a", body: map[string]any{"host": "c.test", "retries": 1}, wantID: id},
		{name: "by new name creates", path: "/services/fresh", body: map[string]any{"host": "d.test"}},
		{name: "url id wins over body id", path: "/consumers/" + id, body: map[string]any{"id": "00000000-0000-4000-8000-000000000000", "username": "u"}, wantID: id},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			out := h.must(http.StatusOK, http.MethodPut, tt.path, tt.body)
			if tt.wantID != "" && out["id"] != tt.wantID {
				t.Errorf("id = %v, want %s", out["id"], tt.wantID)
			}
			if host, ok := tt.body["host"]; ok && out["host"] != host {
				t.Errorf("host = %v, want %v", out["host"], host)
			}
			if _, ok := tt.body["retries"]; !ok && tt.body["host"] != nil && out["retries"] != float64(5) {
				t.Errorf("retries = %v, want default 5 after full replace", out["retries"])
			}
		})
	}
	h.t = t
	h.must(http.StatusOK, http.MethodPut, "/services/"+id, map[string]any{"name": "a", "host": "a.test", "retries": 9})
	out := h.must(http.StatusOK, http.MethodPut, "/services/"+id, map[string]any{"name": "a", "host": "a.test"})
	if out["retries"] != float64(5) {
		t.Errorf("PUT without retries kept %v, want default 5", out["retries"])
	}
	fresh := h.must(http.StatusOK, http.MethodGet, "/services/fresh", nil)
	conflict := h.must(http.StatusConflict, http.MethodPut, "/services/"+fresh["id"].(string), map[string]any{"host": "x", "name": "a"})
	if conflict["code"] != float64(5) {
		t.Errorf("PUT clashing on name = %v", conflict)
	}
}

func TestConsumersAndCredentials(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	consumer, err := h.client.Consumers.Create(c, &kong.Consumer{Username: kong.String("alice"), CustomID: kong.String("a-1")})
	if err != nil {
		t.Fatalf("creating consumer: %v", err)
	}
	byCustom, err := h.client.Consumers.GetByCustomID(c, kong.String("a-1"))
	if err != nil || *byCustom.ID != *consumer.ID {
		t.Fatalf("GetByCustomID = %+v, %v", byCustom, err)
	}
	empty := h.must(http.StatusOK, http.MethodGet, "/consumers?custom_id=none", nil)
	if len(empty["data"].([]any)) != 0 || empty["next"] != nil {
		t.Errorf("custom_id miss = %v", empty)
	}

	ka, err := h.client.KeyAuths.Create(c, consumer.Username, &kong.KeyAuth{})
	if err != nil || ka.Key == nil || len(*ka.Key) < 20 {
		t.Fatalf("key-auth = %+v, %v; want a generated key", ka, err)
	}
	ba, err := h.client.BasicAuths.Create(c, consumer.ID, &kong.BasicAuth{Username: kong.String("al"), Password: kong.String("secret")})
	if err != nil {
		t.Fatalf("basic-auth: %v", err)
	}
	// hex(sha1("secret" .. consumer id)), as kong/plugins/basic-auth/crypto.lua stores it
	if want := sha1Hex("secret" + *consumer.ID); *ba.Password != want {
		t.Errorf("basic-auth password = %s, want %s", *ba.Password, want)
	}
	hm, err := h.client.HMACAuths.Create(c, consumer.ID, &kong.HMACAuth{Username: kong.String("hm")})
	if err != nil || hm.Secret == nil || *hm.Secret == "" {
		t.Fatalf("hmac-auth = %+v, %v; want a generated secret", hm, err)
	}
	rsaPub := testRSAPublicKey(t)
	jwt, err := h.client.JWTAuths.Create(c, consumer.ID, &kong.JWTAuth{Algorithm: kong.String("RS256"), RSAPublicKey: kong.String(rsaPub)})
	if err != nil || jwt.Key == nil || jwt.Secret == nil {
		t.Fatalf("jwt = %+v, %v; want generated key and secret", jwt, err)
	}
	acl, err := h.client.ACLs.Create(c, consumer.ID, &kong.ACLGroup{Group: kong.String("admins")})
	if err != nil || *acl.Group != "admins" {
		t.Fatalf("acl = %+v, %v", acl, err)
	}
	oauth, err := h.client.Oauth2Credentials.Create(c, consumer.ID, &kong.Oauth2Credential{Name: kong.String("app"), RedirectURIs: kong.StringSlice("https://app.test/cb")})
	if err != nil || oauth.ClientID == nil || oauth.ClientSecret == nil || *oauth.ClientType != "confidential" {
		t.Fatalf("oauth2 = %+v, %v", oauth, err)
	}

	cred := h.must(http.StatusOK, http.MethodGet, "/consumers/alice/key-auth/"+*ka.ID, nil)
	if _, ok := cred["updated_at"]; ok {
		t.Errorf("credentials carry only created_at, got updated_at")
	}
	for _, path := range []string{"/key-auths", "/basic-auths", "/hmac-auths", "/jwts", "/acls", "/oauth2"} {
		list := h.must(http.StatusOK, http.MethodGet, path, nil)
		if n := len(list["data"].([]any)); n != 1 {
			t.Errorf("GET %s = %d credentials, want 1", path, n)
		}
	}
	other := h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": "bob"})
	h.must(http.StatusNotFound, http.MethodGet, "/consumers/bob/key-auth/"+*ka.ID, nil)
	h.must(http.StatusNotFound, http.MethodDelete, "/consumers/"+other["id"].(string)+"/acls/"+*acl.ID, nil)

	updated, err := h.client.BasicAuths.Update(c, consumer.ID, &kong.BasicAuth{ID: ba.ID, Password: ba.Password})
	if err != nil {
		t.Fatalf("re-sending the stored hash: %v", err)
	}
	if *updated.Password != sha1Hex(*ba.Password+*consumer.ID) {
		t.Errorf("re-sent hash stored as %s; Kong hashes every password it is given", *updated.Password)
	}

	if err := h.client.Consumers.Delete(c, consumer.ID); err != nil {
		t.Fatalf("deleting consumer: %v", err)
	}
	for _, path := range []string{"/key-auths", "/basic-auths", "/hmac-auths", "/jwts", "/acls", "/oauth2"} {
		list := h.must(http.StatusOK, http.MethodGet, path, nil)
		if n := len(list["data"].([]any)); n != 0 {
			t.Errorf("GET %s after consumer delete = %d credentials, want 0", path, n)
		}
	}
}

func TestPlugins(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	svc := h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "svc", "host": "up.test"})
	plugin, err := h.client.Plugins.CreateForService(c, kong.String("svc"), &kong.Plugin{
		Name: kong.String("rate-limiting"), Config: kong.Configuration{"minute": 10},
	})
	if err != nil {
		t.Fatalf("creating plugin: %v", err)
	}
	if plugin.Config["policy"] != "local" || plugin.Config["minute"] != float64(10) || !*plugin.Enabled {
		t.Errorf("plugin config = %v", plugin.Config)
	}
	if len(plugin.Protocols) != 4 {
		t.Errorf("protocols = %v, want the 4 defaults", stringValues(plugin.Protocols))
	}
	patched := h.must(http.StatusOK, http.MethodPatch, "/plugins/"+*plugin.ID, map[string]any{"config": map[string]any{"hour": 100}})
	cfg := patched["config"].(map[string]any)
	if cfg["minute"] != float64(10) || cfg["hour"] != float64(100) {
		t.Errorf("PATCH config did not merge: %v", cfg)
	}
	dup := h.must(http.StatusConflict, http.MethodPost, "/services/svc/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 1}})
	wantMsg := `UNIQUE violation detected on '{consumer=null,name="rate-limiting",route=null,service={id="` + svc["id"].(string) + `"}}'`
	if dup["message"] != wantMsg || dup["code"] != float64(5) {
		t.Errorf("duplicate plugin = %v\nwant message %s", dup, wantMsg)
	}
	global := h.must(http.StatusCreated, http.MethodPost, "/plugins", map[string]any{"name": "correlation-id", "instance_name": "corr"})
	h.must(http.StatusOK, http.MethodGet, "/plugins/corr", nil)
	h.must(http.StatusConflict, http.MethodPost, "/services/svc/plugins", map[string]any{"name": "correlation-id", "instance_name": "corr"})
	forSvc, err := h.client.Plugins.ListAllForService(c, kong.String("svc"))
	if err != nil || len(forSvc) != 1 {
		t.Fatalf("ListAllForService = %d, %v", len(forSvc), err)
	}
	h.must(http.StatusNotFound, http.MethodGet, "/services/svc/plugins/"+global["id"].(string), nil)
	root := h.must(http.StatusOK, http.MethodGet, "/", nil)
	inUse := root["plugins"].(map[string]any)["enabled_in_cluster"].([]any)
	if len(inUse) != 2 {
		t.Errorf("enabled_in_cluster = %v, want 2 names", inUse)
	}
	h.must(http.StatusNoContent, http.MethodDelete, "/services/svc", nil)
	h.must(http.StatusNotFound, http.MethodGet, "/plugins/"+*plugin.ID, nil)
}

func TestUpstreamsAndTargets(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	up, err := h.client.Upstreams.Create(c, &kong.Upstream{Name: kong.String("up")})
	if err != nil {
		t.Fatalf("creating upstream: %v", err)
	}
	if *up.Algorithm != "round-robin" || *up.Slots != 10000 || up.Healthchecks == nil {
		t.Errorf("upstream defaults = %+v", up)
	}
	const targetID = "3a5d0a4e-9c1b-4d8e-8f00-1a2b3c4d5e6f"
	h.sim.ResetRequests()
	target, err := h.client.Targets.Create(c, up.Name, &kong.Target{ID: kong.String(targetID), Target: kong.String("10.0.0.1")})
	if err != nil {
		t.Fatalf("go-kong target create: %v", err)
	}
	if *target.ID != targetID || *target.Target != "10.0.0.1:8000" || *target.Weight != 100 {
		t.Errorf("target = %+v", target)
	}
	reqs := h.sim.Requests()
	if len(reqs) != 2 || reqs[0].Method != http.MethodPut || reqs[0].Status != http.StatusNotFound ||
		reqs[1].Method != http.MethodPost || reqs[1].Status != http.StatusCreated {
		t.Errorf("target create requests = %+v, want PUT 404 then POST 201", reqs)
	}
	dup := h.must(http.StatusConflict, http.MethodPost, "/upstreams/up/targets", map[string]any{"target": "10.0.0.1:8000"})
	if dup["code"] != float64(5) {
		t.Errorf("duplicate target = %v", dup)
	}
	h.must(http.StatusBadRequest, http.MethodPost, "/upstreams/up/targets", map[string]any{"target": "a.test", "weight": 70000})
	h.must(http.StatusCreated, http.MethodPost, "/upstreams/up/targets", map[string]any{"target": "[::1]:81"})
	h.must(http.StatusOK, http.MethodGet, "/upstreams/up/targets/10.0.0.1:8000", nil)
	h.must(http.StatusOK, http.MethodPatch, "/upstreams/up/targets/"+targetID, map[string]any{"weight": 5})
	targets, err := h.client.Targets.ListAll(c, up.Name)
	if err != nil || len(targets) != 2 {
		t.Fatalf("ListAll targets = %d, %v", len(targets), err)
	}
	if *targets[0].Target != "[0000:0000:0000:0000:0000:0000:0000:0001]:81" {
		t.Errorf("targets not newest first / not normalised: first = %s", *targets[0].Target)
	}
	h.must(http.StatusNotFound, http.MethodGet, "/targets", nil)
	h.must(http.StatusNoContent, http.MethodDelete, "/upstreams/up", nil)
	h.must(http.StatusNotFound, http.MethodGet, "/upstreams/up/targets", nil)
}

func TestCertificatesAndSNIs(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	cert, key := testCert(t, "a.test")
	created, err := h.client.Certificates.Create(c, &kong.Certificate{Cert: kong.String(cert), Key: kong.String(key), SNIs: kong.StringSlice("b.test", "a.test")})
	if err != nil {
		t.Fatalf("creating certificate: %v", err)
	}
	if got := stringValues(created.SNIs); len(got) != 2 || got[0] != "a.test" {
		t.Errorf("snis = %v, want sorted [a.test b.test]", got)
	}
	sni, err := h.client.SNIs.Get(c, kong.String("a.test"))
	if err != nil || *sni.Certificate.ID != *created.ID {
		t.Fatalf("sni = %+v, %v", sni, err)
	}
	h.must(http.StatusOK, http.MethodGet, "/certificates/b.test", nil)
	h.must(http.StatusOK, http.MethodPatch, "/certificates/"+*created.ID, map[string]any{"snis": []string{"c.test"}})
	list := h.must(http.StatusOK, http.MethodGet, "/certificates/"+*created.ID+"/snis", nil)
	if data := list["data"].([]any); len(data) != 1 || data[0].(map[string]any)["name"] != "c.test" {
		t.Errorf("snis after PATCH = %v", data)
	}
	other, otherKey := testCert(t, "o.test")
	clash := h.must(http.StatusBadRequest, http.MethodPost, "/certificates", map[string]any{"cert": other, "key": otherKey, "snis": []string{"c.test"}})
	if clash["message"] != "schema violation (snis: c.test already associated with existing certificate '"+*created.ID+"')" {
		t.Errorf("clashing sni = %v", clash)
	}

	svc := h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "s", "host": "x.test", "protocol": "https", "client_certificate": map[string]any{"id": *created.ID}})
	refused := h.must(http.StatusBadRequest, http.MethodDelete, "/certificates/"+*created.ID, nil)
	if refused["code"] != float64(4) || refused["message"] != "an existing 'services' entity references this 'certificates' entity" {
		t.Errorf("delete referenced certificate = %v", refused)
	}
	// Kong has deleted the SNIs before the service refused the certificate's delete.
	h.must(http.StatusNotFound, http.MethodGet, "/snis/c.test", nil)
	if kept := h.must(http.StatusOK, http.MethodGet, "/certificates/"+*created.ID, nil); len(kept["snis"].([]any)) != 0 {
		t.Errorf("certificate kept snis %v after its refused delete", kept["snis"])
	}
	h.must(http.StatusNoContent, http.MethodDelete, "/services/"+svc["id"].(string), nil)
	h.must(http.StatusNoContent, http.MethodDelete, "/certificates/"+*created.ID, nil)
	if snis := h.must(http.StatusOK, http.MethodGet, "/snis", nil)["data"].([]any); len(snis) != 0 {
		t.Errorf("snis after certificate delete = %v", snis)
	}

	ca, err := h.client.CACertificates.Create(c, &kong.CACertificate{Cert: kong.String(cert)})
	if err != nil || ca.CertDigest == nil || len(*ca.CertDigest) != 64 {
		t.Fatalf("ca certificate = %+v, %v", ca, err)
	}
	h.must(http.StatusConflict, http.MethodPost, "/ca_certificates", map[string]any{"cert": cert})
	user := h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "t", "host": "x.test", "protocol": "https", "ca_certificates": []string{*ca.ID}})
	inUse := h.must(http.StatusBadRequest, http.MethodDelete, "/ca_certificates/"+*ca.ID, nil)
	want := "ca certificate " + *ca.ID + " is still referenced by services (id = " + user["id"].(string) + ")"
	if inUse["code"] != float64(19) || inUse["message"] != want {
		t.Errorf("delete referenced ca certificate = %v", inUse)
	}
}

func TestVaultsAndKeys(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	vault, err := h.client.Vaults.Create(c, &kong.Vault{Name: kong.String("env"), Prefix: kong.String("my-env"), Config: kong.Configuration{"prefix": "SECRET_"}})
	if err != nil {
		t.Fatalf("creating vault: %v", err)
	}
	if got, err := h.client.Vaults.Get(c, kong.String("my-env")); err != nil || *got.ID != *vault.ID {
		t.Fatalf("vault by prefix = %+v, %v", got, err)
	}
	set, err := h.client.KeySets.Create(c, &kong.KeySet{Name: kong.String("set")})
	if err != nil {
		t.Fatalf("creating key set: %v", err)
	}
	jwk := `{"kty":"oct","kid":"k1","k":"c2VjcmV0"}`
	key, err := h.client.Keys.Create(c, &kong.Key{Name: kong.String("k1"), KID: kong.String("k1"), JWK: kong.String(jwk), Set: &kong.KeySet{ID: set.ID}})
	if err != nil {
		t.Fatalf("creating key: %v", err)
	}
	h.must(http.StatusOK, http.MethodGet, "/key-sets/set/keys/"+*key.ID, nil)
	h.must(http.StatusNoContent, http.MethodDelete, "/key-sets/set", nil)
	h.must(http.StatusNotFound, http.MethodGet, "/keys/"+*key.ID, nil)
	h.must(http.StatusNoContent, http.MethodDelete, "/vaults/my-env", nil)
}

// TestJWTDefaultsToHS256 fails while package schema enforces jwt's rsa_public_key conditional for every
// algorithm (its match_any patterns are not applied); Kong requires the key only for RS*, PS* and EdDSA.
func TestJWTDefaultsToHS256(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": "a"})
	jwt := h.must(http.StatusCreated, http.MethodPost, "/consumers/a/jwt", map[string]any{})
	if jwt["algorithm"] != "HS256" || jwt["key"] == nil || jwt["secret"] == nil {
		t.Errorf("jwt = %v, want algorithm HS256 with generated key and secret", jwt)
	}
}

func TestKeyAuthTTL(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	sim := kongsim.New(kongsim.Options{Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	h := &harness{t: t, sim: sim, url: srv.URL}
	h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": "a"})
	cred := h.must(http.StatusCreated, http.MethodPost, "/consumers/a/key-auth", map[string]any{"key": "k1", "ttl": 10})
	if cred["ttl"] != float64(10) || cred["created_at"] != float64(1_700_000_000) {
		t.Errorf("key-auth with ttl = %v", cred)
	}
	plain := h.must(http.StatusCreated, http.MethodPost, "/consumers/a/key-auth", map[string]any{"key": "k2"})
	if v, ok := plain["ttl"]; !ok || v != nil {
		t.Errorf("key-auth without ttl: ttl = %v (present %v), want null", v, ok)
	}
	mu.Lock()
	now = now.Add(11 * time.Second)
	mu.Unlock()
	h.must(http.StatusNotFound, http.MethodGet, "/consumers/a/key-auth/k1", nil)
	if n := len(h.must(http.StatusOK, http.MethodGet, "/key-auths", nil)["data"].([]any)); n != 1 {
		t.Errorf("%d key-auths listed after one expired, want 1", n)
	}
}

// TestEnabledInClusterFollowsChanges holds GET /'s remembered plugins.enabled_in_cluster to the plugins table:
// a plugin added, and the last of a name deleted, show in the next GET /.
func TestEnabledInClusterFollowsChanges(t *testing.T) {
	h := newHarness(t)
	inUse := func() []any {
		root := h.must(http.StatusOK, http.MethodGet, "/", nil)
		return root["plugins"].(map[string]any)["enabled_in_cluster"].([]any)
	}
	if got := inUse(); len(got) != 0 {
		t.Fatalf("enabled_in_cluster of an empty gateway = %v", got)
	}
	cors := h.must(http.StatusCreated, http.MethodPost, "/plugins", map[string]any{"name": "cors"})
	if got := inUse(); !reflect.DeepEqual(got, []any{"cors"}) {
		t.Fatalf("enabled_in_cluster after adding cors = %v", got)
	}
	h.must(http.StatusCreated, http.MethodPost, "/plugins", map[string]any{"name": "key-auth"})
	if got := inUse(); len(got) != 2 {
		t.Fatalf("enabled_in_cluster after adding key-auth = %v", got)
	}
	h.must(http.StatusNoContent, http.MethodDelete, "/plugins/"+cors["id"].(string), nil)
	if got := inUse(); !reflect.DeepEqual(got, []any{"key-auth"}) {
		t.Fatalf("enabled_in_cluster after deleting cors = %v", got)
	}
}

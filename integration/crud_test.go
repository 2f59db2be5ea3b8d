//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
)

func TestServicesAndRoutes(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	svc, err := k.client.Services.Create(c, &kong.Service{Name: kong.String(k.name("svc")), URL: kong.String("https://example.com:8443/api")})
	if err != nil {
		t.Fatalf("creating service: %v", err)
	}
	k.cleanup("/services/" + *svc.ID)
	if *svc.Protocol != "https" || *svc.Host != "example.com" || *svc.Port != 8443 || *svc.Path != "/api" {
		t.Errorf("service from url = %s://%s:%d%s, want https://example.com:8443/api", *svc.Protocol, *svc.Host, *svc.Port, *svc.Path)
	}
	raw := k.must(http.StatusOK, http.MethodGet, "/services/"+k.name("svc"), nil)
	checkFields(t, "service", raw, map[string]any{
		"retries": 5, "connect_timeout": 60000, "write_timeout": 60000, "read_timeout": 60000, "enabled": true,
		"tls_verify": nil, "tls_verify_depth": nil, "client_certificate": nil, "ca_certificates": nil, "tags": nil,
	})
	if _, ok := raw["url"]; ok {
		t.Errorf("service carries the write-only url: %v", raw["url"])
	}
	for _, field := range []string{"created_at", "updated_at"} {
		if v, ok := raw[field].(float64); !ok || v != float64(int64(v)) || v < 1.6e9 {
			t.Errorf("service %s = %v, want integer seconds", field, raw[field])
		}
	}

	route, err := k.client.Routes.CreateInService(c, svc.ID, &kong.Route{Name: kong.String(k.name("r1")), Paths: kong.StringSlice("/" + k.prefix)})
	if err != nil {
		t.Fatalf("creating route: %v", err)
	}
	k.cleanup("/routes/" + *route.ID)
	rawRoute := k.must(http.StatusOK, http.MethodGet, "/routes/"+*route.ID, nil)
	checkFields(t, "route", rawRoute, map[string]any{
		"protocols": []string{"http", "https"}, "https_redirect_status_code": 426, "strip_path": true,
		"preserve_host": false, "request_buffering": true, "response_buffering": true, "regex_priority": 0,
		"path_handling": "v0", "service": map[string]any{"id": *svc.ID}, "methods": nil, "hosts": nil,
		"headers": nil, "snis": nil, "sources": nil, "destinations": nil, "tags": nil,
	})

	route.Paths = kong.StringSlice("/" + k.prefix + "/b")
	if _, err := k.client.Routes.Update(c, route); err != nil {
		t.Fatalf("updating route: %v", err)
	}
	got, err := k.client.Routes.Get(c, route.Name)
	if err != nil || *got.Paths[0] != "/"+k.prefix+"/b" {
		t.Fatalf("route after update = %+v, %v", got, err)
	}
	svcOfRoute, err := k.client.Services.GetForRoute(c, route.ID)
	if err != nil || *svcOfRoute.ID != *svc.ID {
		t.Fatalf("GetForRoute = %+v, %v", svcOfRoute, err)
	}
	routes, _, err := k.client.Routes.ListForService(c, svc.Name, nil)
	if err != nil || len(routes) != 1 || *routes[0].ID != *route.ID {
		t.Fatalf("ListForService = %d routes, %v; want the one route", len(routes), err)
	}
	k.must(http.StatusOK, http.MethodGet, "/services/"+*svc.Name+"/routes/"+*route.Name, nil)

	if err := k.client.Routes.Delete(c, route.Name); err != nil {
		t.Fatalf("deleting route: %v", err)
	}
	if err := k.client.Services.Delete(c, svc.Name); err != nil {
		t.Fatalf("deleting service: %v", err)
	}
	if _, err := k.client.Services.Get(c, svc.Name); !kong.IsNotFoundErr(err) {
		t.Fatalf("service after delete: %v, want not found", err)
	}
}

func TestPutUpsert(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	id := newUUID(t)
	consumerID := newUUID(t)
	k.cleanup("/services/" + id)
	k.cleanup("/services/" + k.name("fresh"))
	k.cleanup("/consumers/" + consumerID)
	tests := []struct {
		name   string
		path   string
		body   map[string]any
		wantID string
	}{
		{name: "by id creates", path: "/services/" + id, body: map[string]any{"name": k.name("a"), "host": "a.test"}, wantID: id},
		{name: "by id replaces", path: "/services/" + id, body: map[string]any{"name": k.name("a"), "host": "b.test"}, wantID: id},
		{name: "by name keeps the id", path: "/services/" + k.name("a"), body: map[string]any{"host": "c.test", "retries": 1}, wantID: id},
		{name: "by new name creates", path: "/services/" + k.name("fresh"), body: map[string]any{"host": "d.test"}},
		{name: "url id wins over body id", path: "/consumers/" + consumerID, body: map[string]any{"id": newUUID(t), "username": k.name("u")}, wantID: consumerID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := k.in(t).must(http.StatusOK, http.MethodPut, tt.path, tt.body)
			if tt.wantID != "" && out["id"] != tt.wantID {
				t.Errorf("id = %v, want %s", out["id"], tt.wantID)
			}
			if host, ok := tt.body["host"]; ok && out["host"] != host {
				t.Errorf("host = %v, want %v", out["host"], host)
			}
		})
	}
	k.must(http.StatusOK, http.MethodPut, "/services/"+id, map[string]any{"name": k.name("a"), "host": "a.test", "retries": 9})
	out := k.must(http.StatusOK, http.MethodPut, "/services/"+id, map[string]any{"name": k.name("a"), "host": "a.test"})
	if out["retries"] != float64(5) {
		t.Errorf("PUT without retries kept %v; a PUT is a full replace, want the default 5", out["retries"])
	}
	patched := k.must(http.StatusOK, http.MethodPatch, "/services/"+id, map[string]any{"retries": 2})
	if patched["retries"] != float64(2) || patched["host"] != "a.test" {
		t.Errorf("PATCH = retries %v host %v, want 2 and the host kept", patched["retries"], patched["host"])
	}
	fresh := k.must(http.StatusOK, http.MethodGet, "/services/"+k.name("fresh"), nil)
	conflict := k.must(http.StatusConflict, http.MethodPut, "/services/"+fresh["id"].(string), map[string]any{"host": "x.test", "name": k.name("a")})
	checkFields(t, "PUT clashing on name", conflict, map[string]any{
		"code": 5, "name": "unique constraint violation", "message": `UNIQUE violation detected on '{name="` + k.name("a") + `"}'`,
	})
}

func TestConsumersAndCredentials(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	consumer, err := k.client.Consumers.Create(c, &kong.Consumer{Username: kong.String(k.name("alice")), CustomID: kong.String(k.name("a-1"))})
	if err != nil {
		t.Fatalf("creating consumer: %v", err)
	}
	k.cleanup("/consumers/" + *consumer.ID)
	byCustom, err := k.client.Consumers.GetByCustomID(c, consumer.CustomID)
	if err != nil || *byCustom.ID != *consumer.ID {
		t.Fatalf("GetByCustomID = %+v, %v", byCustom, err)
	}
	empty := k.must(http.StatusOK, http.MethodGet, "/consumers?custom_id="+k.name("none"), nil)
	if len(data(empty)) != 0 || empty["next"] != nil {
		t.Errorf("custom_id miss = %v, want no data and next null", empty)
	}
	k.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"custom_id": k.name("only-custom")})
	k.cleanup("/consumers/" + k.must(http.StatusOK, http.MethodGet, "/consumers?custom_id="+k.name("only-custom"), nil)["data"].([]any)[0].(map[string]any)["id"].(string))
	noID := k.must(http.StatusBadRequest, http.MethodPost, "/consumers", map[string]any{"tags": []string{k.tag()}})
	checkFields(t, "consumer without username or custom_id", noID, map[string]any{
		"code": 2, "name": "schema violation",
		"message": "schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')",
		"fields":  map[string]any{"@entity": []string{"at least one of these fields must be non-empty: 'custom_id', 'username'"}},
	})

	ka, err := k.client.KeyAuths.Create(c, consumer.Username, &kong.KeyAuth{})
	if err != nil || ka.Key == nil || len(*ka.Key) < 20 {
		t.Fatalf("key-auth = %+v, %v; want a generated key", ka, err)
	}
	ba, err := k.client.BasicAuths.Create(c, consumer.ID, &kong.BasicAuth{Username: kong.String(k.name("al")), Password: kong.String("secret")})
	if err != nil {
		t.Fatalf("basic-auth: %v", err)
	}
	if want := sha1Hex("secret" + *consumer.ID); *ba.Password != want {
		t.Errorf("basic-auth password = %s, want hex(sha1(password .. consumer_id)) = %s", *ba.Password, want)
	}
	hm, err := k.client.HMACAuths.Create(c, consumer.ID, &kong.HMACAuth{Username: kong.String(k.name("hm"))})
	if err != nil || hm.Secret == nil || *hm.Secret == "" {
		t.Fatalf("hmac-auth = %+v, %v; want a generated secret", hm, err)
	}
	jwt, err := k.client.JWTAuths.Create(c, consumer.ID, &kong.JWTAuth{Algorithm: kong.String("RS256"), RSAPublicKey: kong.String(testRSAPublicKey(t))})
	if err != nil || jwt.Key == nil || jwt.Secret == nil {
		t.Fatalf("jwt = %+v, %v; want generated key and secret", jwt, err)
	}
	hs := k.must(http.StatusCreated, http.MethodPost, "/consumers/"+*consumer.ID+"/jwt", map[string]any{})
	if hs["algorithm"] != "HS256" || hs["key"] == nil || hs["secret"] == nil {
		t.Errorf("jwt without fields = %v, want algorithm HS256 with generated key and secret", hs)
	}
	rsNoKey := k.must(http.StatusBadRequest, http.MethodPost, "/consumers/"+*consumer.ID+"/jwt", map[string]any{"algorithm": "RS256"})
	if rsNoKey["code"] != float64(2) {
		t.Errorf("RS256 jwt without rsa_public_key = %v, want a schema violation", rsNoKey)
	}
	acl, err := k.client.ACLs.Create(c, consumer.ID, &kong.ACLGroup{Group: kong.String("admins")})
	if err != nil || *acl.Group != "admins" {
		t.Fatalf("acl = %+v, %v", acl, err)
	}
	oauth, err := k.client.Oauth2Credentials.Create(c, consumer.ID, &kong.Oauth2Credential{Name: kong.String("app"), RedirectURIs: kong.StringSlice("https://app.test/cb")})
	if err != nil || oauth.ClientID == nil || oauth.ClientSecret == nil {
		t.Fatalf("oauth2 = %+v, %v; want generated client_id and client_secret", oauth, err)
	}
	rawOAuth := k.must(http.StatusOK, http.MethodGet, "/consumers/"+*consumer.ID+"/oauth2/"+*oauth.ID, nil)
	checkFields(t, "oauth2", rawOAuth, map[string]any{"client_type": "confidential", "hash_secret": false, "tags": nil})

	cred := k.must(http.StatusOK, http.MethodGet, "/consumers/"+*consumer.Username+"/key-auth/"+*ka.ID, nil)
	if _, ok := cred["updated_at"]; ok {
		t.Errorf("key-auth has updated_at; credentials carry only created_at")
	}
	checkFields(t, "key-auth", cred, map[string]any{"consumer": map[string]any{"id": *consumer.ID}, "ttl": nil, "tags": nil})
	k.must(http.StatusOK, http.MethodGet, "/consumers/"+*consumer.ID+"/key-auth/"+*ka.Key, nil)

	lists := map[string]string{"/key-auths": *ka.ID, "/basic-auths": *ba.ID, "/hmac-auths": *hm.ID, "/jwts": *jwt.ID, "/acls": *acl.ID, "/oauth2": *oauth.ID}
	for path, id := range lists {
		k.must(http.StatusOK, http.MethodGet, path+"/"+id, nil)
	}
	nested := map[string]int{"key-auth": 1, "basic-auth": 1, "hmac-auth": 1, "jwt": 2, "acls": 1, "oauth2": 1}
	for kind, want := range nested {
		if n := len(data(k.must(http.StatusOK, http.MethodGet, "/consumers/"+*consumer.ID+"/"+kind, nil))); n != want {
			t.Errorf("GET /consumers/{c}/%s = %d credentials, want %d", kind, n, want)
		}
	}
	other := k.create("/consumers", map[string]any{"username": k.name("bob")}, "/consumers")
	k.must(http.StatusNotFound, http.MethodGet, "/consumers/"+other["id"].(string)+"/key-auth/"+*ka.ID, nil)

	if err := k.client.Consumers.Delete(c, consumer.ID); err != nil {
		t.Fatalf("deleting consumer: %v", err)
	}
	for path, id := range lists {
		k.must(http.StatusNotFound, http.MethodGet, path+"/"+id, nil)
	}
}

func TestCredentialUniqueness(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	consumer := k.create("/consumers", map[string]any{"username": k.name("c")}, "/consumers")
	base := "/consumers/" + consumer["id"].(string)
	tests := []struct {
		kind string
		body map[string]any
		key  string
	}{
		{kind: "key-auth", body: map[string]any{"key": k.name("key")}, key: `{key="` + k.name("key") + `"}`},
		{kind: "basic-auth", body: map[string]any{"username": k.name("user"), "password": "p"}, key: `{username="` + k.name("user") + `"}`},
		{kind: "hmac-auth", body: map[string]any{"username": k.name("hmac")}, key: `{username="` + k.name("hmac") + `"}`},
		{kind: "jwt", body: map[string]any{"key": k.name("jwt")}, key: `{key="` + k.name("jwt") + `"}`},
		{kind: "oauth2", body: map[string]any{"name": "app", "client_id": k.name("client")}, key: `{client_id="` + k.name("client") + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			kt := k.in(t)
			kt.must(http.StatusCreated, http.MethodPost, base+"/"+tt.kind, tt.body)
			dup := kt.must(http.StatusConflict, http.MethodPost, base+"/"+tt.kind, tt.body)
			checkFields(t, tt.kind+" twice", dup, map[string]any{
				"code": 5, "name": "unique constraint violation", "message": "UNIQUE violation detected on '" + tt.key + "'",
			})
		})
	}
}

func TestKeyAuthTTL(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	consumer := k.create("/consumers", map[string]any{"username": k.name("c")}, "/consumers")
	base := "/consumers/" + consumer["id"].(string) + "/key-auth"
	cred := k.must(http.StatusCreated, http.MethodPost, base, map[string]any{"key": k.name("k1"), "ttl": 2})
	if ttl, _ := cred["ttl"].(float64); ttl < 1 || ttl > 2 {
		t.Errorf("key-auth created with ttl 2 answers ttl %v, want the seconds left (1 or 2)", cred["ttl"])
	}
	k.must(http.StatusCreated, http.MethodPost, base, map[string]any{"key": k.name("k2")})
	time.Sleep(3500 * time.Millisecond)
	k.must(http.StatusNotFound, http.MethodGet, base+"/"+cred["id"].(string), nil)
	if n := len(data(k.must(http.StatusOK, http.MethodGet, base, nil))); n != 1 {
		t.Errorf("%d key-auths listed after one expired, want 1", n)
	}
}

func TestBasicAuthStoresHash(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	consumer := k.create("/consumers", map[string]any{"username": k.name("c")}, "/consumers")
	consumerID := consumer["id"].(string)
	credID := newUUID(t)
	path := "/consumers/" + consumerID + "/basic-auth/" + credID
	created := k.must(http.StatusOK, http.MethodPut, path, map[string]any{"username": k.name("u"), "password": "s3cret"})
	stored := sha1Hex("s3cret" + consumerID)
	if created["password"] != stored {
		t.Fatalf("stored password = %v, want hex(sha1(password .. consumer_id)) = %s", created["password"], stored)
	}
	if got := k.must(http.StatusOK, http.MethodGet, "/basic-auths/"+credID, nil); got["password"] != stored {
		t.Errorf("GET password = %v, want the stored hash %s", got["password"], stored)
	}
	// A restore would PUT the dumped hash back; Kong hashes it again, so the credential no longer matches.
	again := k.must(http.StatusOK, http.MethodPut, path, map[string]any{"username": k.name("u"), "password": stored})
	if want := sha1Hex(stored + consumerID); again["password"] != want {
		t.Errorf("PUT of the stored hash stored %v, want it hashed again: %s", again["password"], want)
	}
	patched, err := k.client.BasicAuths.Update(c, kong.String(consumerID), &kong.BasicAuth{ID: kong.String(credID), Password: kong.String(stored)})
	if err != nil {
		t.Fatalf("go-kong BasicAuths.Update: %v", err)
	}
	if want := sha1Hex(stored + consumerID); *patched.Password != want {
		t.Errorf("PATCH of the stored hash stored %s, want it hashed again: %s", *patched.Password, want)
	}
}

func TestPluginScopes(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	svc := k.create("/services", map[string]any{"name": k.name("svc"), "host": "up.test"}, "/services")
	svcID := svc["id"].(string)
	route := k.create("/services/"+svcID+"/routes", map[string]any{"name": k.name("r"), "paths": []string{"/" + k.prefix}}, "/routes")
	routeID := route["id"].(string)
	consumer := k.create("/consumers", map[string]any{"username": k.name("c")}, "/consumers")
	consumerID := consumer["id"].(string)

	forService, err := k.client.Plugins.CreateForService(c, kong.String(svcID), &kong.Plugin{Name: kong.String("rate-limiting"), Config: kong.Configuration{"minute": 10}})
	if err != nil {
		t.Fatalf("service plugin: %v", err)
	}
	k.cleanup("/plugins/" + *forService.ID)
	if forService.Config["policy"] != "local" || forService.Config["minute"] != float64(10) || forService.Config["hour"] != nil || !*forService.Enabled {
		t.Errorf("rate-limiting config = %v, want minute 10, policy local, hour null", forService.Config)
	}
	if got := strs(forService.Protocols); strings.Join(got, ",") != "grpc,grpcs,http,https" {
		t.Errorf("protocols = %v, want [grpc grpcs http https]", got)
	}
	forRoute, err := k.client.Plugins.CreateForRoute(c, kong.String(routeID), &kong.Plugin{Name: kong.String("key-auth")})
	if err != nil {
		t.Fatalf("route plugin: %v", err)
	}
	k.cleanup("/plugins/" + *forRoute.ID)
	if got := fmt.Sprint(forRoute.Config["key_names"]); got != "[apikey]" {
		t.Errorf("key-auth key_names = %v, want [apikey]", got)
	}
	forConsumer, err := k.client.Plugins.Create(c, &kong.Plugin{Name: kong.String("request-transformer"), Consumer: &kong.Consumer{ID: kong.String(consumerID)}})
	if err != nil {
		t.Fatalf("consumer plugin: %v", err)
	}
	k.cleanup("/plugins/" + *forConsumer.ID)
	both := k.create("/plugins", map[string]any{"name": "rate-limiting", "service": map[string]any{"id": svcID},
		"consumer": map[string]any{"id": consumerID}, "config": map[string]any{"second": 5}}, "/plugins")
	routeConsumer := k.create("/plugins", map[string]any{"name": "rate-limiting", "route": map[string]any{"id": routeID},
		"consumer": map[string]any{"id": consumerID}, "config": map[string]any{"second": 5}}, "/plugins")
	global := k.create("/plugins", map[string]any{"name": "response-transformer", "instance_name": k.name("global"),
		"tags": []string{k.tag()}}, "/plugins")

	rawService := k.must(http.StatusOK, http.MethodGet, "/plugins/"+*forService.ID, nil)
	checkFields(t, "service plugin", rawService, map[string]any{
		"service": map[string]any{"id": svcID}, "route": nil, "consumer": nil, "instance_name": nil, "tags": nil, "enabled": true,
	})
	checkFields(t, "global plugin", k.must(http.StatusOK, http.MethodGet, "/plugins/"+k.name("global"), nil), map[string]any{
		"id": global["id"], "service": nil, "route": nil, "consumer": nil,
	})

	scoped := []struct {
		name string
		list func() ([]*kong.Plugin, error)
		want []string
	}{
		{name: "service", list: func() ([]*kong.Plugin, error) { return k.client.Plugins.ListAllForService(c, kong.String(svcID)) },
			want: []string{*forService.ID, both["id"].(string)}},
		{name: "route", list: func() ([]*kong.Plugin, error) { return k.client.Plugins.ListAllForRoute(c, kong.String(routeID)) },
			want: []string{*forRoute.ID, routeConsumer["id"].(string)}},
		{name: "consumer", list: func() ([]*kong.Plugin, error) { return k.client.Plugins.ListAllForConsumer(c, kong.String(consumerID)) },
			want: []string{*forConsumer.ID, both["id"].(string), routeConsumer["id"].(string)}},
	}
	for _, tt := range scoped {
		t.Run(tt.name, func(t *testing.T) {
			plugins, err := tt.list()
			if err != nil {
				t.Fatalf("listing: %v", err)
			}
			var got []string
			for _, p := range plugins {
				got = append(got, *p.ID)
			}
			sort.Strings(got)
			sort.Strings(tt.want)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("plugins = %v, want %v", got, tt.want)
			}
		})
	}
	k.must(http.StatusNotFound, http.MethodGet, "/services/"+svcID+"/plugins/"+global["id"].(string), nil)

	patched := k.must(http.StatusOK, http.MethodPatch, "/plugins/"+*forService.ID, map[string]any{"config": map[string]any{"hour": 100}})
	cfg := patched["config"].(map[string]any)
	if cfg["minute"] != float64(10) || cfg["hour"] != float64(100) {
		t.Errorf("PATCH of config did not merge: minute %v hour %v, want 10 and 100", cfg["minute"], cfg["hour"])
	}
	dup := k.must(http.StatusConflict, http.MethodPost, "/services/"+svcID+"/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 1}})
	checkFields(t, "duplicate plugin", dup, map[string]any{
		"code": 5, "name": "unique constraint violation",
		"message": `UNIQUE violation detected on '{consumer=null,name="rate-limiting",route=null,service={id="` + svcID + `"}}'`,
	})
	dupName := k.must(http.StatusConflict, http.MethodPost, "/plugins", map[string]any{"name": "correlation-id", "instance_name": k.name("global")})
	checkFields(t, "duplicate instance_name", dupName, map[string]any{
		"code": 5, "message": `UNIQUE violation detected on '{instance_name="` + k.name("global") + `"}'`,
	})

	root := k.must(http.StatusOK, http.MethodGet, "/", nil)
	inUse := map[string]bool{}
	for _, n := range root["plugins"].(map[string]any)["enabled_in_cluster"].([]any) {
		inUse[n.(string)] = true
	}
	for _, n := range []string{"rate-limiting", "key-auth", "request-transformer", "response-transformer"} {
		if !inUse[n] {
			t.Errorf("enabled_in_cluster lacks %s: %v", n, inUse)
		}
	}
}

func TestPluginConfigIsChecked(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	bad := k.must(http.StatusBadRequest, http.MethodPost, "/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": "ten"}})
	checkFields(t, "rate-limiting with a string minute", bad, map[string]any{
		"code": 2, "name": "schema violation", "message": "schema violation (config.minute: expected a number)",
		"fields": map[string]any{"config": map[string]any{"minute": "expected a number"}},
	})
	none := k.must(http.StatusBadRequest, http.MethodPost, "/plugins", map[string]any{"name": "rate-limiting", "instance_name": k.name("rl")})
	if none["code"] != float64(2) {
		t.Errorf("rate-limiting without any limit = %v, want a schema violation", none)
	}
}

func TestUpstreamsAndTargets(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	rec := &recorder{}
	client, err := kong.NewClient(kong.String(adminURL), &http.Client{Transport: rec, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	up, err := client.Upstreams.Create(c, &kong.Upstream{Name: kong.String(k.name("up"))})
	if err != nil {
		t.Fatalf("creating upstream: %v", err)
	}
	k.cleanup("/upstreams/" + *up.ID)
	raw := k.must(http.StatusOK, http.MethodGet, "/upstreams/"+*up.Name, nil)
	checkFields(t, "upstream", raw, map[string]any{
		"algorithm": "round-robin", "hash_on": "none", "hash_fallback": "none", "hash_on_cookie_path": "/",
		"slots": 10000, "use_srv_name": false, "host_header": nil, "client_certificate": nil, "tags": nil,
	})
	hc, _ := raw["healthchecks"].(map[string]any)
	active, _ := hc["active"].(map[string]any)
	checkFields(t, "upstream healthchecks.active", active, map[string]any{
		"type": "http", "http_path": "/", "timeout": 1, "concurrency": 10, "https_verify_certificate": true,
	})
	passive, _ := hc["passive"].(map[string]any)
	checkFields(t, "upstream healthchecks.passive", passive, map[string]any{"type": "http"})

	targetID := newUUID(t)
	rec.reset()
	target, err := client.Targets.Create(c, up.ID, &kong.Target{ID: kong.String(targetID), Target: kong.String("10.0.0.1")})
	if err != nil {
		t.Fatalf("go-kong target create: %v", err)
	}
	if *target.ID != targetID || *target.Target != "10.0.0.1:8000" || *target.Weight != 100 {
		t.Errorf("target = id %s target %s weight %d, want %s 10.0.0.1:8000 100", *target.ID, *target.Target, *target.Weight, targetID)
	}
	if got := rec.String(); got != "PUT 404, POST 201" {
		t.Errorf("go-kong's target create sent %s, want PUT 404, POST 201", got)
	}
	rawTarget := k.must(http.StatusOK, http.MethodGet, "/upstreams/"+*up.ID+"/targets/"+targetID, nil)
	if _, ok := rawTarget["created_at"].(float64); !ok {
		t.Errorf("target created_at = %v, want a number", rawTarget["created_at"])
	}
	checkFields(t, "target", rawTarget, map[string]any{"upstream": map[string]any{"id": *up.ID}, "tags": nil})

	dup := k.must(http.StatusConflict, http.MethodPost, "/upstreams/"+*up.ID+"/targets", map[string]any{"target": "10.0.0.1:8000"})
	if dup["code"] != float64(5) {
		t.Errorf("duplicate target = %v, want code 5", dup)
	}
	heavy := k.must(http.StatusBadRequest, http.MethodPost, "/upstreams/"+*up.ID+"/targets", map[string]any{"target": "a.test", "weight": 70000})
	checkFields(t, "weight 70000", heavy, map[string]any{"code": 2, "fields": map[string]any{"weight": "value should be between 0 and 65535"}})
	k.must(http.StatusCreated, http.MethodPost, "/upstreams/"+*up.ID+"/targets", map[string]any{"target": "[::1]:81"})
	k.must(http.StatusOK, http.MethodGet, "/upstreams/"+*up.ID+"/targets/10.0.0.1:8000", nil)
	if w := k.must(http.StatusOK, http.MethodPatch, "/upstreams/"+*up.ID+"/targets/"+targetID, map[string]any{"weight": 5}); w["weight"] != float64(5) {
		t.Errorf("PATCH target weight = %v, want 5", w["weight"])
	}
	targets, err := k.client.Targets.ListAll(c, up.ID)
	if err != nil || len(targets) != 2 {
		t.Fatalf("ListAll targets = %d, %v; want 2", len(targets), err)
	}
	if *targets[0].Target != "[0000:0000:0000:0000:0000:0000:0000:0001]:81" {
		t.Errorf("first target = %s, want the newest, normalised [0000:…:0001]:81", *targets[0].Target)
	}
	k.must(http.StatusNotFound, http.MethodGet, "/targets", nil)
	k.must(http.StatusNotFound, http.MethodPut, "/upstreams/"+*up.ID+"/targets/"+newUUID(t), map[string]any{"target": "10.0.0.9"})
	k.must(http.StatusNoContent, http.MethodDelete, "/upstreams/"+*up.ID+"/targets/"+targetID, nil)
}

// recorder is an http.RoundTripper that notes each request's method and answer, to see what go-kong sends.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.seen = append(r.seen, req.Method+" error")
		return nil, err
	}
	r.seen = append(r.seen, req.Method+" "+strconv.Itoa(resp.StatusCode))
	return resp, nil
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = nil
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.seen, ", ")
}

func TestCertificatesAndSNIs(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	hostA, hostB, hostC := "a."+k.prefix+".test", "b."+k.prefix+".test", "c."+k.prefix+".test"
	cert, key := testCert(t, hostA)
	created, err := k.client.Certificates.Create(c, &kong.Certificate{Cert: kong.String(cert), Key: kong.String(key), SNIs: kong.StringSlice(hostB, hostA)})
	if err != nil {
		t.Fatalf("creating certificate: %v", err)
	}
	k.cleanup("/certificates/" + *created.ID)
	if got := strs(created.SNIs); len(got) != 2 || got[0] != hostA || got[1] != hostB {
		t.Errorf("snis = %v, want sorted [%s %s]", got, hostA, hostB)
	}
	checkFields(t, "certificate", k.must(http.StatusOK, http.MethodGet, "/certificates/"+*created.ID, nil), map[string]any{
		"cert_alt": nil, "key_alt": nil, "tags": nil, "snis": []string{hostA, hostB},
	})
	sni, err := k.client.SNIs.Get(c, kong.String(hostA))
	if err != nil || *sni.Certificate.ID != *created.ID {
		t.Fatalf("sni = %+v, %v", sni, err)
	}
	k.must(http.StatusOK, http.MethodGet, "/certificates/"+hostB, nil)
	k.must(http.StatusOK, http.MethodPatch, "/certificates/"+*created.ID, map[string]any{"snis": []string{hostC}})
	list := data(k.must(http.StatusOK, http.MethodGet, "/certificates/"+*created.ID+"/snis", nil))
	if len(list) != 1 || list[0].(map[string]any)["name"] != hostC {
		t.Errorf("snis after PATCH = %v, want only %s", list, hostC)
	}
	extra := k.must(http.StatusCreated, http.MethodPost, "/snis", map[string]any{"name": "d." + k.prefix + ".test", "certificate": map[string]any{"id": *created.ID}})
	other, otherKey := testCert(t, "o."+k.prefix+".test")
	clash := k.must(http.StatusBadRequest, http.MethodPost, "/certificates", map[string]any{"cert": other, "key": otherKey, "snis": []string{hostC}})
	checkFields(t, "certificate with a taken sni", clash, map[string]any{
		"code": 2, "message": "schema violation (snis: " + hostC + " already associated with existing certificate '" + *created.ID + "')",
	})
	noKey := k.must(http.StatusBadRequest, http.MethodPost, "/certificates", map[string]any{"cert": other})
	checkFields(t, "certificate without key", noKey, map[string]any{"code": 2, "fields": map[string]any{"key": "required field missing"}})

	svc := k.create("/services", map[string]any{"name": k.name("s"), "host": "x.test", "protocol": "https",
		"client_certificate": map[string]any{"id": *created.ID}}, "/services")
	refused := k.must(http.StatusBadRequest, http.MethodDelete, "/certificates/"+*created.ID, nil)
	checkFields(t, "delete of a certificate a service uses", refused, map[string]any{
		"code": 4, "name": "foreign key violation", "message": "an existing 'services' entity references this 'certificates' entity",
		"fields": map[string]any{"@referenced_by": "services"},
	})
	k.must(http.StatusNoContent, http.MethodDelete, "/services/"+svc["id"].(string), nil)
	k.must(http.StatusNoContent, http.MethodDelete, "/certificates/"+*created.ID, nil)
	k.must(http.StatusNotFound, http.MethodGet, "/snis/"+hostC, nil)
	k.must(http.StatusNotFound, http.MethodGet, "/snis/"+extra["id"].(string), nil)
}

func TestCACertificates(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	cert, _ := testCert(t, "ca."+k.prefix+".test")
	ca, err := k.client.CACertificates.Create(c, &kong.CACertificate{Cert: kong.String(cert)})
	if err != nil || ca.CertDigest == nil || len(*ca.CertDigest) != 64 {
		t.Fatalf("ca certificate = %+v, %v; want a sha256 cert_digest", ca, err)
	}
	k.cleanup("/ca_certificates/" + *ca.ID)
	dup := k.must(http.StatusConflict, http.MethodPost, "/ca_certificates", map[string]any{"cert": cert})
	checkFields(t, "same ca certificate twice", dup, map[string]any{
		"code": 5, "message": `UNIQUE violation detected on '{cert_digest="` + *ca.CertDigest + `"}'`,
	})
	user := k.create("/services", map[string]any{"name": k.name("t"), "host": "x.test", "protocol": "https",
		"ca_certificates": []string{*ca.ID}}, "/services")
	inUse := k.must(http.StatusBadRequest, http.MethodDelete, "/ca_certificates/"+*ca.ID, nil)
	checkFields(t, "delete of a ca certificate a service uses", inUse, map[string]any{
		"code": 19, "name": "referenced by others",
		"message": "ca certificate " + *ca.ID + " is still referenced by services (id = " + user["id"].(string) + ")",
	})
	k.must(http.StatusNoContent, http.MethodDelete, "/services/"+user["id"].(string), nil)
	k.must(http.StatusNoContent, http.MethodDelete, "/ca_certificates/"+*ca.ID, nil)
}

func TestVaultsAndKeys(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	c := ctx(t)
	vault, err := k.client.Vaults.Create(c, &kong.Vault{Name: kong.String("env"), Prefix: kong.String(k.name("env")), Config: kong.Configuration{"prefix": "SECRET_"}})
	if err != nil {
		t.Fatalf("creating vault: %v", err)
	}
	k.cleanup("/vaults/" + *vault.ID)
	if got, err := k.client.Vaults.Get(c, vault.Prefix); err != nil || *got.ID != *vault.ID {
		t.Fatalf("vault by prefix = %+v, %v", got, err)
	}
	checkFields(t, "vault", k.must(http.StatusOK, http.MethodGet, "/vaults/"+*vault.ID, nil), map[string]any{
		"name": "env", "description": nil, "tags": nil,
	})
	badPrefix := k.must(http.StatusBadRequest, http.MethodPost, "/vaults", map[string]any{"name": "env", "prefix": "Bad_Prefix"})
	if badPrefix["code"] != float64(2) {
		t.Errorf("vault with prefix Bad_Prefix = %v, want a schema violation", badPrefix)
	}

	set, err := k.client.KeySets.Create(c, &kong.KeySet{Name: kong.String(k.name("set"))})
	if err != nil {
		t.Fatalf("creating key set: %v", err)
	}
	k.cleanup("/key-sets/" + *set.ID)
	jwk := `{"kty":"oct","kid":"` + k.name("k1") + `","k":"c2VjcmV0"}`
	key, err := k.client.Keys.Create(c, &kong.Key{Name: kong.String(k.name("k1")), KID: kong.String(k.name("k1")), JWK: kong.String(jwk), Set: &kong.KeySet{ID: set.ID}})
	if err != nil {
		t.Fatalf("creating key: %v", err)
	}
	k.cleanup("/keys/" + *key.ID)
	k.must(http.StatusOK, http.MethodGet, "/key-sets/"+*set.Name+"/keys/"+*key.ID, nil)
	k.must(http.StatusOK, http.MethodGet, "/keys/"+*key.Name, nil)
	neither := k.must(http.StatusBadRequest, http.MethodPost, "/keys", map[string]any{"name": k.name("k2"), "kid": "k2"})
	if neither["code"] != float64(2) {
		t.Errorf("key without jwk or pem = %v, want a schema violation", neither)
	}
	k.must(http.StatusNoContent, http.MethodDelete, "/key-sets/"+*set.Name, nil)
	k.must(http.StatusNotFound, http.MethodGet, "/keys/"+*key.ID, nil)
	k.must(http.StatusNoContent, http.MethodDelete, "/vaults/"+*vault.Prefix, nil)
	k.must(http.StatusNotFound, http.MethodGet, "/vaults/"+*vault.ID, nil)
}

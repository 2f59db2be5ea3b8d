//go:build integration

package integration

import (
	"net/http"
	"testing"
)

func TestCascadesAndRestrictions(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	svc := k.create("/services", map[string]any{"name": k.name("svc"), "host": "a.test"}, "/services")
	svcID := svc["id"].(string)
	route := k.create("/services/"+svcID+"/routes", map[string]any{"name": k.name("r"), "paths": []string{"/" + k.prefix}}, "/routes")
	routeID := route["id"].(string)
	consumer := k.create("/consumers", map[string]any{"username": k.name("c")}, "/consumers")
	consumerID := consumer["id"].(string)
	svcPlugin := k.create("/services/"+svcID+"/plugins", map[string]any{"name": "correlation-id"}, "/plugins")
	routePlugin := k.create("/routes/"+routeID+"/plugins", map[string]any{"name": "correlation-id"}, "/plugins")
	consumerPlugin := k.create("/consumers/"+consumerID+"/plugins", map[string]any{"name": "correlation-id"}, "/plugins")
	pairPlugin := k.create("/plugins", map[string]any{"name": "request-termination", "service": map[string]any{"id": svcID},
		"consumer": map[string]any{"id": consumerID}}, "/plugins")
	cred := k.create("/consumers/"+consumerID+"/key-auth", map[string]any{}, "/key-auths")

	t.Run("service with routes cannot be deleted", func(t *testing.T) {
		kt := k.in(t)
		kt.must(http.StatusBadRequest, http.MethodDelete, "/services/"+svcID, nil)
		kt.must(http.StatusOK, http.MethodGet, "/services/"+svcID, nil)
		kt.must(http.StatusOK, http.MethodGet, "/plugins/"+svcPlugin["id"].(string), nil)
	})
	t.Run("route delete removes its plugins", func(t *testing.T) {
		kt := k.in(t)
		kt.must(http.StatusNoContent, http.MethodDelete, "/routes/"+routeID, nil)
		kt.must(http.StatusNotFound, http.MethodGet, "/plugins/"+routePlugin["id"].(string), nil)
		kt.must(http.StatusOK, http.MethodGet, "/plugins/"+svcPlugin["id"].(string), nil)
	})
	t.Run("consumer delete removes credentials and plugins", func(t *testing.T) {
		kt := k.in(t)
		kt.must(http.StatusNoContent, http.MethodDelete, "/consumers/"+consumerID, nil)
		kt.must(http.StatusNotFound, http.MethodGet, "/key-auths/"+cred["id"].(string), nil)
		kt.must(http.StatusNotFound, http.MethodGet, "/plugins/"+consumerPlugin["id"].(string), nil)
		kt.must(http.StatusNotFound, http.MethodGet, "/plugins/"+pairPlugin["id"].(string), nil)
	})
	t.Run("service delete removes its plugins", func(t *testing.T) {
		kt := k.in(t)
		kt.must(http.StatusNoContent, http.MethodDelete, "/services/"+svcID, nil)
		kt.must(http.StatusNotFound, http.MethodGet, "/plugins/"+svcPlugin["id"].(string), nil)
	})
}

func TestUpstreamDeleteRemovesTargets(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	upID := newUUID(t)
	k.cleanup("/upstreams/" + upID)
	k.must(http.StatusOK, http.MethodPut, "/upstreams/"+upID, map[string]any{"name": k.name("up")})
	k.must(http.StatusCreated, http.MethodPost, "/upstreams/"+upID+"/targets", map[string]any{"target": "10.0.0.1:80"})
	k.must(http.StatusNoContent, http.MethodDelete, "/upstreams/"+upID, nil)
	k.must(http.StatusNotFound, http.MethodGet, "/upstreams/"+upID+"/targets", nil)
	// the same upstream made again must start without the old targets
	k.must(http.StatusOK, http.MethodPut, "/upstreams/"+upID, map[string]any{"name": k.name("up")})
	if left := data(k.must(http.StatusOK, http.MethodGet, "/upstreams/"+upID+"/targets", nil)); len(left) != 0 {
		t.Errorf("targets of a deleted upstream survived: %v", left)
	}
}

func TestKeySetDeleteRemovesKeys(t *testing.T) {
	t.Parallel()
	k := newKong(t)
	set := k.create("/key-sets", map[string]any{"name": k.name("set")}, "/key-sets")
	jwk := `{"kty":"oct","kid":"` + k.name("k") + `","k":"c2VjcmV0"}`
	key := k.create("/keys", map[string]any{"name": k.name("k"), "kid": k.name("k"), "jwk": jwk, "set": map[string]any{"id": set["id"]}}, "/keys")
	loose := k.create("/keys", map[string]any{"name": k.name("loose"), "kid": k.name("loose"), "jwk": `{"kty":"oct","kid":"` + k.name("loose") + `","k":"c2VjcmV0"}`}, "/keys")
	if loose["set"] != nil {
		t.Errorf("key without a set has set %v, want null", loose["set"])
	}
	k.must(http.StatusNoContent, http.MethodDelete, "/key-sets/"+set["id"].(string), nil)
	k.must(http.StatusNotFound, http.MethodGet, "/keys/"+key["id"].(string), nil)
	k.must(http.StatusOK, http.MethodGet, "/keys/"+loose["id"].(string), nil)
}

package snapshot

import (
	"encoding/json"
	"testing"

	"github.com/kong/go-kong/kong"
)

// Ids of the rich snapshot, readable in golden files.
const (
	idSvcBilling  = "00000000-0000-4000-8000-000000000001"
	idSvcOrders   = "00000000-0000-4000-8000-000000000002"
	idRouteInv    = "00000000-0000-4000-8000-000000000011"
	idRouteOrders = "00000000-0000-4000-8000-000000000012"
	idRouteLoose  = "00000000-0000-4000-8000-000000000013"
	idAlice       = "00000000-0000-4000-8000-000000000021"
	idBob         = "00000000-0000-4000-8000-000000000022"
	idCustomOnly  = "00000000-0000-4000-8000-000000000023"
	idUpstream    = "00000000-0000-4000-8000-000000000031"
	idCert        = "00000000-0000-4000-8000-000000000041"
	idCACert      = "00000000-0000-4000-8000-000000000042"
	idKeySet      = "00000000-0000-4000-8000-000000000051"
)

// Secret values of the rich snapshot: none may appear in an encrypted or redacted directory.
var richSecrets = []string{
	"alice-key-auth-secret", "bob-key-auth-secret", "4f1b2a9e7c3d", "hmac-secret-value", "jwt-hs256-secret",
	"oauth2-client-secret", "PRIVATE-KEY-MATERIAL", "ALT-PRIVATE-KEY", "vault-token-s3cr3t",
	"jwk-private-d-value", "PEM-PRIVATE-KEY-BODY",
}

// config builds a plugin config the way go-kong decodes one from Kong: numbers are float64.
func config(t testing.TB, js string) kong.Configuration {
	t.Helper()
	var c kong.Configuration
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatalf("config %s: %v", js, err)
	}
	return c
}

func ids(s ...string) []*string { return kong.StringSlice(s...) }

// richSnapshot holds every kind, plugins at every scope and every credential kind.
func richSnapshot(t testing.TB) *Snapshot {
	t.Helper()
	svcRef := func(id string) *kong.Service { return &kong.Service{ID: kong.String(id)} }
	routeRef := func(id string) *kong.Route { return &kong.Route{ID: kong.String(id)} }
	consumerRef := func(id string) *kong.Consumer { return &kong.Consumer{ID: kong.String(id)} }
	return &Snapshot{
		Services: []*kong.Service{
			{ID: kong.String(idSvcBilling), Name: kong.String("billing"), Protocol: kong.String("https"),
				Host: kong.String("billing.internal"), Port: kong.Int(443), Path: kong.String("/v1"),
				Retries: kong.Int(5), ConnectTimeout: kong.Int(60000), ReadTimeout: kong.Int(60000),
				WriteTimeout: kong.Int(60000), Enabled: kong.Bool(true), TLSVerify: kong.Bool(true),
				ClientCertificate: &kong.Certificate{ID: kong.String(idCert)}, CACertificates: ids(idCACert),
				Tags: ids("team-billing", "prod")},
			{ID: kong.String(idSvcOrders), Name: kong.String("orders"), Protocol: kong.String("http"),
				Host: kong.String("orders-upstream"), Port: kong.Int(80), Retries: kong.Int(5),
				ConnectTimeout: kong.Int(60000), ReadTimeout: kong.Int(60000), WriteTimeout: kong.Int(60000),
				Enabled: kong.Bool(true)},
		},
		Routes: []*kong.Route{
			{ID: kong.String(idRouteInv), Name: kong.String("invoices"), Service: svcRef(idSvcBilling),
				Paths: ids("/invoices", "~/invoices/\\d+$"), Methods: ids("GET", "POST"),
				Protocols: ids("http", "https"), StripPath: kong.Bool(true), PreserveHost: kong.Bool(false),
				RegexPriority: kong.Int(0), HTTPSRedirectStatusCode: kong.Int(426),
				PathHandling: kong.String("v0"), RequestBuffering: kong.Bool(true),
				ResponseBuffering: kong.Bool(true), Headers: map[string][]string{"x-tenant": {"a", "b"}}},
			{ID: kong.String(idRouteOrders), Name: kong.String("orders"), Service: svcRef(idSvcOrders),
				Hosts: ids("orders.example.com"), Protocols: ids("https"), StripPath: kong.Bool(false)},
			{ID: kong.String(idRouteLoose), Name: kong.String("no-service"), Paths: ids("/static"),
				Protocols: ids("http")},
		},
		Consumers: []*kong.Consumer{
			{ID: kong.String(idAlice), Username: kong.String("alice"), CustomID: kong.String("c-001"),
				Tags: ids("partner")},
			{ID: kong.String(idBob), Username: kong.String("bob")},
			{ID: kong.String(idCustomOnly), CustomID: kong.String("c-003")},
		},
		Plugins: []*kong.Plugin{
			{ID: kong.String("00000000-0000-4000-8000-000000000061"), Name: kong.String("prometheus"),
				Config: config(t, `{"per_consumer":false,"status_code_metrics":true}`), Enabled: kong.Bool(true),
				Protocols: ids("grpc", "grpcs", "http", "https")},
			{ID: kong.String("00000000-0000-4000-8000-000000000062"), Name: kong.String("rate-limiting"),
				Service: svcRef(idSvcBilling), Enabled: kong.Bool(true),
				Config: config(t, `{"minute":20,"policy":"local","fault_tolerant":true,"redis":{"host":null,"port":6379}}`)},
			{ID: kong.String("00000000-0000-4000-8000-000000000063"), Name: kong.String("key-auth"),
				Route: routeRef(idRouteInv), Enabled: kong.Bool(true),
				Config: config(t, `{"key_names":["apikey"],"hide_credentials":false}`)},
			{ID: kong.String("00000000-0000-4000-8000-000000000064"), Name: kong.String("request-transformer"),
				InstanceName: kong.String("alice-headers"), Consumer: consumerRef(idAlice), Enabled: kong.Bool(false),
				Config: config(t, `{"add":{"headers":["x-partner:alice"]}}`)},
			{ID: kong.String("00000000-0000-4000-8000-000000000065"), Name: kong.String("rate-limiting"),
				Service: svcRef(idSvcBilling), Consumer: consumerRef(idBob), Enabled: kong.Bool(true),
				Config: config(t, `{"minute":5,"policy":"local"}`)},
			{ID: kong.String("00000000-0000-4000-8000-000000000066"), Name: kong.String("acl"),
				Route: routeRef(idRouteOrders), Consumer: consumerRef(idCustomOnly), Enabled: kong.Bool(true),
				Config: config(t, `{"allow":["gold"]}`)},
			{ID: kong.String("00000000-0000-4000-8000-000000000067"), Name: kong.String("cors"),
				Route: routeRef(idRouteLoose), Config: config(t, `{"origins":["*"],"max_age":3600.5}`)},
		},
		Upstreams: []*kong.Upstream{
			{ID: kong.String(idUpstream), Name: kong.String("orders-upstream"), Algorithm: kong.String("round-robin"),
				Slots: kong.Int(10000), HashOn: kong.String("none"), HashFallback: kong.String("none"),
				HashOnCookiePath: kong.String("/"), ClientCertificate: &kong.Certificate{ID: kong.String(idCert)},
				Healthchecks: &kong.Healthcheck{Active: &kong.ActiveHealthcheck{Type: kong.String("http"),
					HTTPPath: kong.String("/health"), Timeout: kong.Int(1), Concurrency: kong.Int(10),
					Healthy: &kong.Healthy{Interval: kong.Int(0), Successes: kong.Int(0),
						HTTPStatuses: []int{200, 302}}}}},
		},
		Targets: []*kong.Target{
			{ID: kong.String("00000000-0000-4000-8000-000000000071"), Target: kong.String("10.0.0.2:8000"),
				Weight: kong.Int(100), Upstream: &kong.Upstream{ID: kong.String(idUpstream)}},
			{ID: kong.String("00000000-0000-4000-8000-000000000072"), Target: kong.String("10.0.0.1:8000"),
				Weight: kong.Int(0), Upstream: &kong.Upstream{ID: kong.String(idUpstream)}, Tags: ids("drain")},
		},
		Certificates: []*kong.Certificate{
			{ID: kong.String(idCert), Cert: kong.String("-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n"),
				Key:     kong.String("-----BEGIN PRIVATE KEY-----\nPRIVATE-KEY-MATERIAL\n-----END PRIVATE KEY-----\n"),
				CertAlt: kong.String("-----BEGIN CERTIFICATE-----\nMIIBalt\n-----END CERTIFICATE-----\n"),
				KeyAlt:  kong.String("-----BEGIN EC PRIVATE KEY-----\nALT-PRIVATE-KEY\n-----END EC PRIVATE KEY-----\n")},
		},
		SNIs: []*kong.SNI{
			{ID: kong.String("00000000-0000-4000-8000-000000000082"), Name: kong.String("www.example.com"),
				Certificate: &kong.Certificate{ID: kong.String(idCert)}},
			{ID: kong.String("00000000-0000-4000-8000-000000000081"), Name: kong.String("api.example.com"),
				Certificate: &kong.Certificate{ID: kong.String(idCert)}},
		},
		CACertificates: []*kong.CACertificate{
			{ID: kong.String(idCACert), Cert: kong.String("-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n"),
				CertDigest: kong.String("5c1d0b4f")},
		},
		Vaults: []*kong.Vault{
			{ID: kong.String("00000000-0000-4000-8000-000000000091"), Name: kong.String("hcv"),
				Prefix: kong.String("hashi"), Description: kong.String("HashiCorp Vault"),
				Config: config(t, `{"host":"vault.internal","port":8200,"token":"vault-token-s3cr3t","tls":{"verify":true}}`)},
		},
		KeySets: []*kong.KeySet{
			{ID: kong.String(idKeySet), Name: kong.String("signing")},
		},
		Keys: []*kong.Key{
			{ID: kong.String("00000000-0000-4000-8000-0000000000a1"), Name: kong.String("jwk-key"), KID: kong.String("kid-1"),
				Set: &kong.KeySet{ID: kong.String(idKeySet)},
				JWK: kong.String(`{"kty":"EC","crv":"P-256","kid":"kid-1","d":"jwk-private-d-value","x":"x","y":"y"}`)},
			{ID: kong.String("00000000-0000-4000-8000-0000000000a2"), Name: kong.String("pem-key"), KID: kong.String("kid-2"),
				PEM: &kong.PEM{PublicKey: kong.String("-----BEGIN PUBLIC KEY-----\nPUB\n-----END PUBLIC KEY-----\n"),
					PrivateKey: kong.String("-----BEGIN PRIVATE KEY-----\nPEM-PRIVATE-KEY-BODY\n-----END PRIVATE KEY-----\n")}},
		},
		KeyAuths: []*kong.KeyAuth{
			{ID: kong.String("00000000-0000-4000-8000-0000000000b1"), Key: kong.String("alice-key-auth-secret"),
				Consumer: consumerRef(idAlice)},
			{ID: kong.String("00000000-0000-4000-8000-0000000000b2"), Key: kong.String("bob-key-auth-secret"),
				Consumer: consumerRef(idBob), TTL: kong.Int(3600)},
		},
		BasicAuths: []*kong.BasicAuth{
			{ID: kong.String("00000000-0000-4000-8000-0000000000c1"), Username: kong.String("alice-basic"),
				Password: kong.String("4f1b2a9e7c3d"), Consumer: consumerRef(idAlice)},
		},
		HMACAuths: []*kong.HMACAuth{
			{ID: kong.String("00000000-0000-4000-8000-0000000000d1"), Username: kong.String("alice-hmac"),
				Secret: kong.String("hmac-secret-value"), Consumer: consumerRef(idAlice)},
		},
		JWTs: []*kong.JWTAuth{
			{ID: kong.String("00000000-0000-4000-8000-0000000000e1"), Key: kong.String("bob-issuer"),
				Algorithm: kong.String("HS256"), Secret: kong.String("jwt-hs256-secret"), Consumer: consumerRef(idBob)},
		},
		ACLs: []*kong.ACLGroup{
			{ID: kong.String("00000000-0000-4000-8000-0000000000f2"), Group: kong.String("silver"), Consumer: consumerRef(idAlice)},
			{ID: kong.String("00000000-0000-4000-8000-0000000000f1"), Group: kong.String("gold"), Consumer: consumerRef(idAlice)},
			{ID: kong.String("00000000-0000-4000-8000-0000000000f3"), Group: kong.String("gold"), Consumer: consumerRef(idCustomOnly)},
		},
		OAuth2s: []*kong.Oauth2Credential{
			{ID: kong.String("00000000-0000-4000-8000-000000000101"), Name: kong.String("bob-app"),
				ClientID: kong.String("bob-client"), ClientSecret: kong.String("oauth2-client-secret"),
				ClientType: kong.String("confidential"), HashSecret: kong.Bool(false),
				RedirectURIs: ids("https://bob.example.com/cb"), Consumer: consumerRef(idBob)},
		},
	}
}

// testKey returns a fixed 32-byte key derived from seed, so golden files are reproducible.
func testKey(seed byte) []byte {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = seed + byte(i)
	}
	return key
}

func testRing(t testing.TB, seeds ...byte) *Keyring {
	t.Helper()
	var keys [][]byte
	for _, s := range seeds {
		keys = append(keys, testKey(s))
	}
	ring, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

func richOptions(t testing.TB) WriteOptions {
	return WriteOptions{Connection: "prod-eu", KongVersion: "3.9.1", Keyring: testRing(t, 1)}
}

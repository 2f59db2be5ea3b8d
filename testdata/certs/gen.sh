#!/usr/bin/env bash
# Regenerates the throwaway test keys and certificates used by testdata/rich/kong.yaml.
# Run from this directory; then paste the new PEMs into the fixture (see README.md).
set -euo pipefail
cd "$(dirname "$0")"

days=36500 # long-lived so the fixture never expires under tests

# A private CA (served to Kong as a ca_certificate).
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days "$days" -out ca.crt \
  -subj "/CN=kongsnap test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"

# A server certificate for the SNIs api.example.test and *.example.test.
openssl ecparam -name prime256v1 -genkey -noout -out server.key
openssl req -new -key server.key -out server.csr -subj "/CN=api.example.test"
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
  -extfile <(printf 'subjectAltName=DNS:api.example.test,DNS:*.example.test\nextendedKeyUsage=serverAuth\n') \
  -out server.crt

# A client certificate Kong presents to upstreams (a service's client_certificate).
openssl ecparam -name prime256v1 -genkey -noout -out client.key
openssl req -new -key client.key -out client.csr -subj "/CN=kongsnap-gateway-client"
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
  -extfile <(printf 'extendedKeyUsage=clientAuth\n') \
  -out client.crt
rm -f server.csr client.csr ca.srl

# An RSA key pair: the public half is a jwt RS256 rsa_public_key, both halves a key_set PEM key.
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
openssl pkey -in rsa.key -pubout -out rsa.pub

# An EC P-256 public JWK for a key_set JWK key (x and y are the last 64 bytes of the DER public key).
openssl ecparam -name prime256v1 -genkey -noout -out jwk-ec.key
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
der=$(mktemp)
openssl pkey -in jwk-ec.key -pubout -outform DER | tail -c 64 >"$der"
x=$(head -c 32 "$der" | b64url)
y=$(tail -c 32 "$der" | b64url)
rm -f "$der"
printf '{"kty":"EC","crv":"P-256","kid":"rich-ec-1","use":"sig","alg":"ES256","x":"%s","y":"%s"}\n' "$x" "$y" >jwk-ec.json

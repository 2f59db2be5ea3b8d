package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"net"
	"strings"

	"github.com/kong/go-kong/kong"
)

// TargetAddress spells a target's address one way for comparing: host:port with Kong's default port 8000 when
// none is given, IP addresses in canonical form (Kong stores IPv6 expanded), host names as given (Kong keeps their
// case).
func TargetAddress(t string) string {
	host, port, err := net.SplitHostPort(t)
	if err != nil {
		host, port = strings.Trim(t, "[]"), "8000"
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return net.JoinHostPort(host, port)
}

// CACertDigest is a CA certificate's cert_digest, Kong's unique key for it: the one it carries, else the hex
// SHA-256 of its DER bytes as Kong computes it (of its text when it is not PEM), "" without a certificate.
func CACertDigest(c *kong.CACertificate) string {
	if c.CertDigest != nil {
		return strings.ToLower(*c.CertDigest)
	}
	if c.Cert == nil {
		return ""
	}
	return CertDigest(*c.Cert)
}

// CertDigest is the hex SHA-256 of a PEM certificate's DER bytes (of its text when it is not PEM), "" for none.
func CertDigest(cert string) string {
	if cert == "" {
		return ""
	}
	data := []byte(strings.TrimSpace(cert))
	if block, _ := pem.Decode(data); block != nil {
		data = block.Bytes
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

package schema

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Builders for Kong's typedefs (kong/db/schema/typedefs.lua). Each returns a fresh Field so that callers
// may adjust it.

func ptrInt(n int) *int           { return &n }
func ptrFloat(f float64) *float64 { return &f }

func withDefault(f Field, v any) Field {
	f.Default, f.HasDefault = v, true
	return f
}

func required(f Field) Field {
	f.Required = true
	return f
}

func tdUUID() Field { return Field{Type: "string", UUID: true, Auto: true} }

func tdTimestampS() Field { return Field{Type: "integer", Timestamp: true, Auto: true} }

func tdTimestampMS() Field { return Field{Type: "number", Timestamp: true, Auto: true} }

func tdUTF8Name() Field { return Field{Type: "string", Unique: true, Custom: validUTF8Name} }

func tdTags() Field {
	return Field{Type: "set", Elements: &Field{Type: "string", Required: true, Custom: validTag}}
}

var protocols = []any{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"}

var httpProtocols = []any{"grpc", "grpcs", "http", "https"}

func tdProtocol() Field { return Field{Type: "string", OneOf: protocols} }

func tdProtocols() Field {
	e := tdProtocol()
	return Field{Type: "set", Required: true, Default: httpProtocols, HasDefault: true, Elements: &e}
}

func tdProtocolsHTTP() Field {
	return Field{Type: "set", Required: true, Default: httpProtocols, HasDefault: true,
		Elements: &Field{Type: "string", OneOf: httpProtocols}}
}

func tdHost() Field { return Field{Type: "string", Custom: validHost} }

func tdHostWithOptionalPort() Field { return Field{Type: "string", Custom: validHostOptionalPort} }

func tdWildcardHost() Field { return Field{Type: "string", Custom: validWildcardHost} }

func tdSNI() Field { return Field{Type: "string", Custom: validSNI} }

func tdIPOrCIDR() Field { return Field{Type: "string", Custom: validIPOrCIDR} }

func tdPort() Field { return Field{Type: "integer", Between: []float64{0, 65535}} }

func tdTimeout() Field { return Field{Type: "integer", Between: []float64{0, 1<<31 - 2}} }

func tdPath() Field {
	return Field{Type: "string", StartsWith: "/",
		MatchNone: []PatternErr{{Pattern: "//", Err: "must not have empty segments"}}, Custom: validPath}
}

func tdURL() Field { return Field{Type: "string", Custom: validURL} }

func tdHeaderName() Field { return Field{Type: "string", Custom: validHeaderName} }

func tdCookieName() Field { return Field{Type: "string", Custom: validHTTPToken} }

func tdHTTPMethod() Field { return Field{Type: "string", Match: "^%u+$"} }

func tdCertificate() Field { return Field{Type: "string", Custom: validCertificate} }

func tdKey() Field { return Field{Type: "string", Custom: validKey} }

func tdTTL() Field { return Field{Type: "number", Between: []float64{0, MaxTTL}} }

func tdNoConsumer() Field { return Field{Type: "foreign", Reference: "consumers", EqNull: true} }

func tdHeaders() Field {
	k := tdHeaderName()
	return Field{Type: "map", Keys: &k, Values: &Field{Type: "array", Elements: &Field{Type: "string"}}}
}

func tdSources() Field {
	ip, port := tdIPOrCIDR(), tdPort()
	ip.Name, port.Name = "ip", "port"
	return Field{Type: "set", Elements: &Field{Type: "record", Fields: []Field{ip, port},
		EntityChecks: []Check{{AtLeastOneOf: []string{"ip", "port"}}}}}
}

func tdLuaCode() Field {
	return Field{Type: "map", Keys: &Field{Type: "string", LenMin: ptrInt(1)},
		Values: &Field{Type: "string", LenMin: ptrInt(1)}}
}

// Custom validators. Each returns "" when the value is valid, else Kong's message.

func validUTF8Name(v any) string {
	s, _ := v.(string)
	if msg := invalidUTF8(s); msg != "" {
		return msg
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 128 && c <= 244) && !strings.ContainsRune("._~-", rune(c)) && !isAlnum(c) {
			return "invalid value '" + s + "': the only accepted ascii characters are alphanumerics or ., -, _, and ~"
		}
	}
	return ""
}

func invalidUTF8(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return "invalid utf-8 character sequence detected at position " + strconv.Itoa(i+1)
		}
		i += size
	}
	return ""
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func validTag(v any) string {
	s, _ := v.(string)
	if msg := invalidUTF8(s); msg != "" {
		return msg
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' || c == '/' || (c < 32 || c == 127) || c > 244 {
			return "invalid tag '" + s + "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"
		}
	}
	return ""
}

// ipInfo is the result of Kong's normalize_ip: the kind of address and whether a port was given.
type ipInfo struct {
	kind    string // "ipv4", "ipv6", "name"
	host    string
	hasPort bool
	port    int
}

var ipv4Pattern = regexp.MustCompile(`^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d+))?$`)

var hostnameChars = regexp.MustCompile(`^[0-9A-Za-z._-]+$`)

// normalizeIP follows kong/tools/ip.lua normalize_ip; the error is Kong's.
func normalizeIP(address string) (ipInfo, string) {
	colons := strings.Count(address, ":")
	digitsAndDots := strings.Trim(strings.ReplaceAll(address, ":", ""), "0123456789.") == "" &&
		strings.ReplaceAll(address, ":", "") != ""
	switch {
	case colons > 1:
		return normalizeIPv6(address)
	case digitsAndDots:
		m := ipv4Pattern.FindStringSubmatch(address)
		if m == nil {
			return ipInfo{}, "invalid ipv4 address: " + address
		}
		for _, part := range m[1:5] {
			if n, _ := strconv.Atoi(part); n > 255 {
				return ipInfo{}, "invalid ipv4 address: " + address
			}
		}
		info := ipInfo{kind: "ipv4", host: strings.SplitN(address, ":", 2)[0]}
		if m[5] != "" {
			port, _ := strconv.Atoi(m[5])
			if port > 65535 || len(m[5]) > 5 {
				return ipInfo{}, "invalid port number"
			}
			info.hasPort, info.port = true, port
		}
		return info, ""
	}
	name := address
	info := ipInfo{kind: "name"}
	if i := strings.LastIndexByte(address, ':'); i >= 0 && i < len(address)-1 && isDigits(address[i+1:]) {
		port, err := strconv.Atoi(address[i+1:])
		if err != nil || port > 65535 {
			return ipInfo{}, "invalid port number"
		}
		name, info.hasPort, info.port = address[:i], true, port
	}
	if !hostnameChars.MatchString(name) {
		return ipInfo{}, "invalid hostname: " + address
	}
	segments := strings.Split(name, ".")
	for i, seg := range segments {
		if strings.HasSuffix(seg, "-") || (seg == "" && i != len(segments)-1) {
			return ipInfo{}, "invalid hostname: " + address
		}
	}
	info.host = name
	return info, ""
}

func normalizeIPv6(address string) (ipInfo, string) {
	info := ipInfo{kind: "ipv6"}
	check := address
	if strings.HasPrefix(address, "[") {
		end := strings.IndexByte(address, ']')
		if end < 0 {
			return ipInfo{}, "invalid ipv6 address: " + address
		}
		check = address[1:end]
		if rest := address[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") || !isDigits(rest[1:]) {
				return ipInfo{}, "invalid ipv6 address"
			}
			port, err := strconv.Atoi(rest[1:])
			if err != nil || port > 65535 {
				return ipInfo{}, "invalid port number"
			}
			info.hasPort, info.port = true, port
		}
	}
	ip := net.ParseIP(check)
	if ip == nil || ip.To4() != nil && !strings.Contains(check, ":") {
		return ipInfo{}, "invalid ipv6 address: " + address
	}
	info.host = check
	return info, ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validHost(v any) string {
	s, _ := v.(string)
	info, err := normalizeIP(s)
	if err != "" && err != "invalid port number" {
		return "invalid value: " + s
	}
	if err == "invalid port number" || info.hasPort {
		return "must not have a port"
	}
	return ""
}

func validHostOptionalPort(v any) string {
	s, _ := v.(string)
	_, err := normalizeIP(s)
	return err
}

func validSNI(v any) string {
	s, _ := v.(string)
	info, err := normalizeIP(s)
	if err != "" && err != "invalid port number" {
		return "invalid value: " + s
	}
	if err == "" && info.kind != "name" {
		return "must not be an IP"
	}
	if err == "invalid port number" || info.hasPort {
		return "must not have a port"
	}
	return ""
}

func validWildcardHost(v any) string {
	s, _ := v.(string)
	if idx := strings.IndexByte(s, '*'); idx >= 0 {
		if idx != 0 && idx != len(s)-1 {
			return "wildcard must be leftmost or rightmost character"
		}
		if strings.Count(s, "*") > 1 {
			return "only one wildcard must be specified"
		}
		s = strings.ReplaceAll(s, "*", "wildcard")
	}
	return validSNI(s)
}

func validIPOrCIDR(v any) string {
	s, _ := v.(string)
	if net.ParseIP(s) != nil {
		return ""
	}
	if _, _, err := net.ParseCIDR(s); err == nil {
		return ""
	}
	return "invalid ip or cidr range: '" + s + "'"
}

var pathChars = regexp.MustCompile(`^/[0-9A-Za-z.\-_~/%:@!$&'()*+,;=]*$`)

var percentEncoded = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

func validPath(v any) string {
	s, _ := v.(string)
	if !pathChars.MatchString(s) {
		return "invalid path: '" + s + "' (characters outside of the reserved list of RFC 3986 found)"
	}
	if !strings.Contains(s, "%") {
		return "" // no percent escape to check (most paths)
	}
	raw := percentEncoded.ReplaceAllString(s, "___")
	if i := strings.IndexByte(raw, '%'); i >= 0 {
		end := min(i+3, len(raw))
		return "invalid url-encoded value: '" + raw[i:end] + "'"
	}
	return ""
}

func validURL(v any) string {
	s, _ := v.(string)
	u, err := url.Parse(s)
	if err != nil {
		return "could not parse url. " + err.Error()
	}
	if u.Host == "" {
		return "missing host in url"
	}
	if u.Scheme == "" {
		return "missing scheme in url"
	}
	return ""
}

var headerNameChars = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)

func headerNameError(name string) string {
	if name == "" {
		return "no header name provided"
	}
	if !headerNameChars.MatchString(name) {
		return "bad header name '" + name + "', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
	}
	return ""
}

func validHeaderName(v any) string {
	s, _ := v.(string)
	return headerNameError(s)
}

func validHTTPToken(v any) string {
	s, _ := v.(string)
	if s == "" {
		return "no token provided"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 32 || c == 127 || strings.IndexByte(" \t()<>@,;:\\\"/?={}[]", c) >= 0 {
			return "contains one or more invalid characters. ASCII control characters (0-31;127), space, tab " +
				"and the characters ()<>@,;:\\\"/?={}[] are not allowed."
		}
	}
	return ""
}

func parseCertificate(s string) (*x509.Certificate, bool) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, false
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	return cert, err == nil
}

func parsePublicOfKey(s string) (crypto.PublicKey, bool) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, false
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if signer, ok := k.(crypto.Signer); ok {
			return signer.Public(), true
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k.Public(), true
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k.Public(), true
	}
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		return k, true
	}
	if k, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
		return k, true
	}
	return nil, false
}

// The messages below carry OpenSSL's wording for the common failure (no PEM block at all).
func validCertificate(v any) string {
	s, _ := v.(string)
	if _, ok := parseCertificate(s); !ok {
		return "invalid certificate: x509.new: error:0480006C:PEM routines::no start line"
	}
	return ""
}

func validKey(v any) string {
	s, _ := v.(string)
	if _, ok := parsePublicOfKey(s); !ok {
		return "invalid key: pkey.new:load_key: error:1E08010C:DECODER routines::unsupported"
	}
	return ""
}

// certificateMatchesKey reports whether cert's public key is key's.
func certificateMatchesKey(certPEM, keyPEM string) bool {
	cert, ok := parseCertificate(certPEM)
	if !ok {
		return true // the field validators report unparsable values
	}
	pub, ok := parsePublicOfKey(keyPEM)
	if !ok {
		return true
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := cert.PublicKey.(equaler)
	return !ok || e.Equal(pub)
}

func validTarget(v any) string {
	s, _ := v.(string)
	if _, err := normalizeIP(s); err != "" {
		if invalidUTF8(s) != "" {
			return "Invalid target; not a valid hostname or ip address"
		}
		return "Invalid target ('" + s + "'); not a valid hostname or ip address"
	}
	return ""
}

func validUpstreamName(v any) string {
	s, _ := v.(string)
	name := "Invalid name ('" + s + "')"
	if invalidUTF8(s) != "" {
		name = "Invalid name"
	}
	info, err := normalizeIP(s)
	switch {
	case err != "":
		return name + "; must be a valid hostname"
	case info.kind != "name":
		return name + "; no ip addresses allowed"
	case info.hasPort:
		return name + "; no port allowed"
	}
	return ""
}

func validRedirectURI(v any) string {
	s, _ := v.(string)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return "cannot parse '" + s + "'"
	}
	if u.Fragment != "" || strings.HasSuffix(s, "#") {
		return "fragment not allowed in '" + s + "'"
	}
	return ""
}

func validRegexOrAsterisk(v any) string {
	s, _ := v.(string)
	if s == "*" {
		return ""
	}
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Sprintf("'%s' is not a valid regex", s)
	}
	return ""
}

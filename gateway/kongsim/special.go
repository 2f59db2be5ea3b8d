package kongsim

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

// beforeWrite handles what Kong does to an entity before its schema sees it: the service url shorthand, the
// key-auth ttl option, a certificate's snis pseudo-field and target normalisation.
func (s *Server) beforeWrite(w *write) *apiError {
	switch w.k.name {
	case "services":
		if raw, ok := w.obj["url"]; ok {
			delete(w.obj, "url")
			if u, ok := raw.(string); ok {
				if fields := serviceURL(u); fields != nil {
					for k, v := range fields {
						w.obj[k] = v
					}
				} else {
					return schemaViolation(map[string]any{"url": "missing host in url"})
				}
			}
		}
	case "keyauth_credentials":
		// kong/db/dao/init.lua validate_options_value: ttl is a DAO option, refused as code 11.
		w.ttl = w.obj["ttl"]
		delete(w.obj, "ttl")
		if w.ttl != nil {
			if f, ok := w.ttl.(float64); !ok || f != math.Trunc(f) || f < 0 || f > schema.MaxTTL {
				return invalidOption("ttl", fmt.Sprintf("must be an integer between 0 and %d", schema.MaxTTL))
			}
		}
	case "targets":
		if target, ok := w.obj["target"].(string); ok {
			normal, ok := normalizeTarget(target)
			if !ok {
				return schemaViolation(map[string]any{"target": "Invalid target; not a valid hostname or ip address"})
			}
			w.obj["target"] = normal
		}
	case "certificates":
		return s.certificateSNIs(w)
	}
	return nil
}

// afterWrite finishes writes that touch more than one row or keep state outside the row.
func (s *Server) afterWrite(w *write) *apiError {
	switch w.k.name {
	case "keyauth_credentials":
		t := s.tables[w.k.name]
		id := w.obj["id"].(string)
		delete(t.expires, id)
		if ttl, ok := w.ttl.(float64); ok && ttl > 0 {
			t.expires[id] = s.clock().Add(time.Duration(ttl * float64(time.Second)))
		}
	case "certificates":
		if w.hasSNIs {
			return s.replaceSNIs(w.obj["id"].(string), w.snis)
		}
	}
	return nil
}

// serviceURL expands a service's write-only url into protocol, host, port and path.
func serviceURL(raw string) map[string]any {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	fields := map[string]any{"protocol": u.Scheme, "host": u.Hostname(), "port": nil, "path": nil}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			fields["port"] = float64(n)
		}
	} else if u.Scheme == "http" {
		fields["port"] = float64(80)
	} else if u.Scheme == "https" {
		fields["port"] = float64(443)
	}
	if u.EscapedPath() != "" {
		fields["path"] = u.EscapedPath()
	}
	return fields
}

// normalizeTarget formats a target the way kong.tools.ip does: host:port with port 8000 by default, IPv4
// canonical, IPv6 fully expanded in brackets.
func normalizeTarget(target string) (string, bool) {
	host, port := target, ""
	if strings.HasPrefix(target, "[") {
		end := strings.Index(target, "]")
		if end < 0 {
			return "", false
		}
		host, port = target[1:end], strings.TrimPrefix(target[end+1:], ":")
		if port == "" && len(target) > end+1 {
			return "", false
		}
	} else if strings.Count(target, ":") == 1 {
		host, port, _ = strings.Cut(target, ":")
	}
	if port == "" {
		port = "8000"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return "", false
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if addr.Is4() {
			return addr.String() + ":" + port, true
		}
		b := addr.As16()
		groups := make([]string, 8)
		for i := range groups {
			groups[i] = fmt.Sprintf("%04x", int(b[2*i])<<8|int(b[2*i+1]))
		}
		return "[" + strings.Join(groups, ":") + "]:" + port, true
	}
	if !validHostname(host) {
		return "", false
	}
	return host + ":" + port, true
}

func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// certDigest is a CA certificate's cert_digest: hex SHA-256 of its DER encoding.
func certDigest(cert string) (string, error) {
	block, _ := pem.Decode([]byte(cert))
	if block == nil {
		return "", errors.New("no PEM block")
	}
	sum := sha256.Sum256(block.Bytes)
	return hex.EncodeToString(sum[:]), nil
}

// certificateKey turns /certificates/{key} into a certificate id: a non-UUID key is an SNI name
// (kong/api/routes/certificates.lua). On PUT an unknown name means a new certificate carrying that SNI.
func (s *Server) certificateKey(method, key string, body map[string]any) (string, *apiError) {
	if schema.IsUUID(key) {
		return key, nil
	}
	id := ""
	if sni := s.tables["snis"].byUnique("name", key); sni != nil {
		id = foreignID(sni["certificate"])
	} else if method != http.MethodPut {
		return "", plainError(http.StatusNotFound, "SNI not found")
	} else {
		id = s.ids()
	}
	if body == nil {
		return id, nil
	}
	switch snis := body["snis"].(type) {
	case []any:
		found := false
		for _, n := range snis {
			found = found || n == key
		}
		if !found && method == http.MethodPut {
			body["snis"] = append(snis, key)
		}
	case string:
		if method == http.MethodPut && snis != key {
			body["snis"] = []any{snis, key}
		} else {
			body["snis"] = []any{snis}
		}
	}
	return id, nil
}

// certificateSNIs reads the snis pseudo-field: absent keeps the SNIs (PUT clears them), a list replaces them.
func (s *Server) certificateSNIs(w *write) *apiError {
	raw, given := w.obj["snis"]
	delete(w.obj, "snis")
	if str, ok := raw.(string); ok {
		raw = []any{str}
	}
	switch {
	case !given && w.op == "upsert", given && raw == nil:
		w.hasSNIs, w.snis = true, []string{}
		return nil
	case !given:
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return schemaViolation(map[string]any{"snis": "expected an array"})
	}
	seen := map[string]bool{}
	names := make([]string, 0, len(list))
	for _, v := range list {
		name, ok := v.(string)
		if !ok {
			return schemaViolation(map[string]any{"snis": "expected a string"})
		}
		if seen[name] {
			return schemaViolation(map[string]any{"snis": name + " is duplicated"})
		}
		seen[name] = true
		names = append(names, name)
	}
	sort.Strings(names)
	certID, _ := w.obj["id"].(string)
	if w.old != nil {
		certID = w.old["id"].(string)
	}
	for _, name := range names {
		if sni := s.tables["snis"].byUnique("name", name); sni != nil {
			if owner := foreignID(sni["certificate"]); w.op == "insert" || owner != certID {
				return schemaViolation(map[string]any{
					"snis": name + " already associated with existing certificate '" + owner + "'",
				})
			}
		}
	}
	w.hasSNIs, w.snis = true, names
	return nil
}

// replaceSNIs makes names the exact SNI set of a certificate.
func (s *Server) replaceSNIs(certID string, names []string) *apiError {
	snis := s.tables["snis"]
	keep := map[string]bool{}
	for _, n := range names {
		keep[n] = true
	}
	for _, id := range snis.children("certificate", certID) {
		name := snis.rows[id]["name"].(string)
		if keep[name] {
			delete(keep, name)
			continue
		}
		snis.remove(id)
	}
	for _, name := range names {
		if !keep[name] {
			continue
		}
		body := map[string]any{"name": name, "certificate": map[string]any{"id": certID}}
		if _, err := s.insertLocked(snis.kind, body); err != nil {
			return err
		}
	}
	return nil
}

// consumerByCustomID is GET /consumers?custom_id=x.
func (s *Server) consumerByCustomID(q *request) (int, any) {
	customID := ngxDecodeArgs(q.URL.RawQuery).Get("custom_id")
	if customID == "" {
		return http.StatusBadRequest, map[string]any{"message": "custom_id must be an unempty string"}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	data := []any{}
	if c := s.tables["consumers"].byUnique("custom_id", customID); c != nil {
		data = append(data, c)
	}
	return http.StatusOK, map[string]any{"data": data, "next": nil}
}

// oauth2PatchCheck is the transformation check Kong runs when an oauth2 credential is updated
// (run_transformation_checks in kong/db/schema/init.lua, for daos.lua's hash_secret → client_secret
// transformation): when the patch gives hash_secret, or a client_secret other than the stored one (absent counts
// as other), hash_secret and client_secret must be given together. It returns the entity error, or "".
func oauth2PatchCheck(w *write) string {
	if w.k.name != "oauth2_credentials" || w.op != "update" {
		return ""
	}
	secretChanged := !reflect.DeepEqual(w.input["client_secret"], w.old["client_secret"])
	if !secretChanged && !nonEmpty(w.input["hash_secret"]) {
		return ""
	}
	both := w.obj
	if secretChanged {
		both = w.input
	}
	if nonEmpty(both["hash_secret"]) != nonEmpty(both["client_secret"]) {
		return "all or none of these fields must be set: 'hash_secret', 'client_secret'"
	}
	return ""
}

// nonEmpty is Kong's is_nonempty: false is a value; null, "" and empty tables are not.
func nonEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

// hashOAuth2Secret hashes a client secret as kong/plugins/oauth2/secret.lua does with PBKDF2 (the one algorithm
// enabled there): SHA-512, 10000 iterations, 32 bytes from a random 16-byte salt, written as a PHC string with
// unpadded standard base64.
func hashOAuth2Secret(secret string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading a salt: %w", err)
	}
	sum, err := pbkdf2.Key(sha512.New, secret, salt, 10000, 32)
	if err != nil {
		return "", fmt.Errorf("hashing a client secret: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$pbkdf2-sha512$i=10000,l=32$%s$%s", enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

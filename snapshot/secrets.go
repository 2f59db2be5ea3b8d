package snapshot

// Redacted is the value a secret field holds in a snapshot written in redact mode. It is never a real secret, so
// restore refuses to write it and diff treats it as "unknown" rather than as a change.
const Redacted = "<redacted by kongsnap>"

// SecretFields lists, per kind, the JSON paths of the fields whose values are secrets: they are encrypted (or
// redacted) in files and never shown in diffs, logs or pull requests. "config.*" means every value under config.
var SecretFields = map[Kind][]string{
	KindKeyAuth:     {"key"},
	KindBasicAuth:   {"password"},
	KindHMACAuth:    {"secret"},
	KindJWT:         {"secret"},
	KindOAuth2:      {"client_secret"},
	KindCertificate: {"key", "key_alt"},
	KindKey:         {"jwk", "pem.private_key"},
	KindVault:       {"config.*"},
	// Plugins that talk to Redis (rate-limiting and kin) hold its credentials in config, and Kong 3.9 echoes them
	// again under their deprecated flat names.
	KindPlugin: {"config.redis.password", "config.redis.sentinel_password", "config.redis_password",
		"config.redis_sentinel_password"},
}

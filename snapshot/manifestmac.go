package snapshot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// A manifest MAC says that a snapshot's files are exactly what kongsnap wrote with a key of the keyring.
//
// The manifest's checksums catch a file changed after kongsnap wrote it, but anyone editing the files can
// recompute them; Read's own checks (a plaintext where a ciphertext belongs, counts that no longer match) catch
// what such an edit shows, and cost a full read. A MAC over the manifest, whose checksums cover every other file,
// can only be made with the key: a snapshot whose files pass Verify and whose MAC checks was written by a holder
// of the key, and nobody without it has edited it since. Restore uses that to compare the live gateway with a
// snapshot before reading the snapshot in full (a no-op restore then costs about a dump). The MAC is kept beside
// the files (the commit's trailer), not in them, so the files stay what decK and earlier kongsnaps read.

// ManifestMAC returns the MAC of files' manifest with the keyring's first key: "<key id>:<base64url of
// HMAC-SHA256>". ok is false when files hold no manifest or there is no keyring.
func (r *Keyring) ManifestMAC(files Files) (mac string, ok bool) {
	manifest, found := files[ManifestName]
	if r == nil || len(r.keys) == 0 || !found {
		return "", false
	}
	return manifestMAC(r.keys[0], manifest), true
}

// CheckManifestMAC reports whether mac, as ManifestMAC wrote it with any key of the keyring, authenticates files'
// manifest. Anything else (no keyring, no manifest, a key the keyring lacks, a malformed or wrong MAC) is false.
// It does not check the files against the manifest: Verify does.
func (r *Keyring) CheckManifestMAC(files Files, mac string) bool {
	manifest, found := files[ManifestName]
	id, _, ok := strings.Cut(mac, ":")
	if r == nil || !found || !ok {
		return false
	}
	for _, k := range r.keys {
		if k.id == id {
			return hmac.Equal([]byte(manifestMAC(k, manifest)), []byte(mac))
		}
	}
	return false
}

func manifestMAC(k *ringKey, manifest []byte) string {
	h := hmac.New(sha256.New, k.manifest)
	h.Write(manifest)
	return k.id + ":" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

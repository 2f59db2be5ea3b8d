package sync

import (
	"crypto/sha1" //nolint:gosec // Kong's basic-auth hash is SHA-1; matched here, never chosen.
	"encoding/hex"
	"regexp"
	"slices"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// kongHash matches a password as Kong stores it: the hex SHA-1 of the password followed by the consumer's id. A
// snapshot read from a gateway holds only that hash, and writing it back would make Kong hash it again.
var kongHash = regexp.MustCompile(`^[0-9a-f]{40}$`)

// unknownPassword reports whether a basic-auth credential carries no usable plaintext password.
func unknownPassword(c *kong.BasicAuth) bool {
	return c.Password == nil || kongHash.MatchString(*c.Password)
}

// samePassword reports whether live's stored hash is the hash of target's plaintext password, so a credential
// written from a decK file with its plaintext is not reported as changed forever.
func samePassword(live, target *kong.BasicAuth) bool {
	if live.Password == nil || target.Password == nil || live.Consumer == nil || unknownPassword(target) {
		return false
	}
	sum := sha1.Sum([]byte(*target.Password + deref(live.Consumer.ID))) //nolint:gosec // see kongHash
	return hex.EncodeToString(sum[:]) == *live.Password
}

// dropHashedPasswords removes, from changes, basic-auth credentials whose only difference is a plaintext password
// in target that hashes to the live one. It filters changes in place.
func dropHashedPasswords(changes diff.Changes) diff.Changes {
	return slices.DeleteFunc(changes, func(ch diff.Change) bool {
		return ch.Kind == snapshot.KindBasicAuth && ch.Action == diff.Changed && len(ch.Fields) == 1 &&
			ch.Fields[0].Path == "password" && samePassword(ch.Current.(*kong.BasicAuth), ch.Target.(*kong.BasicAuth))
	})
}

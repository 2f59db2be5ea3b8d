// Package diff compares two snapshots of a Kong gateway and says what differs, entity by entity and field by field.
// Match(current, target) pairs their entities once (by id, then by natural key); the Matching's Compare returns
// the Changes that would turn current into target (Compare(current, target) does both). It is pure: no I/O, no
// clock, no randomness, and the same inputs in any order give the same output. The restore engine plans its
// operations from the same Matching and its Changes, and the drift pull request renders the Changes.
package diff

// Package diff compares two snapshots of a Kong gateway and says what differs, entity by entity and field by field:
// Compare(current, target) returns the Changes that would turn current into target. It is pure: no I/O, no clock,
// no randomness, and the same inputs in any order give the same output. The restore engine plans its operations
// from these Changes and the drift pull request renders them.
package diff

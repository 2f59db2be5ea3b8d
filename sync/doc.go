// Package sync restores a gateway. Converge runs the phases: read live, plan (the ordered operations that converge
// the live gateway, current, toward a snapshot, target), validate (the gateway's own schema validation of every
// entity the plan writes), confirm, apply (in parallel where dependencies allow) and verify. Nothing is written
// before the plan passes its guards and validation; an entity matched by natural identity is converged in place,
// a replacement is created before what it replaces is deleted, and a plan that must leave a route or service
// without a plugin for a while (Window) is applied only when allowed. A dry run walks the same path and writes
// nothing. Every pairing of live and target entities comes from diff.Match, and every kind's references, unique
// keys and dependency level from snapshot's kinds table.
//
// Inside this package the standard library's sync is imported as gosync.
package sync

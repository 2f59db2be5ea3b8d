// Package sync restores a gateway: it plans the ordered operations that converge the live gateway (current) toward
// a snapshot (target), refusing before any write when the plan would be unsafe, applies them through a gateway in
// parallel where dependencies allow, and verifies the result. A dry run walks the same path and writes nothing.
// Every pairing of live and target entities comes from diff.Match, and every kind's references, unique keys and
// dependency level from snapshot's kinds table.
//
// Inside this package the standard library's sync is imported as gosync.
package sync

// Package gateway is kongsnap's only link to a Kong Admin API: through go-kong it reads a whole gateway into a
// snapshot.Snapshot and applies the single write operations (create, update, delete, lookup) the restore engine
// plans. It owns connecting (headers, TLS, workspace, select tags), retries with backoff and keeping header values
// and secrets out of every error and log line.
//
// Which collections it reads, where each kind is written and how the holder of a unique key is found come from
// snapshot's kinds table; this package has no per-kind code.
//
// Requests are built and sent by go-kong's client (its request builder, Doer hook and error type) and decoded into
// go-kong's entity types; the per-kind services of go-kong are not used because they cannot filter ListAll by tags,
// decode every list entry twice and do not escape names in paths.
package gateway

// Package kongsim is an in-memory Kong Gateway 3.9 OSS Admin API (PostgreSQL mode), faithful enough that go-kong
// and the decK CLI cannot tell it from Kong; kongsnap's tests, fault tests and benchmarks run against it.
//
// Server is an http.Handler: mount it in httptest.NewServer or behind a listener (cmd/kongsim). Entity schemas,
// defaults and field validation come from package schema; this package owns the Admin API's routing, storage,
// paging, uniqueness, foreign keys, cascades, error bodies, the request log and fault injection.
package kongsim

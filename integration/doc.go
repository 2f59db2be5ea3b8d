// Package integration checks kongsnap's assumptions about Kong against a real Kong 3.9 Admin API on PostgreSQL:
// the same behaviour package kongsim is tested for (handshake, CRUD and defaults of every entity kind, paging,
// tag filters, error bodies, cascades, basic-auth hashing) and kongsnap's own read and restore round trip.
//
// The tests carry the build tag "integration" and need KONG_ADMIN_URL:
//
//	KONG_ADMIN_URL=http://127.0.0.1:8001 go test -tags integration -count=1 ./integration/...
//
// Kong is shared by every test: each run names and tags what it creates with a unique prefix and deletes it again.
package integration

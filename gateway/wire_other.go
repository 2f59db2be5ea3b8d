//go:build !unix

package gateway

import "net"

// wireSupported: without a non-blocking read to tell whether the server closed an idle connection (see
// wire_unix.go), the client keeps net/http's transport.
const wireSupported = false

func connAlive(net.Conn) bool { return false }

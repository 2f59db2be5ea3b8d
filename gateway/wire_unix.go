//go:build unix

package gateway

import (
	"net"
	"syscall"
)

// wireSupported says that connAlive can tell whether the server closed an idle connection, which wireTransport
// needs: without it, the client keeps net/http's transport.
const wireSupported = true

// connAlive reports whether an idle connection is still open: a read that would block means the server has sent
// nothing, not even the end of the stream. One non-blocking read, before each reuse, does what net/http's reader
// goroutine does by reading all the time.
func connAlive(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, rerr := syscall.Read(int(fd), b[:])
		alive = rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK
		return true
	})
	return err == nil && alive
}

// Package testnet holds the loopback helpers several packages' tests share.
// It is imported by tests only.
package testnet

import (
	"net"
	"syscall"
	"testing"
)

// TCPPair returns both ends of a loopback TCP connection, closed at cleanup:
// the stand-in for socketpair(2) where there is none (Windows), or where a
// test needs TCP rather than a Unix socket.
func TCPPair(tb testing.TB) (client, server *net.TCPConn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			tb.Error(err)
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		c.Close()
		tb.FailNow()
	}
	tb.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// Handle returns the descriptor (a SOCKET on Windows) behind c.
func Handle(tb testing.TB, c syscall.Conn) uintptr {
	tb.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		tb.Fatal(err)
	}
	var h uintptr
	if err := rc.Control(func(s uintptr) { h = s }); err != nil {
		tb.Fatal(err)
	}
	return h
}

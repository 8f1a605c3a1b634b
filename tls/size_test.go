package tls

import (
	"testing"
	"unsafe"
)

// TestTLSSocketSize guards what an idle established TLS connection costs
// beyond crypto/tls's own (issue 14: idle memory per TLS connection).
// 320 bytes is a malloc size class: one byte more costs 32 (the next
// class). The handshake's state (hs), a client's fields (client) and the
// TLS events' list are outside the struct for that reason.
func TestTLSSocketSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the bound is for 64-bit platforms")
	}
	if n := unsafe.Sizeof(TLSSocket{}); n > 320 {
		t.Fatalf("unsafe.Sizeof(TLSSocket{}) = %d bytes; want at most 320 (move what established connections do not use out of it)", n)
	}
}

package socket

import (
	"testing"
	"unsafe"
)

// TestSocketSize guards the per-connection cost (issue 7: idle memory per
// server connection). An idle accepted connection holds one Socket, so
// every field added to it costs a server with many connections that much
// again; state an idle connection does not need belongs in socketCold. 128
// bytes is a malloc size class: one byte more costs 16 (the next class).
func TestSocketSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the bound is for 64-bit platforms")
	}
	if n := unsafe.Sizeof(Socket{}); n > 128 {
		t.Fatalf("unsafe.Sizeof(Socket{}) = %d bytes; want at most 128 (move what idle connections do not use into socketCold)", n)
	}
}

//go:build !amd64 && !arm64

package reactor

import (
	"runtime"
	"strconv"
	"strings"
)

// getg returns the calling goroutine's id, parsed from its stack header. It
// is slow (about a microsecond) and only used on architectures without the
// assembly fast path; ids are unique among live goroutines, which is all
// InLoop needs.
func getg() uintptr {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	if i := strings.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	id, _ := strconv.ParseUint(s, 10, 64)
	return uintptr(id)
}

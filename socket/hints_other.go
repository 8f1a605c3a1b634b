//go:build !linux && !openbsd && !netbsd

package socket

// The KAME values of macOS's, FreeBSD's and DragonFly's <netdb.h>, which
// Windows' <ws2def.h> shares.
const (
	hintAddrConfig = 0x400
	hintV4Mapped   = 0x800
	hintAll        = 0x100
)

package socket

// OpenBSD's <netdb.h> has AI_ADDRCONFIG only.
const (
	hintAddrConfig = 0x40
	hintV4Mapped   = 0
	hintAll        = 0
)

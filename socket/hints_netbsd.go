package socket

// NetBSD's <netdb.h> has AI_ADDRCONFIG only.
const (
	hintAddrConfig = 0x400
	hintV4Mapped   = 0
	hintAll        = 0
)

package socket

// glibc's and musl's <netdb.h>.
const (
	hintAddrConfig = 0x20
	hintV4Mapped   = 0x08
	hintAll        = 0x10
)

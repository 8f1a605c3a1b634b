package socket

// Resolver hint flags accepted in ConnectOptions.Hints and seen by a
// LookupFunc in LookupOptions.Hints. They are Node's dns.ADDRCONFIG,
// dns.V4MAPPED and dns.ALL, which are the system's getaddrinfo flags, so
// their values differ by platform (hints_*.go): on Linux 32, 8 and 16; on
// macOS, FreeBSD, DragonFly and Windows 1024, 2048 and 256. Where the
// system has no such flag, Node leaves the constant undefined and nodenet
// makes it 0.
const (
	HintAddrConfig = hintAddrConfig // dns.ADDRCONFIG (AI_ADDRCONFIG)
	HintV4Mapped   = hintV4Mapped   // dns.V4MAPPED (AI_V4MAPPED)
	HintAll        = hintAll        // dns.ALL (AI_ALL)
)

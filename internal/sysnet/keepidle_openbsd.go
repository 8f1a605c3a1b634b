//go:build openbsd

package sysnet

// setKeepIdle: OpenBSD has no per-socket idle time (only a sysctl), so the
// delay is ignored there.
func setKeepIdle(fd FD, secs int) error { return nil }

//go:build unix && !darwin && !linux

package sysnet

// noSigPipe: the other BSDs rely on the Go runtime ignoring SIGPIPE for
// sockets.
func noSigPipe(FD) {}

//go:build unix && !darwin && !linux

package socket

// noSigPipe: the other BSDs rely on the Go runtime ignoring SIGPIPE for
// sockets.
func noSigPipe(int) {}

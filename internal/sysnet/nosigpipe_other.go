//go:build unix && !darwin

package sysnet

import "golang.org/x/sys/unix"

// sendFlags are the flags of every send: MSG_NOSIGNAL, so that a send to a
// reset peer fails with EPIPE and raises no SIGPIPE.
const sendFlags = unix.MSG_NOSIGNAL

// noSigPipe has nothing to do where every send carries MSG_NOSIGNAL.
func noSigPipe(FD) {}

package server

import "github.com/nodenet/nodenet/internal/sysnet"

// SetDupHandleHook sets a function run as Listen{Handle: socket} is about
// to duplicate the socket's descriptor (nil: none).
func SetDupHandleHook(fn func()) { dupHandleHook = fn }

// SetDupServerHooks sets the functions run as Listen{Handle: server} has
// read the other server's descriptor number and is about to duplicate it
// (under that server's fdMu), and as a listening descriptor is about to be
// closed (before it takes fdMu). nil: none.
func SetDupServerHooks(dup func(fd int), closing func()) {
	if dup == nil {
		dupServerHook = nil
	} else {
		dupServerHook = func(fd sysnet.FD) { dup(int(fd)) }
	}
	closeListenHook = closing
}

package server

// SetDupHandleHook sets a function run as Listen{Handle: socket} is about
// to duplicate the socket's descriptor (nil: none).
func SetDupHandleHook(fn func()) { dupHandleHook = fn }

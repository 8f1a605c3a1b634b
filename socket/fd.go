package socket

import (
	"sync"
	"unsafe"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
)

// fdLocks order the loop's changes of a socket's descriptor against the
// getters other goroutines call (FD, the local name, the peer of a wrapped
// descriptor): a getter reads s.fd, and may ask the kernel about it, under
// the read lock of the socket's shard; the loop writes s.fd only under the
// write lock, and closes a descriptor only after it replaced it. So a
// getter never asks about a descriptor that was closed meanwhile — whose
// number another connection may already have. The loop takes a lock only
// when a descriptor changes (connect, accept, destroy), never to read or
// write, and a shard per socket address keeps loops from meeting on one
// lock.
var fdLocks [32]sync.RWMutex

func (s *Socket) fdLock() *sync.RWMutex {
	return &fdLocks[(uintptr(unsafe.Pointer(s))>>7)%uintptr(len(fdLocks))]
}

// setFD changes the socket's descriptor (loop goroutine, or a new socket
// nobody else sees yet).
func (s *Socket) setFD(fd nodenet.FD) {
	mu := s.fdLock()
	mu.Lock()
	s.fd = fd
	mu.Unlock()
}

// withFD calls fn with the socket's descriptor from any goroutine, if it
// has one and is not destroyed; the descriptor stays open until fn
// returns. It reports whether fn ran.
func (s *Socket) withFD(fn func(fd nodenet.FD)) bool {
	mu := s.fdLock()
	mu.RLock()
	defer mu.RUnlock()
	if s.fd == sysnet.Invalid || s.is(stDestroyed) {
		return false
	}
	fn(s.fd)
	return true
}

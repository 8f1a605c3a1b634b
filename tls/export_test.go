package tls

import "time"

// SetClock replaces the clock session tickets and certificate checks read
// (the tests move it forward instead of sleeping); the result restores it.
func SetClock(f func() time.Time) (restore func()) {
	old := clock.Swap(&f)
	return func() { clock.Store(old) }
}

// HandshakeTimeoutOf is the handshake timeout s arms for each connection.
func HandshakeTimeoutOf(s *Server) time.Duration { return s.timeout }

// OnPoolChange makes f run after every change of the handshake pools'
// running or queued counts (on whatever goroutine made it); the result
// restores the previous hook.
func OnPoolChange(f func()) (restore func()) {
	old := poolChanged.Swap(&f)
	return func() { poolChanged.Store(old) }
}

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

// SetWorkerLinger sets how long a handshake goroutine with no handshake
// waits for the next one (for the waits that start from now on); the
// result restores the previous linger.
func SetWorkerLinger(d time.Duration) (restore func()) {
	old := linger.Swap(int64(d))
	return func() { linger.Store(old) }
}

// OnExpiring makes f run in a parked worker whose linger ran out, before
// it takes its pool's lock to leave; the result restores the previous hook.
func OnExpiring(f func()) (restore func()) {
	old := expiring.Swap(&f)
	return func() { expiring.Store(old) }
}

// DismissParkedWorkers makes every parked handshake goroutine exit now
// (they are handed no handshake), whatever their linger.
func DismissParkedWorkers() {
	serverPool.dismiss(0)
	clientPool.dismiss(0)
}

// HoldsHandshakeState reports whether t still keeps the state only its
// handshake uses (loop goroutine).
func HoldsHandshakeState(t *TLSSocket) bool { return t.e.hs != nil }

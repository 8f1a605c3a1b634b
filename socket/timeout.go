package socket

import (
	"math"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
)

// SetTimeout is Node's socket.setTimeout(ms, callback): after d without
// reads or writes the socket emits 'timeout' (and closes nothing). Reads,
// writes and a slow write that is still making progress count as activity.
// 0 disables the timer. cb, if not nil, is added as a one-time 'timeout'
// listener. A negative d is ERR_OUT_OF_RANGE; a d above reactor.TimeoutMax
// (about 24.8 days) waits TimeoutMax, as Node truncates with a
// TimeoutOverflowWarning. The timer never keeps the loop alive. On a
// destroyed socket it does nothing.
func (s *Socket) SetTimeout(d time.Duration, cb func()) error {
	if d < 0 {
		return outOfRange("msecs", d)
	}
	if s.zero() {
		return errZero()
	}
	s.exec(func() {
		if s.is(stDestroyed) {
			return
		}
		if cb != nil && d > 0 {
			s.addListener(newListenerID(), EventTimeout, cb, true)
		}
		s.setTimeout(d)
	})
	return nil
}

func (s *Socket) setTimeout(d time.Duration) {
	c := s.c()
	c.idle.Store(int64(d))
	if c.idleTimer != nil {
		c.idleTimer.Stop()
		c.idleTimer = nil
	}
	if d == 0 {
		return
	}
	c.idleFlushed = s.flushedTotal()
	c.idleTimer = s.loop.SetTimeoutArg(d, idleTick, s.handler())
	c.idleTimer.Unref()
}

// touch notes activity: an O(1) lazy refresh of the idle timer, no heap work.
func (s *Socket) touch() {
	if c := s.coldOrNil(); c != nil && c.idleTimer != nil {
		c.idleTimer.Refresh()
	}
}

func (s *Socket) onIdle() {
	if s.is(stDestroyed) {
		return
	}
	// A slow write that is still moving is activity (Node's _onTimeout).
	c := s.c()
	flushed := s.flushedTotal()
	if s.qlen() > 0 && flushed != c.idleFlushed {
		c.idleFlushed = flushed
		c.idleTimer.Refresh()
		return
	}
	c.idleFlushed = flushed
	s.emit0(EventTimeout)
}

// SetNoDelay turns Nagle's algorithm off (true, the default, as in Go's
// stdlib) or on. Before connect it is remembered and applied at connect; on
// a connection it is applied only when it differs from what is set. Unix
// sockets ignore it. Returns the socket.
func (s *Socket) SetNoDelay(noDelay bool) *Socket {
	s.exec(func() {
		s.setNoDelay(noDelay)
		if s.open() {
			s.applyNoDelay()
		}
	})
	return s
}

// SetKeepAlive enables or disables TCP keep-alive probes, the first after
// initialDelay (whole seconds; 0 keeps the system's default). Before
// connect it is remembered and applied at connect. Returns the socket.
func (s *Socket) SetKeepAlive(enable bool, initialDelay time.Duration) *Socket {
	s.exec(func() {
		secs := int(initialDelay / time.Second)
		if secs < 0 {
			secs = 0
		}
		old := 0
		if c := s.coldOrNil(); c != nil {
			old = int(c.keepAliveSecs.Load())
		}
		changed := enable != s.is(stKeepAlive) || (enable && secs != old)
		s.setKeepAlive(enable)
		if secs != old {
			s.c().keepAliveSecs.Store(int32(min(secs, math.MaxInt32)))
		}
		if s.open() && (changed || !s.has(fKeepAliveSet)) {
			s.applyKeepAlive()
		}
	})
	return s
}

func (s *Socket) applySocketOptions() {
	s.applyNoDelay()
	if s.is(stKeepAlive) {
		s.applyKeepAlive()
	}
	s.applyTypeOfService()
}

func (s *Socket) applyNoDelay() {
	if s.fd == sysnet.Invalid || s.kind() == kindUnix || s.kind() == kindNone {
		return
	}
	if s.is(stNoDelay) == s.has(fNoDelaySet) {
		return
	}
	if err := sysnet.SetNoDelay(s.fd, s.is(stNoDelay)); err == nil {
		s.noDelayApplied(s.is(stNoDelay))
	}
}

func (s *Socket) applyKeepAlive() {
	if s.fd == sysnet.Invalid || s.kind() == kindUnix || s.kind() == kindNone {
		return
	}
	secs := 0
	if c := s.coldOrNil(); c != nil {
		secs = int(c.keepAliveSecs.Load())
	}
	if err := sysnet.SetKeepAlive(s.fd, s.is(stKeepAlive), secs); err != nil {
		s.loop.LogError("nodenet: setKeepAlive", nodenet.NewSyscallError("setsockopt", err))
		return
	}
	s.keepAliveApplied()
}

// NoDelay reports the TCP_NODELAY setting applied (or to be applied), from
// any goroutine.
func (s *Socket) NoDelay() bool { return s.is(stNoDelay) }

// KeepAlive reports the keep-alive setting and its initial delay, from any
// goroutine (a SetKeepAlive called elsewhere counts once the loop took it).
func (s *Socket) KeepAlive() (bool, time.Duration) {
	secs := 0
	if c := s.coldOrNil(); c != nil {
		secs = int(c.keepAliveSecs.Load())
	}
	return s.is(stKeepAlive), time.Duration(secs) * time.Second
}

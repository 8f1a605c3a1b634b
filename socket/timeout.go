package socket

import (
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
)

// SetTimeout is Node's socket.setTimeout(ms, callback): after d without
// reads or writes the socket emits 'timeout' (and closes nothing). Reads,
// writes and a slow write that is still making progress count as activity.
// 0 disables the timer. cb, if not nil, is added as a one-time 'timeout'
// listener. A negative d is ERR_OUT_OF_RANGE. The timer never keeps the loop
// alive. On a destroyed socket it does nothing.
func (s *Socket) SetTimeout(d time.Duration, cb func()) error {
	if d < 0 {
		return outOfRange("msecs", d)
	}
	s.exec(func() {
		if s.destroyed {
			return
		}
		if cb != nil && d > 0 {
			s.events.add(newListenerID(), EventTimeout, cb, true)
		}
		s.setTimeout(d)
	})
	return nil
}

func (s *Socket) setTimeout(d time.Duration) {
	s.idle = d
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
	if d == 0 {
		return
	}
	s.idleFlushed = s.queue.Flushed()
	s.idleTimer = s.loop.SetTimeout(d, s.onIdle)
	s.idleTimer.Unref()
}

// touch notes activity: an O(1) lazy refresh of the idle timer, no heap work.
func (s *Socket) touch() {
	if s.idleTimer != nil {
		s.idleTimer.Refresh()
	}
}

func (s *Socket) onIdle() {
	defer s.recoverPanic()
	if s.destroyed {
		return
	}
	// A slow write that is still moving is activity (Node's _onTimeout).
	if s.queue.Len() > 0 && s.queue.Flushed() != s.idleFlushed {
		s.idleFlushed = s.queue.Flushed()
		s.idleTimer.Refresh()
		return
	}
	s.idleFlushed = s.queue.Flushed()
	s.events.emit0(EventTimeout)
}

// SetNoDelay turns Nagle's algorithm off (true, the default, as in Go's
// stdlib) or on. Before connect it is remembered and applied at connect; on
// a connection it is applied only when it differs from what is set. Unix
// sockets ignore it. Returns the socket.
func (s *Socket) SetNoDelay(noDelay bool) *Socket {
	s.exec(func() {
		s.noDelay = noDelay
		if s.connected {
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
		changed := enable != s.keepAlive || (enable && secs != s.keepAliveSecs)
		s.keepAlive, s.keepAliveSecs = enable, secs
		if s.connected && (changed || !s.keepAliveSet) {
			s.applyKeepAlive()
		}
	})
	return s
}

func (s *Socket) applySocketOptions() {
	s.applyNoDelay()
	if s.keepAlive {
		s.applyKeepAlive()
	}
}

func (s *Socket) applyNoDelay() {
	if s.fd == sysnet.Invalid || s.kind == kindUnix || s.kind == kindNone {
		return
	}
	if s.noDelay == s.noDelaySet {
		return
	}
	if err := sysnet.SetNoDelay(s.fd, s.noDelay); err == nil {
		s.noDelaySet = s.noDelay
	}
}

func (s *Socket) applyKeepAlive() {
	if s.fd == sysnet.Invalid || s.kind == kindUnix || s.kind == kindNone {
		return
	}
	if err := sysnet.SetKeepAlive(s.fd, s.keepAlive, s.keepAliveSecs); err != nil {
		s.loop.LogError("nodenet: setKeepAlive", nodenet.NewSyscallError("setsockopt", err))
		return
	}
	s.keepAliveSet = true
}

// NoDelay reports the TCP_NODELAY setting applied (or to be applied).
func (s *Socket) NoDelay() bool { return s.noDelay }

// KeepAlive reports the keep-alive setting and its initial delay.
func (s *Socket) KeepAlive() (bool, time.Duration) {
	return s.keepAlive, time.Duration(s.keepAliveSecs) * time.Second
}

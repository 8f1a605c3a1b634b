package server

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/zap"
)

// acceptBudget bounds the connections taken per readiness event, so a flood
// on one listening descriptor cannot starve the loop's established connections.
const acceptBudget = 64

// acceptor is one listening descriptor, registered on one loop, and what
// accepts on it. ("Listener" in this library means an event callback, as in
// Node; a listening descriptor is an acceptor.)
type acceptor struct {
	srv     *Server
	loop    *reactor.Loop
	fd      nodenet.FD
	id      uint64 // the claim of the listen it belongs to
	unix    bool
	handOff bool       // one acceptor for a Group: hand connections to Group.Next
	spare   nodenet.FD // reserve descriptor for the EMFILE trick; sysnet.Invalid if none
	backoff *reactor.Timer
	paused  bool
	// closed is set once, by whichever of Close's task and the loop's
	// teardown (LoopStopped) comes first: the other one then does nothing.
	closed atomic.Bool
}

// startAccepting registers a bound listen's descriptors: fds[i] on the
// i-th loop of a Group (per-loop acceptors), or the single one on the home
// loop. Every descriptor becomes an acceptor in s.acceptors first, so a
// failure part-way leaves closeAcceptors all of them to close. Home loop.
func (s *Server) startAccepting(b *bound, id uint64) error {
	loops := []*reactor.Loop{s.home}
	if len(b.fds) > 1 {
		loops = s.opts.Group.Loops()
	}
	first := len(s.acceptors)
	for i, fd := range b.fds {
		s.acceptors = append(s.acceptors, &acceptor{srv: s, loop: loops[i], fd: fd, id: id, unix: b.unix,
			spare: sysnet.OpenSpare(), handOff: s.opts.Group != nil && len(b.fds) == 1})
	}
	for _, l := range s.acceptors[first:] {
		if l.loop == s.home {
			if err := l.loop.Register(l.fd, nodenet.EventRead, l); err != nil {
				return err
			}
			continue
		}
		l := l
		if err := l.loop.Post(func() {
			if !l.closed.Load() {
				if err := l.loop.Register(l.fd, nodenet.EventRead, l); err != nil {
					l.srv.logger().Error("nodenet: register acceptor", zap.Error(err))
				}
			}
		}); err != nil {
			return err
		}
	}
	return nil
}

// HandleEvent accepts what is waiting, up to acceptBudget.
func (l *acceptor) HandleEvent(nodenet.Events) {
	for i := 0; i < acceptBudget && !l.closed.Load(); i++ {
		nfd, sa, err := sysnet.Accept(l.fd)
		if err != nil {
			switch {
			case sysnet.IsWouldBlock(err):
				return
			case sysnet.IsAcceptRetry(err):
				continue
			case sysnet.IsOutOfResources(err):
				l.outOfDescriptors(err)
				return
			default:
				l.srv.reportError(nodenet.NewSyscallError("accept", err))
				return
			}
		}
		l.srv.emfileReported.Store(false)
		l.srv.accepted(l, nfd, sa)
	}
}

// LoopStopped closes the acceptor when its loop is stopped under it, and
// removes the listen's socket file as Close would (libuv unlinks it when
// the pipe handle closes): a stopped loop leaves no path behind.
func (l *acceptor) LoopStopped(error) {
	l.close()
	if l.unix {
		l.srv.stoppedUnder(l.id)
	}
}

// outOfDescriptors is libuv's EMFILE trick: give up the reserve descriptor,
// accept and at once close what is waiting (those clients see the
// connection close instead of hanging in the backlog, and the descriptor stops
// being readable, so the loop does not spin), then take the reserve back. If
// there is no reserve to give, stop polling the descriptor and retry on a
// backoff timer. Either way the error is reported once, not per retry, and
// the open connections keep being served.
func (l *acceptor) outOfDescriptors(err error) {
	if l.srv.emfileReported.CompareAndSwap(false, true) {
		l.srv.logger().Warn("nodenet: out of file descriptors; shedding new connections until some close",
			zap.Error(err), zap.Any("fd", l.fd))
		l.srv.reportError(nodenet.NewSyscallError("accept", err))
	}
	if l.spare != sysnet.Invalid {
		sysnet.Close(l.spare)
		l.spare = sysnet.Invalid
		for {
			nfd, _, aerr := sysnet.Accept(l.fd)
			if aerr != nil {
				break
			}
			sysnet.Close(nfd)
		}
		l.spare = sysnet.OpenSpare()
		if l.spare != sysnet.Invalid {
			return
		}
	}
	if !l.paused {
		l.paused = true
		_ = l.loop.SetInterest(l.fd, 0)
		l.backoff = l.loop.SetTimeout(100*time.Millisecond, func() {
			l.paused = false
			if !l.closed.Load() {
				if l.spare == sysnet.Invalid {
					l.spare = sysnet.OpenSpare()
				}
				_ = l.loop.SetInterest(l.fd, nodenet.EventRead)
			}
		})
		l.backoff.Unref()
	}
}

func (l *acceptor) close() {
	if !l.closed.CompareAndSwap(false, true) {
		return
	}
	if l.backoff != nil {
		l.backoff.Stop()
	}
	_ = l.loop.Unregister(l.fd)
	l.srv.closeListenFD(l.fd)
	if l.spare != sysnet.Invalid {
		sysnet.Close(l.spare)
		l.spare = sysnet.Invalid
	}
}

// accepted applies maxConnections, then builds the Socket on its loop and
// emits 'connection' there.
func (s *Server) accepted(l *acceptor, fd nodenet.FD, sa sysnet.Addr) {
	if !s.reserveConn() {
		info := dropInfo(fd, sa)
		sysnet.Close(fd)
		_ = s.home.Exec(func() { s.emitDrop(info) })
		return
	}
	if bl := s.opts.BlockList; bl != nil && !l.unix && bl.CheckAddr(sa.IP.Addr()) {
		sysnet.Close(fd)
		s.connectionGone()
		return
	}
	target := l.loop
	// Decided per acceptor, not from s.acceptors: that slice is home-loop
	// state, and with per-loop acceptors this runs on the other loops.
	if l.handOff {
		target = s.opts.Group.Next()
	}
	if target == l.loop {
		// Inline, without a closure: nothing here outlives the call.
		s.create(target, fd, sa.IP, l.unix)
		return
	}
	unix, remote := l.unix, sa.IP
	if err := target.Post(func() { s.create(target, fd, remote, unix) }); err != nil {
		sysnet.Close(fd)
		s.connectionGone()
	}
}

// create builds the Socket on its loop and emits 'connection' there.
func (s *Server) create(target *reactor.Loop, fd nodenet.FD, remote netip.AddrPort, unix bool) {
	o := s.acceptOptions(unix)
	o.Remote = remote
	v, err := seam.NewAccepted(target, fd, o)
	if err != nil {
		sysnet.Close(fd)
		s.connectionGone()
		s.reportError(err)
		return
	}
	s.emitConnection(v.(*socket.Socket))
}

// reserveConn counts a new connection unless maxConnections is reached. It
// checks and counts in one step: per-loop acceptors of a Group accept
// concurrently, and a separate load and add could let each of them pass the
// limit at the same time.
func (s *Server) reserveConn() bool {
	for {
		n := s.conns.Load()
		if max := s.maxConns.Load(); max >= 0 && n >= max {
			return false
		}
		if s.conns.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// acceptedConn is an accepted Socket as the owner of its 'connection'
// listeners (reactor.PanicHandler): a pointer conversion, so emitting costs
// no allocation.
type acceptedConn socket.Socket

// HandlePanic destroys the socket a 'connection' listener panicked on. The
// loop logged the panic; a server with its own Logger hears of it too.
func (c *acceptedConn) HandlePanic(err error) {
	sock := (*socket.Socket)(c)
	if s, ok := sock.Owner().(*Server); ok && s.opts.Logger != nil {
		s.opts.Logger.Error("nodenet: connection listener panicked", zap.Error(err))
	}
	sock.Destroy(err)
}

// connectionGone is the socket's destroy hook: the count drops at once and a
// closing server emits 'close' after its last connection.
func (s *Server) connectionGone() {
	if s.conns.Add(-1) == 0 {
		// Called directly on the home loop: the method value Exec takes is
		// a heap object, one per connection for a server that keeps
		// dropping to zero connections.
		if s.home.InLoop() {
			s.maybeClose()
			return
		}
		_ = s.home.Post(s.maybeClose)
	}
}

func (s *Server) reportError(err error) {
	_ = s.home.Exec(func() { s.emitError(err) })
}

func dropInfo(fd nodenet.FD, remote sysnet.Addr) DropInfo {
	var d DropInfo
	if r := addressOf(remote); r.Family != "unix" && r.Family != "" {
		d.RemoteAddress, d.RemoteFamily, d.RemotePort = r.Address, r.Family, r.Port
		if sa, err := sysnet.LocalAddr(fd); err == nil {
			la := addressOf(sa)
			d.LocalAddress, d.LocalFamily, d.LocalPort = la.Address, la.Family, la.Port
		}
	}
	return d
}

// acceptOptions is what every accepted connection inherits from the server
// (Node's createServer options), for sockets and named pipes alike: a copy
// of the options built once by initAcceptOptions.
func (s *Server) acceptOptions(isUnix bool) seam.AcceptOptions {
	if isUnix {
		return s.accept[1]
	}
	return s.accept[0]
}

// initAcceptOptions builds the accept options and the owner hook once, so
// accepting allocates neither (the method value s.connectionGone would be a
// closure per connection, the StreamOptions an interface box).
func (s *Server) initAcceptOptions() {
	s.hook = seam.OwnerHook{Owner: s, OnDestroy: s.connectionGone}
	var stream any = s.opts.StreamOptions // boxed once, shared by both
	for i := range s.accept {
		s.accept[i] = seam.AcceptOptions{
			Stream:         stream,
			PauseOnConnect: s.opts.PauseOnConnect,
			Unix:           i == 1,
			Hook:           &s.hook,
		}
	}
}

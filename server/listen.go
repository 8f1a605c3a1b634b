package server

import (
	"errors"
	"net/netip"
	"os"
	"strconv"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/jsfmt"
	"github.com/nodenet/nodenet/internal/resolver"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/zap"
)

// DefaultBacklog is Node's listen backlog (the kernel rounds it up to 512).
const DefaultBacklog = 511

// ListenOptions are Node's server.listen(options) options. The zero value
// listens on an OS-chosen port on every address (dual-stack "::" where IPv6
// exists, else "0.0.0.0").
type ListenOptions struct {
	// Port: 0 asks the OS for a free port (reported by Address).
	Port int
	// Host to bind; "" is every address. A host name is resolved first (the
	// first address that is not IPv6 link-local is used).
	Host string
	// Path listens on a Unix domain socket instead; a leading '@' or NUL
	// byte is a Linux abstract name. On Windows it is a named pipe,
	// \\.\pipe\name or \\?\pipe\name (docs/platforms.md).
	Path string
	// Backlog of pending connections (default 511). A negative one is
	// accepted, as Node does, and means as many as the kernel allows.
	Backlog int
	// Exclusive (for a server on a Group): one listening handle on the home
	// loop instead of one per loop.
	Exclusive bool
	// ReadableAll and WritableAll make the Unix socket file readable and
	// writable by all users (not allowed for abstract names).
	ReadableAll, WritableAll bool
	// IPv6Only disables dual-stack on an IPv6 host (IPV6_V6ONLY).
	IPv6Only bool
	// ReusePort sets SO_REUSEPORT so several servers (or processes) can
	// listen on the same port; it implies Exclusive.
	ReusePort bool
	// Handle listens on an existing descriptor: an int (a bound socket, a
	// socket handed over by a parent, one from SystemdListeners; on Windows
	// also a nodenet.FD, the SOCKET handle), another *Server's listening
	// handle, or a *socket.Socket's descriptor (Unix only: Windows cannot
	// duplicate a socket within a process, so those fail with ENOTSUP).
	Handle any
	// Lookup resolves Host (socket.DefaultLookup when nil), asked for every
	// address (LookupOptions.All), as Node's listen looks up {all: true}.
	Lookup socket.LookupFunc
}

// Listen starts accepting connections (Node's server.listen). cb, if not
// nil, is a one-time 'listening' listener; like Node's it stays attached if
// this attempt fails, and fires on a later successful Listen. Argument
// errors and a second Listen without Close (ERR_SERVER_ALREADY_LISTEN) are
// returned at once, from any goroutine and whether or not the home loop is
// running; bind and listen failures (EADDRINUSE, EACCES, ...) come as an
// 'error' event carrying the address and port, on the home loop.
//
// As in Node, a listen without a host, on a Unix socket path or on a
// handle binds during the call, on the caller's goroutine: Address and
// Listening answer for it as soon as Listen returns, from any goroutine,
// and 'listening' follows on the home loop. A host, even an IP literal, is
// looked up first, as Node does, so Address is nil until the loop has the
// answer. Listen never waits for the loop; on a stopped loop it fails with
// ErrLoopStopped and nothing stays bound. (On Windows a Path is a named
// pipe, whose instances are created at the call too.)
func (s *Server) Listen(o ListenOptions, cb func()) error {
	if s.zero() {
		return errZero()
	}
	if err := o.validate(); err != nil {
		return err
	}
	switch {
	case o.Handle != nil:
		return s.listenNow(&o, cb, s.bindHandle)
	case o.Path != "":
		return s.listenPath(&o, cb)
	case o.Host == "":
		return s.listenNow(&o, cb, s.bindAnyHost)
	}
	return s.listenLater(&o, cb, s.startHost)
}

func (s *Server) bindAnyHost(o *ListenOptions) (*bound, error) {
	return s.bindTCPListen(o, netip.Addr{}, true)
}

// listenNow is the synchronous listen: the claim taken and the
// descriptors bound under s.mu on the caller's goroutine, the state and
// address published, and the loop's half (register with the poller, then
// 'listening' or 'error' on the next tick) posted under s.mu, so it runs
// after every Close that came before and before every one that comes after.
//
// One bind is put off: a Close posted before this Listen may not have
// closed its descriptors yet (Node closes them inside close(); here the
// home loop does, as they are registered with its poller), so the same
// port is still in use. An EADDRINUSE while such a close is pending is
// retried on the loop, after that close. Node's listen would have bound,
// so meanwhile the server answers as bound: Listening is true, Address is
// the address the bind will take (the failed bind's address and port), and
// a Close gets no ERR_SERVER_NOT_RUNNING; if the retry fails after all
// (another process took the port meanwhile), its 'error' follows.
func (s *Server) listenNow(o *ListenOptions, cb func(), bind func(*ListenOptions) (*bound, error)) error {
	s.mu.Lock()
	if s.claim.Load() != 0 {
		s.mu.Unlock()
		return nodenet.ErrServerAlreadyListen
	}
	// Read before the bind: a close that completes during the bind must
	// still count, and one done before it cannot be the cause.
	closing := s.closesPending.Load() > 0
	b, err := guardBind(bind, o)
	switch {
	case err != nil && closing && errors.Is(err, sysnet.EADDRINUSE):
		id := s.takeClaim(stateListening)
		if a := pendingAddress(err); a != nil {
			s.addr.Store(a)
		}
		return s.postListen(id, nil, func() {
			s.begin(cb)
			defer s.recoverListen(id)
			if !s.current(id, stateListening) {
				return // closed or replaced before the retry
			}
			b, err := bind(o)
			switch {
			case err != nil:
				s.fail(id, err)
			case !s.commitDeferred(id, b):
				b.release()
			default:
				s.activate(id, b)
			}
		})
	case err != nil:
		// Node: no handle, the error on the next tick.
		s.setState(stateIdle)
		return s.postListen(0, nil, func() {
			s.begin(cb)
			s.home.NextTick(func() { s.emitError(err) })
		})
	}
	id := s.takeClaim(stateListening)
	s.publish(b)
	return s.postListen(id, b, func() {
		s.begin(cb)
		defer s.recoverListen(id)
		s.activate(id, b)
	})
}

// listenLater is the asynchronous listen: the claim taken now, the state
// resolving, and start(o, id) run on the home loop.
func (s *Server) listenLater(o *ListenOptions, cb func(), start func(*ListenOptions, uint64)) error {
	s.mu.Lock()
	id := s.takeClaim(stateResolving)
	if id == 0 {
		s.mu.Unlock()
		return nodenet.ErrServerAlreadyListen
	}
	return s.postListen(id, nil, func() {
		s.begin(cb)
		defer s.recoverListen(id)
		start(o, id)
	})
}

// postListen hands a listen's loop half to the home loop and unlocks
// s.mu, which the caller holds. Posted under s.mu, the task keeps the
// order of the state changes; on the loop it runs inline, after the
// unlock (a Close from elsewhere can only post behind it). If the loop is
// stopped, listen id is undone — nothing would register b or settle it —
// and Listen reports ErrLoopStopped.
func (s *Server) postListen(id uint64, b *bound, task func()) error {
	if s.home.InLoop() {
		s.mu.Unlock()
		task()
		return nil
	}
	err := s.home.Post(task)
	if err != nil && id != 0 {
		s.claim.Store(0)
		s.setState(stateIdle)
		s.unpublish() // a deferred bind's pending address too
		if b != nil {
			s.addr.Store(nil) // not even a Unix path: this listen never was
			// b was published: a dup of its first descriptor
			// (dupFirstFD) may be under way.
			s.fdMu.Lock()
			b.release()
			s.fdMu.Unlock()
		}
	}
	s.mu.Unlock()
	return err
}

// guardBind runs bind, turning a panic in it (a bug) into the listen's
// error: on the caller's goroutine with s.mu held, it would otherwise
// leave the server locked for good.
func guardBind(bind func(*ListenOptions) (*bound, error), o *ListenOptions) (b *bound, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, reactor.PanicError(r)
		}
	}()
	return bind(o)
}

// begin is the start of every listen's loop half: Listen's callback
// becomes a once('listening') listener, and the loop is held while the
// server is active. Home loop.
func (s *Server) begin(cb func()) {
	if cb != nil {
		s.addOnce(EventListening, cb)
	}
	s.updateRef()
}

// recoverListen turns a panic in a listen's loop half (a bug) into that
// listen's error, so it does not leave the server claimed for ever with
// nothing emitted (what a nil Handle used to do). Deferred; home loop.
func (s *Server) recoverListen(id uint64) {
	if r := recover(); r != nil {
		perr := reactor.PanicError(r)
		s.logger().Error("nodenet: listen panicked", zap.Error(perr))
		s.closeAcceptors()
		s.fail(id, perr)
	}
}

// ListenTCP is Listen(ListenOptions{Port: port, Host: host}, cb).
func (s *Server) ListenTCP(port int, host string, cb func()) error {
	return s.Listen(ListenOptions{Port: port, Host: host}, cb)
}

// ListenUnix is Listen(ListenOptions{Path: path}, cb): Node's
// server.listen(path). An empty path is ERR_INVALID_ARG_VALUE, as Node's
// listen({path: ”}) — not the zero ListenOptions, which would listen on
// TCP on every interface.
func (s *Server) ListenUnix(path string, cb func()) error {
	if s.zero() {
		return errZero() // as Listen: the zero value first, then the argument
	}
	if path == "" {
		return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options' is invalid. Received { path: '' }")
	}
	return s.Listen(ListenOptions{Path: path}, cb)
}

// Validate applies Listen's synchronous argument checks without listening:
// what Listen returns for bad options (ERR_SOCKET_BAD_PORT,
// ERR_INVALID_ARG_VALUE).
func (o *ListenOptions) Validate() error { return o.validate() }

func (o *ListenOptions) validate() error {
	if o.Port < 0 || o.Port > 0xFFFF {
		return nodenet.ValidatePort(o.Port, "options.port")
	}
	if o.Path != "" && isAbstract(o.Path) && (o.ReadableAll || o.WritableAll) {
		got := "{ path: " + jsfmt.Quote(o.Path)
		if o.ReadableAll {
			got += ", readableAll: true"
		}
		if o.WritableAll {
			got += ", writableAll: true"
		}
		return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options' can not set readableAll or writableAllt to true when path is abstract unix socket. Received "+got+" }")
	}
	if o.Handle != nil {
		if _, n, ok := handleFD(o.Handle); ok {
			if n < 0 {
				return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options' is invalid. Received {fd: "+strconv.FormatInt(n, 10)+"}")
			}
		} else if !isHandleObject(o.Handle) {
			return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options.handle' is invalid")
		} else if nilHandle(o.Handle) {
			return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options.handle' is invalid. Received a nil or zero-value "+handleTypeName(o.Handle))
		}
		if o.Path != "" || o.Port != 0 {
			return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options' is invalid: handle with port or path")
		}
	}
	return nil
}

func isAbstract(path string) bool { return path[0] == 0 || path[0] == '@' }

func (s *Server) backlog(o *ListenOptions) int {
	if o.Backlog > 0 {
		return o.Backlog
	}
	if o.Backlog < 0 {
		// Node passes a negative backlog on to listen(2), which takes it as
		// "as many as allowed" (the kernel caps it at somaxconn); so does
		// this large one.
		return 65535
	}
	return DefaultBacklog
}

// startHost is a listen with a host, on the home loop. Node always goes
// through the resolver there, so even an IP literal binds on the next
// tick (Address is nil until then).
func (s *Server) startHost(o *ListenOptions, id uint64) {
	host := o.Host
	if ip, err := netip.ParseAddr(host); err == nil && nodenet.IsIP(host) != 0 {
		s.home.NextTick(func() {
			if s.current(id, stateResolving) {
				b, err := s.bindTCPListen(o, ip, false)
				s.finish(id, b, err)
			}
		})
		return
	}
	s.resolve(host, o.Lookup, func(addrs []socket.LookupAddress, err error) {
		if !s.current(id, stateResolving) {
			return
		}
		if err != nil {
			s.fail(id, err)
			return
		}
		ip, ok := pickListenAddr(addrs)
		if !ok {
			s.fail(id, nodenet.NewDNSError("ENOTFOUND", host, nil))
			return
		}
		b, err := s.bindTCPListen(o, ip, false)
		s.finish(id, b, err)
	})
}

// resolve runs lookup (socket.DefaultLookup when nil) for host on the
// process's resolver pool and calls cb with the answer on the home loop.
// While it is pending it keeps the loop's Run going, as a pending lookup
// does in Node. A panic in a user's lookup becomes its error. Home loop.
func (s *Server) resolve(host string, lookup socket.LookupFunc, cb func([]socket.LookupAddress, error)) {
	if lookup == nil {
		lookup = socket.DefaultLookup
	}
	l := s.home
	l.Ref()
	resolver.Default.Submit(func() {
		addrs, err := resolver.Guard(func() ([]socket.LookupAddress, error) { return lookup(host, socket.LookupOptions{All: true}) })
		_ = l.Post(func() {
			l.Unref()
			cb(addrs, err)
		})
	})
}

// pickListenAddr is Node's rule: the first address that is not IPv6
// link-local, else the first.
func pickListenAddr(addrs []socket.LookupAddress) (netip.Addr, bool) {
	var first netip.Addr
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a.Address)
		if err != nil {
			continue
		}
		if !first.IsValid() {
			first = ip
		}
		if !(ip.Is6() && ip.IsLinkLocalUnicast()) {
			return ip, true
		}
	}
	return first, first.IsValid()
}

// finish settles a listen bound on the home loop (a host's, or a deferred
// bind): failed with err, or void if Close or a newer Listen came since
// (the descriptors are released), or published and activated.
func (s *Server) finish(id uint64, b *bound, err error) {
	if err != nil {
		s.fail(id, err)
		return
	}
	if !s.commit(id, b) {
		b.release()
		return
	}
	s.activate(id, b)
}

// pendingAddress is the address a deferred bind will take, from its
// EADDRINUSE (Node's error carries the listen's address and port): a TCP
// address, or nil (a Unix path keeps its Address across Close anyway).
func pendingAddress(err error) *socket.AddressInfo {
	var ne *nodenet.Error
	if !errors.As(err, &ne) || ne.Port <= 0 {
		return nil
	}
	ip, perr := netip.ParseAddr(ne.Address)
	if perr != nil {
		return nil
	}
	family := "IPv4"
	if ip.Is6() && !ip.Is4In6() {
		family = "IPv6"
	}
	return &socket.AddressInfo{Address: ne.Address, Family: family, Port: ne.Port}
}

// commitDeferred publishes b, bound on the home loop by a deferred bind,
// as listen id, unless that listen is no longer current.
func (s *Server) commitDeferred(id uint64, b *bound) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.current(id, stateListening) {
		return false
	}
	s.publish(b)
	return true
}

// commit publishes b as listen id, bound on the home loop, unless that
// listen is no longer current.
func (s *Server) commit(id uint64, b *bound) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.current(id, stateResolving) {
		return false
	}
	s.setState(stateListening)
	s.publish(b)
	return true
}

// activate is the home loop's half of a bound listen: register the
// descriptors with the pollers, then emit 'listening'. Every listen before
// this one was closed by a task that ran earlier, so the acceptors are
// this listen's alone. Home loop.
func (s *Server) activate(id uint64, b *bound) {
	err := s.startAccepting(b, id)
	if err == nil {
		err = s.startPipe(b)
	}
	if err != nil {
		s.closeAcceptors()
		s.fail(id, nodenet.NewListenError("listen", err, b.where, b.port))
		return
	}
	s.emitListeningLater()
}

// emitListeningLater emits 'listening' on the next tick if the server is
// listening then. Node's emitListeningNT checks only that the server has a
// handle, not that it is this listen's: after listen(), close(), listen()
// in one tick the first listen's tick emits 'listening' (the second listen
// is bound by then), before the close's 'close', and the second's emits it
// again. A Close since, or a listen still resolving, leaves it out. Home
// loop.
func (s *Server) emitListeningLater() {
	s.home.NextTick(func() {
		if s.getState() == stateListening {
			s.emitListening()
		}
	})
}

// fail ends listen id with err: the handle is dropped, so Listen may be
// called again (from the error handler, typically), and 'error' follows
// on the next tick. A listen already closed or replaced fails silently:
// in the callers' order it was over before it failed. Home loop.
func (s *Server) fail(id uint64, err error) {
	s.mu.Lock()
	live := s.claim.Load() == id
	if live {
		s.claim.Store(0)
		s.setState(stateIdle)
		s.unpublish()
	}
	s.mu.Unlock()
	s.updateRef()
	if live {
		s.home.NextTick(func() { s.emitError(err) })
	}
}

// publish makes a bound listen visible to every goroutine: Address, the
// first descriptor (for another server's Listen{Handle: s}), and the
// socket file to remove when it ends. Under s.mu.
func (s *Server) publish(b *bound) {
	s.addr.Store(b.info)
	if len(b.fds) > 0 {
		s.firstFDPlus1.Store(int64(b.fds[0]) + 1)
	}
	s.sockFile = b.file
}

// unpublish is the end of a listen as every goroutine sees it, at once as
// in Node's close(): no TCP address (a Unix path is kept, as Node keeps
// the pipe name), no descriptor to borrow, and the socket file removed,
// so the path can be listened on again right away. The descriptors
// themselves are closed on their loops (closeAcceptors). Under s.mu.
func (s *Server) unpublish() {
	s.firstFDPlus1.Store(0)
	if s.sockFile != "" {
		os.Remove(s.sockFile)
		s.sockFile = ""
	}
	if a := s.addr.Load(); a != nil && a.Family != "unix" {
		s.addr.Store(nil)
	}
}

// nilHandle reports a *Server or *socket.Socket handle that cannot hold a
// descriptor: nil, or a zero value made without its constructor.
func nilHandle(h any) bool {
	switch h := h.(type) {
	case *Server:
		return h == nil || h.zero()
	case *socket.Socket:
		return h == nil || h.Loop() == nil
	}
	return false
}

func handleTypeName(h any) string {
	if _, ok := h.(*Server); ok {
		return "*server.Server"
	}
	return "*socket.Socket"
}

func isHandleObject(h any) bool {
	switch h.(type) {
	case *Server, *socket.Socket:
		return true
	}
	return false
}

// firstFD is the server's first listening descriptor (sysnet.Invalid when
// it has none), from any goroutine: Listen{Handle: other} runs on this
// server's home loop, the other server's state on its own.
func (s *Server) firstFD() nodenet.FD {
	v := s.firstFDPlus1.Load()
	if v == 0 {
		return sysnet.Invalid
	}
	return nodenet.FD(v - 1)
}

package server

import (
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"

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
// 'error' event carrying the address and port. Called off the loop while it
// runs, Listen returns once the loop has taken the call (a host-less listen
// has bound by then); while it is not running, the work is posted.
func (s *Server) Listen(o ListenOptions, cb func()) error {
	if s.zero() {
		return errZero()
	}
	if err := o.validate(); err != nil {
		return err
	}
	// Claim the handle synchronously, from whatever goroutine this is, so a
	// second Listen is refused at once in every state, as Node throws: even
	// when the home loop is not running yet and the work below is only
	// posted (the home loop's state may not have caught up yet).
	id := s.claimSeq.Add(1)
	if !s.claim.CompareAndSwap(0, id) {
		return nodenet.ErrServerAlreadyListen
	}
	var err error
	done := make(chan struct{})
	// Off the loop, wait for the result only while the loop runs (then the
	// bind has happened and Address is valid when Listen returns, as after
	// Node's synchronous listen); a loop that is not running yet gets the
	// work posted. Decided before posting, so run knows if anyone waits.
	inLoop := s.home.InLoop()
	var waiting atomic.Bool
	waiting.Store(inLoop || s.home.Running())
	run := func() {
		defer close(done)
		defer func() {
			// A bug here must not leave the server claimed for ever with
			// nothing emitted (what a nil Handle used to do): give the
			// handle back and report it as the listen's error.
			if r := recover(); r != nil {
				perr := reactor.PanicError(r)
				s.logger().Error("nodenet: listen panicked", zap.Error(perr))
				s.listenFailed(perr)
				if waiting.Load() {
					err = perr
				}
			}
		}()
		if s.active() {
			// Only reachable when another goroutine's Close released the
			// claim and its task has not run yet: refuse and give the claim
			// back; report it as an event if nobody waits for err.
			s.claim.CompareAndSwap(id, 0)
			err = nodenet.ErrServerAlreadyListen
			if !waiting.Load() {
				s.home.NextTick(func() { s.emitError(nodenet.ErrServerAlreadyListen) })
			}
			return
		}
		s.claimID = id
		if cb != nil {
			s.addListening(handler[func()]{fn: cb, once: true})
		}
		s.startListen(&o)
	}
	if inLoop {
		run()
		return err
	}
	if perr := s.home.Post(run); perr != nil {
		s.claim.CompareAndSwap(id, 0)
		return perr
	}
	if !waiting.Load() {
		return nil
	}
	// A loop that ran out of work may return from Run just as the task is
	// posted, leaving it for the next Run: re-check now and then instead
	// of waiting forever (the task normally runs within microseconds).
	recheck := time.NewTicker(10 * time.Millisecond)
	defer recheck.Stop()
	for {
		select {
		case <-done:
			return err
		case <-s.home.Done(): // stopped before it ran the task
			select {
			case <-done:
				return err
			default:
				s.claim.CompareAndSwap(id, 0)
				return nodenet.ErrLoopStopped
			}
		case <-recheck.C:
			if !s.home.Running() {
				waiting.Store(false)
				select {
				case <-done:
					return err
				default:
					return nil // runs, as posted work, on the next Run
				}
			}
		}
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

// startListen runs on the home loop.
func (s *Server) startListen(o *ListenOptions) {
	s.setState(stateResolving)
	s.updateRef()
	id := s.claimID
	switch {
	case o.Handle != nil:
		s.listenHandle(o)
	case o.Path != "":
		s.listenUnix(o)
	case o.Host == "":
		s.listenTCP(o, netip.Addr{}, true)
	default:
		// With a host Node always goes through the resolver, so even an IP
		// literal listens asynchronously (Address is nil until then).
		host := o.Host
		if ip, err := netip.ParseAddr(host); err == nil && nodenet.IsIP(host) != 0 {
			s.home.NextTick(func() {
				if s.current(id, stateResolving) {
					s.listenTCP(o, ip, false)
				}
			})
			return
		}
		s.resolve(host, o.Lookup, func(addrs []socket.LookupAddress, err error) {
			if !s.current(id, stateResolving) {
				return
			}
			if err != nil {
				s.listenFailed(err)
				return
			}
			ip, ok := pickListenAddr(addrs)
			if !ok {
				s.listenFailed(nodenet.NewDNSError("ENOTFOUND", host, nil))
				return
			}
			s.listenTCP(o, ip, false)
		})
	}
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

// listenFailed reports a listen error on the next tick and drops the handle,
// so Listen may be called again (from the error handler, typically).
func (s *Server) listenFailed(err error) {
	s.closeAcceptors()
	s.setState(stateIdle)
	s.claim.CompareAndSwap(s.claimID, 0) // unless a Close already released it
	s.updateRef()
	s.home.NextTick(func() { s.emitError(err) })
}

func (s *Server) listenSucceeded(info *socket.AddressInfo) {
	s.addr.Store(info)
	s.setState(stateListening)
	id := s.claimID
	s.home.NextTick(func() {
		if s.current(id, stateListening) {
			s.emitListening()
		}
	})
}

// listenTCP binds one handle, or one per loop for a reuse-port Group.
func (s *Server) listenTCP(o *ListenOptions, ip netip.Addr, anyHost bool) {
	perLoop := s.opts.Group != nil && !o.Exclusive && !o.ReusePort && s.balance() == BalanceReusePort
	reuse := o.ReusePort || perLoop
	backlog := s.backlog(o)
	candidates := []netip.Addr{ip}
	if anyHost {
		candidates = []netip.Addr{netip.IPv6Unspecified(), netip.IPv4Unspecified()}
	}
	var fd nodenet.FD
	var err error
	var bound netip.Addr
	for i, c := range candidates {
		fd, err = bindTCP(c, o.Port, backlog, o.IPv6Only, reuse)
		if err == nil {
			bound = c
			break
		}
		if !anyHost || i == len(candidates)-1 || !ipv6Unavailable(err) {
			break
		}
	}
	var display string
	if anyHost {
		display = "::"
		if bound.Is4() {
			display = "0.0.0.0"
		}
	} else {
		display = ip.String()
	}
	if err != nil {
		s.listenFailed(nodenet.NewListenError("listen", err, display, o.Port))
		return
	}
	sa, gerr := sysnet.LocalAddr(fd)
	if gerr != nil {
		sysnet.Close(fd)
		s.listenFailed(nodenet.NewListenError("listen", gerr, display, o.Port))
		return
	}
	info := addressOf(sa)
	fds := []nodenet.FD{fd}
	if perLoop {
		for range s.opts.Group.Loops()[1:] {
			extra, eerr := bindTCP(bound, info.Port, backlog, o.IPv6Only, true)
			if eerr != nil {
				for _, f := range fds {
					sysnet.Close(f)
				}
				s.listenFailed(nodenet.NewListenError("listen", eerr, display, info.Port))
				return
			}
			fds = append(fds, extra)
		}
	}
	if err := s.startAccepting(fds, false); err != nil {
		s.listenFailed(nodenet.NewListenError("listen", err, display, info.Port))
		return
	}
	s.listenSucceeded(info)
}

func (s *Server) balance() Balance {
	if s.opts.Balance == BalanceDefault {
		return BalanceAcceptor
	}
	return s.opts.Balance
}

func ipv6Unavailable(err error) bool { return sysnet.IsNoIPv6(err) }

func bindTCP(ip netip.Addr, port, backlog int, v6only, reusePort bool) (nodenet.FD, error) {
	fd, err := sysnet.Socket(ip.Is6())
	if err != nil {
		return sysnet.Invalid, err
	}
	fail := func(err error) (nodenet.FD, error) {
		sysnet.Close(fd)
		return sysnet.Invalid, err
	}
	if err := sysnet.SetReuseAddr(fd); err != nil {
		return fail(err)
	}
	if ip.Is6() {
		if err := sysnet.SetV6Only(fd, v6only); err != nil {
			return fail(err)
		}
	}
	if reusePort {
		if err := sysnet.SetReusePort(fd); err != nil {
			return fail(err)
		}
	}
	// Listening addresses carry no zone (as before: the kernel's scope id
	// is not part of a server's address).
	if err := sysnet.Bind(fd, netip.AddrPortFrom(ip.WithZone(""), uint16(port))); err != nil {
		return fail(err)
	}
	if err := sysnet.Listen(fd, backlog); err != nil {
		return fail(err)
	}
	return fd, nil
}

// addressOf is a kernel socket name as Node's address object
// (sysnet.Addr.NodeAddress, the one conversion), except that a server
// reports an IPv6 address without its zone.
func addressOf(a sysnet.Addr) *socket.AddressInfo {
	if a.IP.IsValid() {
		a.IP = netip.AddrPortFrom(a.IP.Addr().WithZone(""), a.IP.Port())
	}
	address, family, port := a.NodeAddress()
	return &socket.AddressInfo{Address: address, Family: family, Port: port}
}

// listenHandle listens on an inherited or borrowed descriptor.
func (s *Server) listenHandle(o *ListenOptions) {
	fd, _, borrowed := handleFD(o.Handle)
	var src sysnet.FD = sysnet.Invalid
	switch h := o.Handle.(type) {
	case *Server:
		src = h.firstFD()
	case *socket.Socket:
		src = h.FD()
	}
	if !borrowed {
		// Another server's or socket's descriptor: listen on a duplicate,
		// so closing either one leaves the other intact.
		if src == sysnet.Invalid {
			s.listenFailed(nodenet.NewListenError("listen", sysnet.EBADF, "", 0))
			return
		}
		d, err := sysnet.Dup(src)
		if err != nil {
			s.listenFailed(nodenet.NewListenError("listen", err, "", 0))
			return
		}
		fd = d
	}
	sa, err := sysnet.LocalAddr(fd)
	if err == nil {
		err = sysnet.Listen(fd, s.backlog(o))
	}
	if err == nil {
		err = sysnet.SetNonblock(fd)
	}
	if err != nil {
		if !borrowed {
			sysnet.Close(fd)
		}
		s.listenFailed(nodenet.NewListenError("listen", err, "", 0))
		return
	}
	sysnet.CloseOnExec(fd)
	info := addressOf(sa)
	if err := s.startAccepting([]nodenet.FD{fd}, sa.Unix); err != nil {
		s.listenFailed(nodenet.NewListenError("listen", err, "", 0))
		return
	}
	s.listenSucceeded(info)
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

//go:build unix

package server

import (
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
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
	// byte is a Linux abstract name.
	Path string
	// Backlog of pending connections (default 511).
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
	// socket handed over by a parent, one from SystemdListeners), another
	// *Server's listening handle, or a *socket.Socket's descriptor.
	Handle any
	// Lookup resolves Host (socket.DefaultLookup when nil).
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
	if err := o.validate(); err != nil {
		return err
	}
	// Claim the handle synchronously, from whatever goroutine this is, so a
	// second Listen is refused at once in every state, as Node throws: even
	// when the home loop is not running yet and the work below is only
	// posted (the home-loop hasHandle cannot be read from here).
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
		if s.hasHandle {
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
			s.onListening = append(s.onListening, handler[func()]{fn: cb, once: true})
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

// ListenUnix is Listen(ListenOptions{Path: path}, cb).
func (s *Server) ListenUnix(path string, cb func()) error {
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
	if o.Backlog < 0 {
		return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options.backlog' is invalid. Received "+strconv.Itoa(o.Backlog))
	}
	if o.Path != "" && isAbstract(o.Path) && (o.ReadableAll || o.WritableAll) {
		return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options' can not set readableAll or writableAllt to true when path is abstract unix socket")
	}
	if o.Handle != nil {
		switch h := o.Handle.(type) {
		case int:
			if h < 0 {
				return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options' is invalid. Received {fd: "+strconv.Itoa(h)+"}")
			}
		case *Server, *socket.Socket:
		default:
			return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options.handle' is invalid")
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
	return DefaultBacklog
}

// startListen runs on the home loop.
func (s *Server) startListen(o *ListenOptions) {
	s.hasHandle = true
	s.closing = false
	s.listenGen++
	s.updateRef()
	gen := s.listenGen
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
				if s.listenGen == gen && s.hasHandle {
					s.listenTCP(o, ip, false)
				}
			})
			return
		}
		socket.Resolve(s.home, host, 0, o.Lookup, func(addrs []socket.LookupAddress, err error) {
			if s.listenGen != gen || !s.hasHandle {
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
	s.closeListeners()
	s.hasHandle = false
	s.claim.CompareAndSwap(s.claimID, 0) // unless a Close already released it
	s.isListening.Store(false)
	s.updateRef()
	s.home.NextTick(func() { s.emitError(err) })
}

func (s *Server) listenSucceeded(info *socket.AddressInfo) {
	s.addr.Store(info)
	s.listening = true
	s.isListening.Store(true)
	gen := s.listenGen
	s.home.NextTick(func() {
		if s.listenGen == gen && s.hasHandle {
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
	var fd int
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
	sa, gerr := unix.Getsockname(fd)
	if gerr != nil {
		unix.Close(fd)
		s.listenFailed(nodenet.NewListenError("listen", gerr, display, o.Port))
		return
	}
	info := addressOf(sa)
	fds := []int{fd}
	if perLoop {
		for range s.opts.Group.Loops()[1:] {
			extra, eerr := bindTCP(bound, info.Port, backlog, o.IPv6Only, true)
			if eerr != nil {
				for _, f := range fds {
					unix.Close(f)
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

func ipv6Unavailable(err error) bool {
	return err == unix.EAFNOSUPPORT || err == unix.EADDRNOTAVAIL || err == unix.EPROTONOSUPPORT
}

func bindTCP(ip netip.Addr, port, backlog int, v6only, reusePort bool) (int, error) {
	domain := unix.AF_INET
	if ip.Is6() {
		domain = unix.AF_INET6
	}
	fd, err := newListenSocket(domain)
	if err != nil {
		return -1, err
	}
	fail := func(err error) (int, error) {
		unix.Close(fd)
		return -1, err
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fail(err)
	}
	if ip.Is6() {
		v := 0
		if v6only {
			v = 1
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v); err != nil {
			return fail(err)
		}
	}
	if reusePort {
		if err := setReusePort(fd); err != nil {
			return fail(err)
		}
	}
	var sa unix.Sockaddr
	if ip.Is4() {
		sa = &unix.SockaddrInet4{Port: port, Addr: ip.As4()}
	} else {
		sa = &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail(err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return fail(err)
	}
	return fd, nil
}

func addressOf(sa unix.Sockaddr) *socket.AddressInfo {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &socket.AddressInfo{Address: netip.AddrFrom4(a.Addr).String(), Family: "IPv4", Port: a.Port}
	case *unix.SockaddrInet6:
		return &socket.AddressInfo{Address: netip.AddrFrom16(a.Addr).String(), Family: "IPv6", Port: a.Port}
	case *unix.SockaddrUnix:
		return &socket.AddressInfo{Address: a.Name, Family: "unix", Port: -1}
	}
	return &socket.AddressInfo{}
}

// listenUnix binds a Unix domain socket path or abstract name.
func (s *Server) listenUnix(o *ListenOptions) {
	path := o.Path
	name := path
	if name[0] == 0 {
		name = "@" + name[1:]
	}
	if len(name) >= maxUnixPath {
		e := nodenet.NewListenError("listen", unix.EINVAL, path, -1)
		e.Message += " (path too long: " + strconv.Itoa(len(name)) + " bytes; a Unix socket path must be shorter than " + strconv.Itoa(maxUnixPath) + ")"
		s.listenFailed(e)
		return
	}
	fd, err := newListenSocket(unix.AF_UNIX)
	if err != nil {
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: name}); err != nil {
		unix.Close(fd)
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	abstract := isAbstract(path)
	if !abstract && (o.ReadableAll || o.WritableAll) {
		if err := chmodSocket(path, o.ReadableAll, o.WritableAll); err != nil {
			unix.Close(fd)
			os.Remove(path)
			s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
			return
		}
	}
	if err := unix.Listen(fd, s.backlog(o)); err != nil {
		unix.Close(fd)
		if !abstract {
			os.Remove(path)
		}
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	if err := s.startAccepting([]int{fd}, true); err != nil {
		// The file is ours (bind created it): remove it, as the other
		// failure paths after bind do; s.unlinkPath is not set yet.
		if !abstract {
			os.Remove(path)
		}
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	s.path = path
	s.unlinkPath = !abstract
	s.listenSucceeded(&socket.AddressInfo{Address: path, Family: "unix", Port: -1})
}

// chmodSocket is libuv's uv_pipe_chmod: add read and/or write for user,
// group and others to the socket file's mode, nothing more.
func chmodSocket(path string, readable, writable bool) error {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return err
	}
	mode := uint32(st.Mode & 0o777)
	if readable {
		mode |= unix.S_IRUSR | unix.S_IRGRP | unix.S_IROTH
	}
	if writable {
		mode |= unix.S_IWUSR | unix.S_IWGRP | unix.S_IWOTH
	}
	return unix.Chmod(path, mode)
}

// listenHandle listens on an inherited or borrowed descriptor.
func (s *Server) listenHandle(o *ListenOptions) {
	var fd int
	switch h := o.Handle.(type) {
	case int:
		fd = h
	case *Server:
		src := h.firstFD()
		if src < 0 {
			s.listenFailed(nodenet.NewListenError("listen", unix.EBADF, "", 0))
			return
		}
		d, err := dupCloexec(src)
		if err != nil {
			s.listenFailed(nodenet.NewListenError("listen", err, "", 0))
			return
		}
		fd = d
	case *socket.Socket:
		src := h.FD()
		if src < 0 {
			s.listenFailed(nodenet.NewListenError("listen", unix.EBADF, "", 0))
			return
		}
		d, err := dupCloexec(src)
		if err != nil {
			s.listenFailed(nodenet.NewListenError("listen", err, "", 0))
			return
		}
		fd = d
	}
	sa, err := unix.Getsockname(fd)
	if err == nil {
		err = unix.Listen(fd, s.backlog(o))
	}
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		if _, borrowed := o.Handle.(int); !borrowed {
			unix.Close(fd)
		}
		s.listenFailed(nodenet.NewListenError("listen", err, "", 0))
		return
	}
	unix.CloseOnExec(fd)
	info := addressOf(sa)
	_, isUnix := sa.(*unix.SockaddrUnix)
	if err := s.startAccepting([]int{fd}, isUnix); err != nil {
		s.listenFailed(nodenet.NewListenError("listen", err, "", 0))
		return
	}
	s.listenSucceeded(info)
}

func dupCloexec(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
}

func (s *Server) firstFD() int {
	if len(s.listeners) == 0 {
		return -1
	}
	return s.listeners[0].fd
}

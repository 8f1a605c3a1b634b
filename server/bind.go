package server

import (
	"net/netip"
	"os"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/socket"
)

// bound is what the synchronous half of a listen produced, as Go's
// listenStream and libuv's uv__tcp_listen do it: descriptors created,
// bound and listening, not yet registered with any poller (that is the
// home loop's half, Server.activate). It needs no loop, so Listen does it
// on the caller's goroutine and Address is valid when Listen returns.
type bound struct {
	fds  []nodenet.FD
	unix bool
	info *socket.AddressInfo
	// file is the Unix socket file the bind created ("" for TCP, an
	// abstract name or a handle): removed when the listen ends.
	file string
	// where and port name the listen in a later error (registering it
	// with the poller): Node's address and port fields.
	where string
	port  int
	// pipe: a Windows named pipe's instances, created and not yet on the
	// loop's completion port (Server.startPipe).
	//lint:ignore U1000 used by the Windows build only
	pipe pipeServer
}

// release undoes a bind nobody will register: a voided or refused listen.
func (b *bound) release() {
	for _, fd := range b.fds {
		sysnet.Close(fd)
	}
	b.pipe.release()
	if b.file != "" {
		os.Remove(b.file)
	}
}

// bindTCPListen binds one listening descriptor, or one per loop for a
// reuse-port Group. anyHost tries "::" then "0.0.0.0" (Node's default).
func (s *Server) bindTCPListen(o *ListenOptions, ip netip.Addr, anyHost bool) (*bound, error) {
	perLoop := s.opts.Group != nil && !o.Exclusive && !o.ReusePort && s.balance() == BalanceReusePort
	reuse := o.ReusePort || perLoop
	backlog := s.backlog(o)
	candidates := []netip.Addr{ip}
	if anyHost {
		candidates = []netip.Addr{netip.IPv6Unspecified(), netip.IPv4Unspecified()}
	}
	var fd nodenet.FD
	var err error
	var addr netip.Addr
	for i, c := range candidates {
		fd, err = bindTCP(c, o.Port, backlog, o.IPv6Only, reuse)
		if err == nil {
			addr = c
			break
		}
		if !anyHost || i == len(candidates)-1 || !ipv6Unavailable(err) {
			break
		}
	}
	var display string
	if anyHost {
		display = "::"
		if addr.Is4() {
			display = "0.0.0.0"
		}
	} else {
		display = ip.String()
	}
	if err != nil {
		return nil, nodenet.NewListenError("listen", err, display, o.Port)
	}
	sa, gerr := sysnet.LocalAddr(fd)
	if gerr != nil {
		sysnet.Close(fd)
		return nil, nodenet.NewListenError("listen", gerr, display, o.Port)
	}
	b := &bound{fds: []nodenet.FD{fd}, info: addressOf(sa), where: display}
	b.port = b.info.Port
	if perLoop {
		for range s.opts.Group.Loops()[1:] {
			extra, eerr := bindTCP(addr, b.info.Port, backlog, o.IPv6Only, true)
			if eerr != nil {
				b.release()
				return nil, nodenet.NewListenError("listen", eerr, display, b.info.Port)
			}
			b.fds = append(b.fds, extra)
		}
	}
	return b, nil
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

// dupHandle duplicates the descriptor of a *Server or *socket.Socket
// handle. A socket's is duplicated while it cannot be closed (FD, then Dup,
// could duplicate a number a destroy on the socket's loop had closed and
// another socket had taken meanwhile).
func dupHandle(h any) (sysnet.FD, error) {
	switch h := h.(type) {
	case *socket.Socket:
		if dupHandleHook != nil {
			dupHandleHook()
		}
		return seam.DupFD(h)
	case *Server:
		return h.dupFirstFD()
	}
	return sysnet.Invalid, sysnet.EBADF
}

// dupHandleHook, when set (tests), runs as a socket handle is about to be
// duplicated: where a destroy on the socket's loop can come in.
var dupHandleHook func()

// dupFirstFD duplicates s's first listening descriptor for another
// server's Listen{Handle: s}, from any goroutine. Under fdMu, which every
// close of a published descriptor takes (closeListenFD), the number read
// is s's socket until the duplicate is made; EBADF when s has none.
func (s *Server) dupFirstFD() (sysnet.FD, error) {
	s.fdMu.Lock()
	defer s.fdMu.Unlock()
	src := s.firstFD()
	if src == sysnet.Invalid {
		return sysnet.Invalid, sysnet.EBADF
	}
	if dupServerHook != nil {
		dupServerHook(src)
	}
	return sysnet.Dup(src)
}

// closeListenFD closes a descriptor s may have published, under fdMu (see
// dupFirstFD), and withdraws it from firstFD if it is still there: a
// failed activate closes its acceptors before fail unpublishes them.
func (s *Server) closeListenFD(fd sysnet.FD) {
	if closeListenHook != nil {
		closeListenHook()
	}
	s.fdMu.Lock()
	s.firstFDPlus1.CompareAndSwap(int64(fd)+1, 0)
	sysnet.Close(fd)
	s.fdMu.Unlock()
}

// dupServerHook, when set (tests), runs inside dupFirstFD between reading
// the number and duplicating it; closeListenHook as closeListenFD is about
// to take fdMu.
var (
	dupServerHook   func(sysnet.FD)
	closeListenHook func()
)

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

// bindHandle listens on an inherited or borrowed descriptor. Another
// server's handle is duplicated under that server's fdMu (dupFirstFD), a
// socket's under its descriptor lock (seam.DupFD), so this runs on any
// goroutine.
func (s *Server) bindHandle(o *ListenOptions) (*bound, error) {
	fd, _, borrowed := handleFD(o.Handle)
	if !borrowed {
		// Another server's or socket's descriptor: listen on a duplicate,
		// so closing either one leaves the other intact.
		d, err := dupHandle(o.Handle)
		if err != nil {
			return nil, nodenet.NewListenError("listen", err, "", 0)
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
		return nil, nodenet.NewListenError("listen", err, "", 0)
	}
	sysnet.CloseOnExec(fd)
	return &bound{fds: []nodenet.FD{fd}, unix: sa.Unix, info: addressOf(sa)}, nil
}

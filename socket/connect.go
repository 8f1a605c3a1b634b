package socket

import (
	"errors"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/jsfmt"
	"github.com/nodenet/nodenet/internal/resolver"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// DefaultAutoSelectFamilyAttemptTimeout is how long one address is tried
// before the next one when a name resolves to several (Node's
// autoSelectFamilyAttemptTimeout). It is 500 ms, current Node's default
// (NS-017, NC-029); Node 20 used 250 ms.
const DefaultAutoSelectFamilyAttemptTimeout = 500 * time.Millisecond

// ConnectOptions are Node's socket.connect(options) options, plus the Socket
// options for Connect's new socket.
type ConnectOptions struct {
	// Loop owns the socket. Required for Connect (Socket.Connect uses the
	// socket's own loop).
	Loop *reactor.Loop

	// TCP: Port (required, 1-65535; 0 counts as missing) and Host (default
	// "localhost"; an IP literal skips the lookup).
	Port int
	Host string
	// IPC: Path of a Unix domain socket; a leading '@' or NUL byte is a Linux
	// abstract name. On Windows, a named pipe: \\.\pipe\name or
	// \\?\pipe\name (docs/platforms.md).
	Path string

	LocalAddress string // bind the local side to this IP first
	LocalPort    int    // bind the local side to this port first
	Family       int    // 0 (any), 4 or 6; another value reaches a custom Lookup as it is, as in Node
	Hints        int    // resolver hints: 0 or HintAddrConfig|HintV4Mapped|HintAll (any value for a custom Lookup)
	Lookup       LookupFunc

	// Timeout is Node's timeout option: SetTimeout(Timeout) before
	// connecting, i.e. an idle timeout that emits 'timeout' and closes
	// nothing.
	Timeout time.Duration
	// ConnectTimeout (nodenet's own, like Go's DialTimeout) destroys the
	// socket with ETIMEDOUT if the connection is not established in time.
	// Timeout and ConnectTimeout above reactor.TimeoutMax wait TimeoutMax.
	ConnectTimeout time.Duration

	// AutoSelectFamily: when a name resolves to several addresses, try them
	// in turn (families interleaved, Node's happy eyeballs) instead of only
	// the first. nil means the process-wide default, read when Connect is
	// called: true (Node 20's default) unless SetDefaultAutoSelectFamily
	// changed it.
	AutoSelectFamily *bool
	// AutoSelectFamilyAttemptTimeout bounds each attempt (minimum 10 ms).
	// Zero means the process-wide default, read when Connect is called:
	// 500 ms unless SetDefaultAutoSelectFamilyAttemptTimeout changed it.
	AutoSelectFamilyAttemptTimeout time.Duration

	// StreamOptions are the new socket's (Connect); Socket.Connect keeps
	// the socket's own and ignores these.
	StreamOptions
	// TypeOfService is Node's typeOfService option: see
	// Options.TypeOfService.
	TypeOfService int
	// BlockList is Node's blockList option: see Options.BlockList. As in
	// Node it is an option of the new socket, so Connect takes it and
	// Socket.Connect ignores it.
	BlockList *nodenet.BlockList
}

// Connect creates a socket and connects it (Node's net.connect /
// net.createConnection). cb, if not nil, is a one-time 'connect' listener.
// Invalid options are returned as an error at once (Node throws); failures
// after that (lookup, refused, reset) come as the socket's 'error' event.
func Connect(o ConnectOptions, cb func()) (*Socket, error) {
	if o.Loop == nil {
		return nil, errMissingLoop()
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	o.applyDefaults()
	s := newSocket(o.Loop)
	s.applyOptions(&Options{StreamOptions: o.StreamOptions, TypeOfService: o.TypeOfService, BlockList: o.BlockList})
	s.connectStep(func() { s.startConnect(&o, cb, true) })
	return s, nil
}

// Connect connects an existing socket (Node's socket.connect). A destroyed
// socket may connect again: it is reset, with fresh counters.
//
// A socket that is connecting already is destroyed with "connect EALREADY
// <address>:<port> - Local (<local address>:<port>)", as Node's second
// connect(2) on the same handle fails. A socket that is connected is left
// alone and Connect returns ERR_NODENET_ALREADY_CONNECTED: Node's connect
// there "succeeds" without connecting anywhere — the socket stays with its
// first peer, whatever address was given, and emits 'connect' and 'ready'
// again — which would tell a Go program it reached an address it never
// did.
func (s *Socket) Connect(o ConnectOptions, cb func()) error {
	if s.zero() {
		return errZero()
	}
	if err := o.validate(); err != nil {
		return err
	}
	if s.st.Load()&(stOpen|stDestroyed) == stOpen {
		return nodenet.NewError(nodenet.CodeAlreadyConnected, "Socket is already connected")
	}
	o.applyDefaults()
	s.connectStep(func() { s.startConnect(&o, cb, false) })
	return nil
}

// Validate applies Node's synchronous checks (lookupAndConnect and the
// validators it calls) without connecting: what Connect returns for bad
// options (ERR_MISSING_ARGS, ERR_SOCKET_BAD_PORT, ERR_INVALID_IP_ADDRESS,
// ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE).
func (o *ConnectOptions) Validate() error { return o.validate() }

func (o *ConnectOptions) validate() error {
	if o.Path == "" && o.Port == 0 {
		return nodenet.NewError(nodenet.CodeMissingArgs, `The "options" or "port" or "path" argument must be specified`)
	}
	if o.Path != "" {
		return nil
	}
	if err := nodenet.ValidatePort(o.Port, "Port"); err != nil {
		return err
	}
	if strings.IndexByte(o.Host, 0) >= 0 {
		return nodenet.NewError(nodenet.CodeInvalidArgValue, "The property 'options.host' must be a string without null bytes. Received "+jsfmt.Quote(o.Host))
	}
	if o.LocalAddress != "" && nodenet.IsIP(o.LocalAddress) == 0 {
		return nodenet.NewError(nodenet.CodeInvalidIPAddress, "Invalid IP address: "+o.LocalAddress)
	}
	if o.LocalPort != 0 {
		if err := nodenet.ValidatePort(o.LocalPort, "options.localPort"); err != nil {
			return err
		}
	}
	// Node checks family and hints only when dns.lookup resolves a name
	// (its validateOneOf and hints check): with an IP literal they are
	// ignored, and a custom lookup gets them as they are.
	if byDNS := o.Lookup == nil && nodenet.IsIP(o.Host) == 0; byDNS {
		if o.Family != 0 && o.Family != 4 && o.Family != 6 {
			return nodenet.NewError(nodenet.CodeInvalidArgValue, "The property 'options.family' must be one of: 0, 4, 6. Received "+strconv.Itoa(o.Family))
		}
		if o.Hints != 0 && o.Hints&^(HintAddrConfig|HintV4Mapped|HintAll) != 0 {
			return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'hints' is invalid. Received "+strconv.Itoa(o.Hints))
		}
	}
	if err := validateTypeOfService(o.TypeOfService, "options.typeOfService"); err != nil {
		return err
	}
	if o.Timeout < 0 {
		return outOfRange("msecs", o.Timeout) // Node's constructor calls setTimeout(timeout)
	}
	if o.ConnectTimeout < 0 {
		return outOfRange("connectTimeout", o.ConnectTimeout)
	}
	if d := o.AutoSelectFamilyAttemptTimeout; d != 0 { // 0: the process-wide default
		if err := validateAttemptTimeout(d, "options.autoSelectFamilyAttemptTimeout"); err != nil {
			return err
		}
	}
	return nil
}

// outOfRange is Node's getTimerDuration error for a negative delay, the
// delay in milliseconds as Node prints it.
func outOfRange(name string, d time.Duration) error {
	return nodenet.NewError(nodenet.CodeOutOfRange, `The value of "`+name+`" is out of range. It must be a non-negative finite number. Received `+jsMillis(d))
}

// connectAttempt is one in-flight nonblocking connect.
type connectAttempt struct {
	fd      nodenet.FD
	addr    netip.Addr
	port    int
	timer   *reactor.Timer
	display string // "ip:port" for autoSelectFamilyAttemptedAddresses
	plan    *attemptPlan
}

func (s *Socket) startConnect(o *ConnectOptions, cb func(), fresh bool) {
	c := s.c()
	if s.is(stConnecting) {
		s.connectWhileConnecting(o, cb)
		return
	}
	if s.open() {
		// Connected between the call's check and this task (a call from
		// another goroutine): the call could not say so any more.
		s.destroyWith(nodenet.NewError(nodenet.CodeAlreadyConnected, "Socket is already connected"))
		return
	}
	switch {
	case s.is(stDestroyed):
		s.resetForReconnect()
	case s.fd == sysnet.Invalid && s.ending():
		// Ended before it ever connected: Node's connect re-initialises the
		// stream (initSocketHandle's _undestroy), so the new connection
		// starts writable.
		s.resetWriteSide()
	}
	c.connectGen++
	s.connectStarted()
	s.updateRef()
	if cb != nil {
		s.addListener(newListenerID(), EventConnect, cb, true)
	}
	if fresh && o.Timeout > 0 {
		s.setTimeout(o.Timeout)
	}
	if o.ConnectTimeout > 0 {
		gen := c.connectGen
		c.connectTimer = s.loop.SetTimeout(o.ConnectTimeout, func() {
			if s.is(stConnecting) && c.connectGen == gen {
				target := c.path
				port := 0
				if c.attempt != nil {
					target, port = c.attempt.addr.String(), c.attempt.port
				}
				s.destroyWith(nodenet.NewHostPortError("connect", sysnet.ETIMEDOUT, target, port))
			}
		})
	}
	s.touch()
	gen := c.connectGen
	if o.Path != "" {
		c.path = o.Path
		s.setKind(kindUnix)
		// Node's connect to a path starts it within the call, announcing
		// it there — before the caller could add a listener.
		s.emitAttempt(EventConnectionAttempt, o.Path, 0, 0)
		if c.connectGen != gen || s.is(stDestroyed) {
			return
		}
		s.tickOwned(func() {
			if c.connectGen == gen && s.is(stConnecting) {
				s.connectUnix(o.Path)
			}
		})
		return
	}
	host := o.Host
	if host == "" {
		host = "localhost"
	}
	c.lookupHost = host
	port := o.Port
	if ip, err := netip.ParseAddr(host); err == nil && nodenet.IsIP(host) != 0 {
		// IP literals skip the resolver and connect on the next tick, so a
		// destroy in the same tick produces neither connect nor error.
		s.tickOwned(func() {
			if c.connectGen == gen && s.is(stConnecting) {
				s.startAttempts([]netip.Addr{ip}, port, o)
			}
		})
		return
	}
	lookup := o.Lookup
	if lookup == nil {
		lookup = DefaultLookup
	}
	lo := o.lookupOptions()
	opts := *o
	// The lookup holds the loop until its answer is back, whatever becomes
	// of the socket meanwhile (destroyed, unrefed): in Node it is a
	// getaddrinfo request, which keeps the process alive by itself.
	s.loop.Ref()
	resolver.Default.Submit(func() {
		addrs, err := runLookup(lookup, host, lo)
		_ = s.postOwned(func() {
			s.loop.Unref()
			s.lookupDone(gen, host, port, addrs, err, lo.All, &opts)
		})
	})
}

// lookupOptions is what Node's lookupAndConnect asks its lookup: the family
// and hints options, hints ADDRCONFIG when neither is set (except on
// Windows), and every address only when it will try them in turn.
func (o *ConnectOptions) lookupOptions() LookupOptions {
	lo := LookupOptions{Family: o.Family, Hints: o.Hints}
	anyFamily := lo.Family != 4 && lo.Family != 6
	if runtime.GOOS != "windows" && anyFamily && lo.Hints == 0 {
		lo.Hints = HintAddrConfig
	}
	auto := GetDefaultAutoSelectFamily()
	if o.AutoSelectFamily != nil { // always set by Connect (applyDefaults)
		auto = *o.AutoSelectFamily
	}
	lo.All = anyFamily && o.LocalAddress == "" && auto
	return lo
}

// connectWhileConnecting is a second Connect while the first is in
// progress. In Node it goes its own way — the connect callback is added, the
// host is looked up — and its connect(2) on the handle, which the first
// connect holds, fails with EALREADY: the socket is destroyed with that,
// naming the second target and the socket's own address, a tick after the
// call (after the first connect's own tick).
func (s *Socket) connectWhileConnecting(o *ConnectOptions, cb func()) {
	c := s.c()
	if cb != nil {
		s.addListener(newListenerID(), EventConnect, cb, true)
	}
	gen := c.connectGen
	fail := func(address string, port int) {
		if c.connectGen != gen || !s.is(stConnecting) || s.is(stDestroyed) {
			return
		}
		fd := sysnet.Invalid
		if c.attempt != nil {
			fd = c.attempt.fd
		}
		s.destroyWith(syncConnectError(fd, sysnet.EALREADY, address, port))
	}
	host := o.Host
	if host == "" {
		host = "localhost"
	}
	switch {
	case o.Path != "":
		s.tickOwned(func() { fail(o.Path, 0) })
	case nodenet.IsIP(host) != 0:
		s.tickOwned(func() { fail(host, o.Port) })
	default:
		lookup := o.Lookup
		if lookup == nil {
			lookup = DefaultLookup
		}
		lo, port := o.lookupOptions(), o.Port
		s.loop.Ref()
		resolver.Default.Submit(func() {
			addrs, err := runLookup(lookup, host, lo)
			_ = s.postOwned(func() {
				s.loop.Unref()
				live := c.connectGen == gen && s.is(stConnecting) && !s.is(stDestroyed)
				switch {
				case !live:
					if !lo.All {
						s.emitStaleLookup(host, addrs, err)
					}
				case err != nil:
					s.emitLookup(err, "", 0, host)
					s.destroyWith(err)
				case len(addrs) > 0:
					if !lo.All {
						addrs = addrs[:1]
					}
					for _, a := range addrs {
						s.emitLookup(nil, a.Address, a.Family, host)
					}
					fail(addrs[0].Address, port)
				}
			})
		})
	}
}

// emitStaleLookup is the 'lookup' of a one-address lookup whose socket is
// no longer connecting for it (destroyed, refused, connecting elsewhere):
// Node's single-address path emits 'lookup' before it looks at the socket,
// so the event comes whatever became of it. Its every-address path
// (autoSelectFamily) checks first and emits nothing.
func (s *Socket) emitStaleLookup(host string, addrs []LookupAddress, err error) {
	if err != nil {
		s.emitLookup(err, "", 0, host)
		return
	}
	if len(addrs) > 0 {
		s.emitLookup(nil, addrs[0].Address, addrs[0].Family, host)
	}
}

func (s *Socket) lookupDone(gen uint64, host string, port int, addrs []LookupAddress, err error, all bool, o *ConnectOptions) {
	c := s.c()
	if c.connectGen != gen || !s.is(stConnecting) || s.is(stDestroyed) {
		if !all {
			s.emitStaleLookup(host, addrs, err)
		}
		return
	}
	if err != nil {
		s.emitLookup(err, "", 0, host)
		s.tickOwned(func() { s.destroyWith(err) })
		return
	}
	if !all && len(addrs) > 1 {
		// Node's lookup(host, {all: false}) answers one address, and one
		// 'lookup' reports it; a LookupFunc that answered more is cut to
		// its first.
		addrs = addrs[:1]
	}
	var ips []netip.Addr
	var firstErr error
	for _, a := range addrs {
		s.emitLookup(nil, a.Address, a.Family, host)
		if s.is(stDestroyed) || c.connectGen != gen {
			return
		}
		ip, perr := netip.ParseAddr(a.Address)
		if perr != nil || nodenet.IsIP(a.Address) == 0 {
			if firstErr == nil {
				firstErr = nodenet.NewError(nodenet.CodeInvalidIPAddress, "Invalid IP address: "+a.Address)
			}
			continue
		}
		if a.Family != 4 && a.Family != 6 {
			if firstErr == nil {
				e := nodenet.NewError(nodenet.CodeInvalidAddressFamily, "Invalid address family: "+strconv.Itoa(a.Family)+" "+host+":"+strconv.Itoa(port))
				e.Port = port // Node's error has port and host (in the message), no address
				firstErr = e
			}
			continue
		}
		// An IPv4-mapped answer stays an IPv6 address, connected to over
		// IPv6 and distinct from its IPv4 form, as Node keeps it.
		ips = append(ips, ip)
	}
	if len(ips) == 0 {
		if firstErr == nil {
			firstErr = nodenet.NewDNSError("ENOTFOUND", host, nil)
		}
		s.tickOwned(func() { s.destroyWith(firstErr) })
		return
	}
	s.touch()
	s.startAttempts(ips, port, o)
}

// startAttempts orders the addresses Node's way — families interleaved,
// starting with the family of the first answer — and tries them in turn.
func (s *Socket) startAttempts(ips []netip.Addr, port int, o *ConnectOptions) {
	c := s.c()
	auto := GetDefaultAutoSelectFamily()
	if o.AutoSelectFamily != nil { // always set by Connect (applyDefaults)
		auto = *o.AutoSelectFamily
	}
	if !auto || o.Family == 4 || o.Family == 6 || o.LocalAddress != "" || len(ips) == 1 {
		ips = ips[:1]
	} else {
		ips = interleave(dedupe(ips))
	}
	c.attempted = nil
	c.attemptedView.Store(nil)
	c.attemptErrs = nil
	per := o.AutoSelectFamilyAttemptTimeout
	if per == 0 {
		per = GetDefaultAutoSelectFamilyAttemptTimeout()
	}
	if per < minAttemptTimeout {
		per = minAttemptTimeout
	}
	plan := &attemptPlan{ips: ips, port: port, perAttempt: per, localAddr: o.LocalAddress, localPort: o.LocalPort, multi: len(ips) > 1}
	s.nextAttempt(plan)
}

type attemptPlan struct {
	ips        []netip.Addr
	next       int
	port       int
	perAttempt time.Duration
	localAddr  string
	localPort  int
	multi      bool
}

func dedupe(ips []netip.Addr) []netip.Addr {
	out := ips[:0:0]
	for _, ip := range ips {
		dup := false
		for _, o := range out {
			if o == ip {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, ip)
		}
	}
	return out
}

func interleave(ips []netip.Addr) []netip.Addr {
	var a, b []netip.Addr
	firstIs4 := ips[0].Is4()
	for _, ip := range ips {
		if ip.Is4() == firstIs4 {
			a = append(a, ip)
		} else {
			b = append(b, ip)
		}
	}
	out := make([]netip.Addr, 0, len(ips))
	for i := 0; i < len(a) || i < len(b); i++ {
		if i < len(a) {
			out = append(out, a[i])
		}
		if i < len(b) {
			out = append(out, b[i])
		}
	}
	return out
}

func (s *Socket) nextAttempt(plan *attemptPlan) {
	c := s.c()
	for plan.next < len(plan.ips) {
		ip := plan.ips[plan.next]
		plan.next++
		last := plan.next == len(plan.ips)
		display := ip.String() + ":" + strconv.Itoa(plan.port)
		gen := c.connectGen
		err := s.tryConnect(ip, plan, display, last)
		if err == nil || err == errAttemptAbandoned {
			return
		}
		if s.is(stDestroyed) || c.connectGen != gen {
			return // a listener of the attempt's events destroyed or reconnected it
		}
		c.attemptErrs = append(c.attemptErrs, err)
		if !plan.multi {
			break
		}
	}
	s.failAttempts()
}

// errAttemptAbandoned: a 'connectionAttempt' listener destroyed the socket
// or connected it elsewhere; the attempt was not made and nothing follows.
var errAttemptAbandoned = errors.New("connect attempt abandoned")

// attemptFamily is Node's addressType of an attempt: 6 for an IPv4-mapped
// IPv6 address, which is connected to over IPv6.
func attemptFamily(ip netip.Addr) int {
	if ip.Is4() {
		return 4
	}
	return 6
}

func (s *Socket) failAttempts() {
	errs := s.c().attemptErrs
	var err error
	switch {
	case len(errs) == 0:
		err = nodenet.ErrSocketConnectionTimeout
	case len(errs) == 1:
		err = errs[0]
	default:
		err = &nodenet.AggregateError{Errors: errs}
	}
	s.failLater(err)
}

// tryConnect starts one nonblocking connect. A synchronous failure is
// returned; an asynchronous one arrives as a writable/error event.
func (s *Socket) tryConnect(ip netip.Addr, plan *attemptPlan, display string, last bool) error {
	c := s.c()
	kind := kindTCP4
	if ip.Is6() {
		kind = kindTCP6
	}
	fd, err := sysnet.Socket(ip.Is6())
	if err != nil {
		return nodenet.NewHostPortError("connect", err, ip.String(), plan.port)
	}
	if plan.localAddr != "" || plan.localPort != 0 {
		// libuv's uv__tcp_bind sets SO_REUSEADDR before every bind, so a
		// local port still in TIME_WAIT can be bound again (a no-op on
		// Windows, as in libuv).
		_ = sysnet.SetReuseAddr(fd)
		if err := bindLocal(fd, ip.Is6(), plan.localAddr, plan.localPort); err != nil {
			sysnet.Close(fd)
			return err
		}
	}
	address, family, gen := ip.String(), attemptFamily(ip), c.connectGen
	// The attempt's events, where Node emits them: a lone address is
	// announced before the block list is asked, one of several after it.
	announce := func() bool {
		s.emitAttempt(EventConnectionAttempt, address, plan.port, family)
		return !s.is(stDestroyed) && c.connectGen == gen
	}
	if !plan.multi && !announce() {
		sysnet.Close(fd)
		return errAttemptAbandoned
	}
	if bl := c.blockList; bl != nil && bl.CheckAddr(ip) {
		// After the bind, as Node's internalConnect checks.
		sysnet.Close(fd)
		e := nodenet.NewIPBlockedError(address)
		if plan.multi {
			s.emitAttemptFailed(address, plan.port, family, e)
		}
		return e
	}
	if plan.multi {
		if !announce() {
			sysnet.Close(fd)
			return errAttemptAbandoned
		}
		// Listed once it gets past the bind and the block list, as Node's
		// internalConnectMultiple lists it: just before connect(2).
		c.attempted = append(c.attempted, display)
		view := append([]string(nil), c.attempted...)
		c.attemptedView.Store(&view)
	}
	s.setKind(kind)
	sa := ipSockaddr(ip, plan.port)
	err = sysnet.Connect(fd, sa)
	if err != nil {
		e := s.connectError(err, address, plan.port, plan)
		if err != sysnet.ECONNREFUSED {
			e = syncConnectError(fd, err, address, plan.port)
		}
		sysnet.Close(fd)
		// libuv reports a refusal through the connect callback, which
		// emits 'connectionAttemptFailed'; Node's single connect destroys
		// on any other immediate failure without it.
		if plan.multi || err == sysnet.ECONNREFUSED {
			s.emitAttemptFailed(address, plan.port, family, e)
		}
		return e
	}
	a := &connectAttempt{fd: fd, addr: ip, port: plan.port, display: display}
	c.attempt = a
	s.setFD(fd)
	if rerr := s.loop.Register(fd, nodenet.EventWrite, s.handler()); rerr != nil {
		s.setFD(sysnet.Invalid)
		sysnet.Close(fd)
		c.attempt = nil
		return rerr
	}
	if plan.multi && !last {
		gen := c.connectGen
		a.timer = s.loop.SetTimeout(plan.perAttempt, func() {
			if c.attempt != a || c.connectGen != gen || !s.is(stConnecting) {
				return
			}
			s.emitAttempt(EventConnectionAttemptTimeout, address, plan.port, family)
			if c.attempt != a || c.connectGen != gen || !s.is(stConnecting) {
				return // a listener destroyed the socket or connected it anew
			}
			s.abandonAttempt()
			c.attemptErrs = append(c.attemptErrs, nodenet.NewHostPortError("connect", sysnet.ETIMEDOUT, address, plan.port))
			s.nextAttempt(plan)
		})
	}
	a.plan = plan
	return nil
}

// connectError is Node's afterConnect failure: "connect ECONNREFUSED
// 127.0.0.1:80", with " - Local (addr:port)" when both local options were
// given.
func (s *Socket) connectError(err error, address string, port int, plan *attemptPlan) error {
	e := nodenet.NewHostPortError("connect", err, address, port)
	if plan != nil && plan.localAddr != "" && plan.localPort != 0 {
		e.LocalAddress, e.LocalPort = plan.localAddr, plan.localPort
		e.Message += " - Local (" + plan.localAddr + ":" + strconv.Itoa(plan.localPort) + ")"
	}
	return e
}

// syncConnectError is Node's internalConnect failure, when connect(2) itself
// fails (EADDRNOTAVAIL for a 4-tuple a live connection holds, ENETUNREACH,
// ...): the details are the socket's own name, "connect EADDRNOTAVAIL
// 127.0.0.1:80 - Local (127.0.0.1:5000)", whatever the options were.
func syncConnectError(fd nodenet.FD, err error, address string, port int) error {
	e := nodenet.NewHostPortError("connect", err, address, port)
	if sa, lerr := sysnet.LocalAddr(fd); lerr == nil {
		if a := sockaddrInfo(sa); a != nil {
			e.Message += " - Local (" + a.Address + ":" + strconv.Itoa(a.Port) + ")"
		}
	}
	return e
}

func bindLocal(fd nodenet.FD, v6 bool, addr string, port int) error {
	var ip netip.Addr
	if addr == "" {
		if v6 {
			ip = netip.IPv6Unspecified()
		} else {
			ip = netip.IPv4Unspecified()
		}
	} else {
		var err error
		if ip, err = netip.ParseAddr(addr); err != nil {
			return nodenet.NewError(nodenet.CodeInvalidIPAddress, "Invalid IP address: "+addr)
		}
		ip = ip.Unmap()
	}
	display := ip.String()
	if err := sysnet.Bind(fd, ipSockaddr(ip, port)); err != nil {
		return nodenet.NewHostPortError("bind", err, display, port)
	}
	if port != 0 {
		if sa, err := sysnet.LocalAddr(fd); err == nil {
			if got := sockaddrInfo(sa); got != nil && got.Port != port {
				return nodenet.NewHostPortError("bind", sysnet.EADDRINUSE, display, port)
			}
		}
	}
	return nil
}

func (s *Socket) abandonAttempt() {
	c := s.c()
	a := c.attempt
	if a == nil {
		return
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	_ = s.loop.Unregister(a.fd)
	s.setFD(sysnet.Invalid)
	sysnet.Close(a.fd)
	c.attempt = nil
}

// onConnectEvent completes (or fails) the in-flight attempt.
func (s *Socket) onConnectEvent(ev nodenet.Events) {
	c := s.c()
	a := c.attempt
	err := sysnet.SoError(a.fd)
	if err == nil && ev&nodenet.EventWrite == 0 {
		return // spurious: still in progress
	}
	if err != nil {
		plan := a.plan
		s.abandonAttempt()
		e := s.connectError(err, a.addr.String(), a.port, plan)
		c.attemptErrs = append(c.attemptErrs, e)
		gen := c.connectGen
		if s.kind() == kindUnix {
			s.emitAttemptFailed(c.path, 0, 0, e)
		} else {
			s.emitAttemptFailed(a.addr.String(), a.port, attemptFamily(a.addr), e)
		}
		if s.is(stDestroyed) || c.connectGen != gen {
			return
		}
		if plan.multi {
			s.nextAttempt(plan)
		} else {
			s.failAttempts()
		}
		return
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	c.attempt = nil
	if s.kind() != kindUnix {
		c.remote.set(sockaddrInfo(sysnet.Addr{IP: netip.AddrPortFrom(a.addr, uint16(a.port))}))
	}
	s.afterConnect()
}

// afterConnect is Node's afterConnect success path: options, then connect
// and ready, then reading and the writes queued while connecting.
func (s *Socket) afterConnect() {
	c := s.c()
	if c.connectTimer != nil {
		c.connectTimer.Stop()
		c.connectTimer = nil
	}
	s.connected()
	s.resetLocal()
	s.resolveLocal()
	s.applySocketOptions()
	s.touch()
	_ = s.loop.SetInterest(s.fd, 0)
	if s.has(fLayered) {
		s.lay().Connected() // TLS starts its handshake before 'connect'
	}
	// Node emits 'ready' right after 'connect' unconditionally, even when a
	// 'connect' listener destroyed the socket.
	s.emit0(EventConnect)
	s.emit0(EventReady)
	if s.is(stDestroyed) {
		return
	}
	s.updateInterest()
	if s.qlen() > 0 && !s.has(fCorked) {
		s.flush()
	}
	if !s.is(stDestroyed) {
		s.maybeShutdown()
	}
}

// AutoSelectFamilyAttemptedAddresses lists the "ip:port" addresses tried
// when a name resolved to several (nil for a single address), from any
// goroutine: the slice is a copy, as published by the loop at the latest
// attempt.
func (s *Socket) AutoSelectFamilyAttemptedAddresses() []string {
	if c := s.coldOrNil(); c != nil {
		if v := c.attemptedView.Load(); v != nil {
			return append([]string(nil), (*v)...)
		}
	}
	return nil
}

// failLater destroys a connecting socket with err from the next loop
// iteration, as libuv reports a failed connect through its connect callback:
// listeners added right after Connect — from another goroutine too, whose
// posted tasks run first — still hear the error.
func (s *Socket) failLater(err error) {
	c := s.c()
	gen := c.connectGen
	s.loop.SetImmediate(func() {
		if c.connectGen == gen {
			s.destroyWith(err)
		}
	})
}

// The connect steps run user code ('lookup', 'connectionAttempt', …
// listeners) from loop tasks and ticks of their own; these helpers make
// each step a callback the socket owns (Loop.CallArg, NextTickArg), so a
// panic in it takes the one panic path — the loop recovers it and the
// socket is destroyed with it (handler.HandlePanic) — as in any other
// callback. Queued without an owner, the panic was only logged and the
// socket stayed connecting with its step undone.

// connectStep runs a connect step now when on the loop (inside the
// caller's own callback, whose owner hears a panic, as Node's throw
// reaches connect's caller), else posts it as a task the socket owns.
func (s *Socket) connectStep(fn func()) {
	if s.loop.InLoop() {
		fn()
		return
	}
	_ = s.postOwned(fn)
}

// postOwned posts fn (from any goroutine) to run as a callback s owns.
func (s *Socket) postOwned(fn func()) error {
	return s.loop.Post(func() { s.loop.CallArg(runStep, stepOf{s, fn}) })
}

// tickOwned queues fn for the next tick as a callback s owns.
func (s *Socket) tickOwned(fn func()) { s.loop.NextTickArg(runStep, stepOf{s, fn}) }

// stepOf is a connect step with the socket that owns it: the loop hands a
// panic in it to the socket's handler.
type stepOf struct {
	s  *Socket
	fn func()
}

func (st stepOf) HandlePanic(err error) { st.s.handler().HandlePanic(err) }

func runStep(a any) { a.(stepOf).fn() }

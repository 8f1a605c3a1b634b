package server

import (
	"net"
	"sync"
	"sync/atomic"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/emitter"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/zap"
)

// Balance chooses how a server on a Group spreads connections over loops.
type Balance int

const (
	// BalanceDefault is BalanceAcceptor, the portable default (DESIGN.md):
	// exact round robin (or least connections) by the Group's Pick.
	// (This comment used to promise BalanceReusePort on Linux; the code
	// has always picked the acceptor, see Server.balance.)
	BalanceDefault Balance = iota
	// BalanceAcceptor: one acceptor (listening descriptor) on the home loop accepts and hands each
	// descriptor to the Group's next loop.
	BalanceAcceptor
	// BalanceReusePort: one SO_REUSEPORT acceptor per loop; the kernel
	// spreads connections by hashing.
	BalanceReusePort
)

// Options are Node's net.createServer options plus where the server runs.
type Options struct {
	// Loop runs the server and all its connections; or set Group to spread
	// connections over several loops. One of the two is required.
	Loop  *reactor.Loop
	Group *reactor.Group
	// Balance applies to Group servers that are not Exclusive.
	Balance Balance

	// StreamOptions (AllowHalfOpen, HighWaterMark, MaxBufferSize, NoDelay,
	// KeepAlive, KeepAliveInitialDelay) are applied to every accepted
	// socket, as Node's createServer hands them to each connection.
	socket.StreamOptions
	// PauseOnConnect: accepted sockets do not read until Resume.
	PauseOnConnect bool
	// BlockList, when set, closes every TCP connection from an address it
	// blocks as soon as it is accepted (Node's blockList option): no
	// 'connection', no 'drop', and it does not count as a connection. The
	// maxConnections check comes first, as in Node: a blocked connection
	// over the limit is a 'drop'. The list may change while the server runs.
	BlockList *nodenet.BlockList

	// Logger receives the server's own logs: unhandled error events,
	// descriptor exhaustion, panics in connection listeners. nil uses the
	// home loop's logger (zap.NewNop() unless the loop was given one).
	// Nothing is logged on the hot path.
	Logger *zap.Logger
}

// DropInfo is Node's 'drop' event argument: a connection refused by
// maxConnections. Unix sockets leave the addresses empty.
type DropInfo struct {
	LocalAddress, LocalFamily   string
	LocalPort                   int
	RemoteAddress, RemoteFamily string
	RemotePort                  int
}

// Server is Node's net.Server.
type Server struct {
	opts Options
	home *reactor.Loop

	// accept holds what every accepted socket inherits ([0] TCP, [1] Unix),
	// built once in New: per connection it is only copied (and Remote set),
	// and its shared OwnerHook costs a socket one pointer.
	accept [2]seam.AcceptOptions
	hook   seam.OwnerHook

	// Home-loop state.
	acceptors []*acceptor
	//lint:ignore U1000 used by the Windows build only
	pipe    pipeServer // a Windows named-pipe acceptor (empty type elsewhere)
	stopped bool       // the home loop stopped before the close drained
	unrefed bool
	ref     reactor.RefHold

	// mu orders Listen and Close across goroutines (state.go): the state,
	// the claim and the published listen change under it, and their loop
	// tasks are posted under it.
	mu sync.Mutex
	// state is a serverState (state.go); claim is the id of the live
	// listen, 0 when none (Node's "this._handle exists", as every
	// goroutine sees it). Written under mu, read anywhere.
	state    atomic.Uint32
	claim    atomic.Uint64
	claimSeq uint64 // the last id given out; under mu
	// The published listen (listen.go's publish): its address, its first
	// descriptor plus one (0: none), for another server's
	// Listen{Handle: s}, and the socket file it created (under mu; the
	// close of that descriptor also clears firstFDPlus1, under fdMu).
	addr         atomic.Pointer[socket.AddressInfo]
	firstFDPlus1 atomic.Int64
	sockFile     string
	// fdMu is held while another server's Listen{Handle: s} reads
	// firstFD and duplicates it, and while a published descriptor is
	// closed, so the number read is still this server's socket when it
	// is duplicated (not one that took the number after a close). A
	// leaf: nothing is locked under it, so two servers listening on each
	// other's handles cannot deadlock (mu could: Listen holds its own).
	fdMu sync.Mutex
	// closesPending counts Close tasks posted whose descriptors the loop
	// has not closed yet (Listen's put-off bind).
	closesPending atomic.Int32

	// events is every listener of the server (events.go): any goroutine
	// adds and removes them, the home loop emits all but 'connection',
	// which the accepted socket's loop emits.
	events emitter.Shared[EventName]

	// Shared across loops.
	conns          atomic.Int64
	maxConns       atomic.Int64 // < 0: no limit
	emfileReported atomic.Bool
}

// New creates a server (Node's net.createServer(options, connectionListener)).
// onConnection, if not nil, is a 'connection' listener.
func New(o Options, onConnection func(*socket.Socket)) (*Server, error) {
	s := &Server{opts: o, home: o.Loop}
	if s.home == nil && o.Group != nil {
		s.home = o.Group.Loops()[0]
	}
	if s.home == nil {
		return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options' is invalid: a Loop or a Group is required")
	}
	s.maxConns.Store(-1)
	s.initAcceptOptions()
	if onConnection != nil {
		s.events.Add(emitter.NewID(), EventConnection, onConnection, false)
	}
	return s, nil
}

func (s *Server) exec(fn func()) {
	if s.home != nil {
		_ = s.home.Exec(fn)
	}
}

// zero reports a Server declared without New: it has no loop, and its
// methods answer with errZero instead of dereferencing nil.
func (s *Server) zero() bool { return s.home == nil }

func errZero() error { return nodenet.NewZeroValueError("server.Server", "server.New") }

// mustFunc is Node's validateFunction for a listener or callback: a nil
// function panics at the call with ERR_INVALID_ARG_TYPE (Node throws) —
// registered, it would panic later on the loop, where nobody sees it, and
// stop every listener after it.
func mustFunc(isNil bool, name string) {
	if isNil {
		panic(nodenet.NewError(nodenet.CodeInvalidArgType, `The "`+name+`" argument must be of type function. Received null`))
	}
}

func (s *Server) logger() *zap.Logger {
	if s.opts.Logger != nil {
		return s.opts.Logger
	}
	return s.home.Logger()
}

// Listening reports whether the server is accepting connections.
func (s *Server) Listening() bool { return s.getState() == stateListening }

// Connections is the number of live connections, exact across a Group.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// GetConnections is Node's server.getConnections(cb): cb(nil, count) on the
// next tick of the home loop. A nil cb panics with ERR_INVALID_ARG_TYPE, as
// Node throws. If the home loop is stopped cb still runs, with
// ErrLoopStopped, on a goroutine of its own. Returns the server.
func (s *Server) GetConnections(cb func(err error, count int)) *Server {
	mustFunc(cb == nil, "callback")
	if s.zero() {
		go cb(errZero(), 0)
		return s
	}
	if err := s.home.Exec(func() {
		s.home.NextTick(func() { cb(nil, s.Connections()) })
	}); err != nil {
		go cb(err, s.Connections())
	}
	return s
}

// SetMaxConnections is Node's server.maxConnections: once n connections are
// live, a new one is accepted and destroyed at once (and 'drop' emitted).
// A negative n removes the limit (the default); 0 refuses every connection.
func (s *Server) SetMaxConnections(n int) *Server {
	s.maxConns.Store(int64(n))
	return s
}

// MaxConnections returns the limit (-1: none).
func (s *Server) MaxConnections() int { return int(s.maxConns.Load()) }

// Address is Node's server.address(): *net.TCPAddr for a TCP server,
// *net.UnixAddr (Name = the path given to Listen, kept after Close) for a
// Unix socket server, nil when not listening.
func (s *Server) Address() net.Addr {
	if a := s.addr.Load(); a != nil {
		if a.Family == "unix" {
			return &net.UnixAddr{Name: a.Address, Net: "unix"}
		}
		return &net.TCPAddr{IP: net.ParseIP(a.Address), Port: a.Port}
	}
	return nil
}

// AddressInfo is Address in Node's {address, family, port} shape; Family is
// "unix" (and Address the path) for a Unix socket server.
func (s *Server) AddressInfo() (socket.AddressInfo, bool) {
	if a := s.addr.Load(); a != nil {
		return *a, true
	}
	return socket.AddressInfo{}, false
}

// Ref makes the listening server keep its loop's Run going (the default).
func (s *Server) Ref() *Server {
	s.exec(func() { s.unrefed = false; s.updateRef() })
	return s
}

// Unref lets Run return even while the server listens; remembered across
// Close and a later Listen.
func (s *Server) Unref() *Server {
	s.exec(func() { s.unrefed = true; s.updateRef() })
	return s
}

func (s *Server) updateRef() {
	want := s.active() && !s.unrefed
	s.ref.Set(s.home, want)
}

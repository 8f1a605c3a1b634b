package socket

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/buffer"
	"github.com/nodenet/nodenet/encoding"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// DefaultHighWaterMark is the queued byte count at which Send starts
// returning false: 64 KiB, Node 26's default for sockets (Node 20 and the
// v11 reference: 16 KiB). Send decides after its write attempt, as Node's
// write() does, so a write the kernel takes whole returns true whatever its
// size and the mark matters only once the kernel pushes back; then a slow
// reader's socket queues up to this much before Send says false. Measured
// with make bench-quick against 16 KiB on the shared machine: within noise
// (docs/porting.md). StreamOptions.HighWaterMark changes it per socket.
const DefaultHighWaterMark = 64 << 10

// Options configures a Socket made with New (Node's new net.Socket(options)).
type Options struct {
	// Loop owns the socket. Required.
	Loop *reactor.Loop
	// FD wraps an existing connected stream socket (one end of a socketpair,
	// an inherited socket). The socket takes ownership and makes it
	// nonblocking. Zero or negative: no descriptor (call Connect).
	FD nodenet.FD
	// StreamOptions: AllowHalfOpen, HighWaterMark, MaxBufferSize, NoDelay,
	// KeepAlive and KeepAliveInitialDelay (NoDelay and KeepAlive apply
	// when Connect establishes the connection, or at once to a wrapped FD).
	StreamOptions
	// Readable and Writable apply to a wrapped FD: false shuts that
	// direction off from the start (Node's readable/writable options).
	// Both default to true when FD is set and neither is set.
	Readable, Writable *bool
	// TypeOfService is the IP TOS byte (IPv6 traffic class) set on the
	// connection when Connect establishes it, 0-255 (Node's typeOfService
	// option; 0, the kernel's default, sets nothing). A wrapped FD keeps
	// its own, as in Node, which applies the option only at connect.
	TypeOfService int
	// BlockList, when set, refuses to connect to the addresses it blocks
	// (Node's blockList option): the attempt fails with ERR_IP_BLOCKED, and
	// with several addresses to try the next one is tried.
	BlockList *nodenet.BlockList
}

type sockKind uint8

const (
	kindNone sockKind = iota
	kindTCP4
	kindTCP6
	kindUnix
)

// Socket is Node's net.Socket. Create one with Connect, New, or receive it
// from a server's connection event.
//
// A server holds one Socket per connection, most of them idle, so the
// struct is kept small (TestSocketSize): what an idle accepted connection
// needs is here; everything else (connect state, timeouts, encoding, write
// callbacks, cork, options that differ from the defaults) lives in a
// socketCold allocated the first time something needs it, and the write
// queue is borrowed from the loop only while bytes are waiting.
type Socket struct {
	loop *reactor.Loop
	fd   nodenet.FD // sysnet.Invalid (-1 on Unix) without a descriptor
	// np is the completion-based transport of a Windows named pipe (nil
	// for sockets); an empty type outside Windows (transport_other.go).
	//lint:ignore U1000 used by the Windows build only
	np transport

	// cold is published atomically: it may be created off the loop (a Send
	// from another goroutine counts offLoop there), and the address getters
	// read its caches from any goroutine. Its other fields are loop-only.
	cold atomic.Pointer[socketCold]

	// q holds the bytes the kernel has not taken yet; nil while there are
	// none (see takeQueue and releaseQueue).
	q *buffer.Queue

	// pipeTo is the destination of the first Pipe from this socket, served
	// straight from the read path without listener entries (pipe.go).
	pipeTo *Socket

	// hook is what the accepting server attached (owner and destroy hook),
	// shared by all of that server's sockets.
	hook *seam.OwnerHook

	// layer is where the protocol layered on the stream (TLS) is found
	// when fLayered: a pointer here outside Windows, so that an idle TLS
	// connection has no cold part (480 bytes) only for it; on Windows, where
	// the named pipe's field takes the word, nothing (layer_home_*.go).
	layer layerHome

	// Events: nil until the first listener is added. Published atomically
	// so that ListenerCount may read its counts from any goroutine; only
	// the loop changes it.
	events atomic.Pointer[eventList]

	// Counters and mirrors readable from any goroutine.
	bytesRead    atomic.Int64
	bytesWritten atomic.Int64
	bufferSize   atomic.Int64

	// raddr and rport are the peer's address of an accepted connection,
	// kept in binary and formatted on demand (stRemote4/stRemote6 tell they
	// are set; they are written once, before the bit is published).
	raddr [16]byte
	rport uint16

	// st is the state machine's word that other goroutines may read (its
	// bits, their diagram and who sets each: state.go).
	st atomic.Uint32
	// fl is the state machine's loop-only word (state.go).
	fl flags
	// hwm is the write high-water mark (StreamOptions.HighWaterMark, else
	// DefaultHighWaterMark), set before the socket is shared.
	hwm int32

	// ref is the socket's hold on its loop's liveness, kept equal to
	// refWanted by updateRef.
	ref reactor.RefHold
}

// socketCold is the part of a socket that an idle accepted connection does
// not need. It is allocated by c() the first time something needs it and
// kept for the socket's life.
type socketCold struct {
	// Connect state.
	connectGen   uint64 // invalidates stale lookups and attempts
	attempt      *connectAttempt
	connectTimer *reactor.Timer
	path         string
	lookupHost   string
	attempted    []string
	// attemptedView is attempted as last published (a copy), for
	// AutoSelectFamilyAttemptedAddresses from any goroutine.
	attemptedView atomic.Pointer[[]string]
	attemptErrs   []error
	// The flush of the writes queued while connecting (connect_flush.go).
	connectFlushID  ListenerID
	connectFirstEnd uint64
	connectFirstLen int
	connectUnsent   int // queued bytes a destroy left for the flush listener to fail
	// closeBytesWritten, when positive, is bytesWritten+1 as 'close' is
	// emitted (a destroy while connecting: see armConnectFlush).
	closeBytesWritten int64

	// Timeouts and options.
	idle          atomic.Int64 // SetTimeout's duration (ns), for Timeout from any goroutine
	idleTimer     *reactor.Timer
	idleFlushed   uint64
	flushedBase   uint64       // bytes flushed through queues already given back
	keepAliveSecs atomic.Int32 // SetKeepAlive's delay, for KeepAlive from any goroutine
	maxBuffer     int
	corked        atomic.Int32       // Cork depth (Node's writableCorked); loop writes, any goroutine reads
	tos           atomic.Int32       // SetTypeOfService's byte + 1 (0: never set), from any goroutine
	blockList     *nodenet.BlockList // Options.BlockList; set before anyone sees the socket

	// Encoding of data events.
	enc    atomic.Uint32 // an encoding.Encoding, published for ReadableEncoding; loop writes
	dec    encoding.Decoder
	decBuf []byte

	// Write callbacks.
	pending []pendingWrite // callbacks waiting for queued bytes to flush
	done    []writeDone    // callbacks ready to run on the next tick
	endCbs  []func(error)

	errorValue atomic.Pointer[error] // what the socket was destroyed with (Node's errored); loop writes

	// Pipes from this socket beyond the first (pipeTo), and the first
	// pipe's 'drain' listener on its destination while it waits.
	pipes       []*pipeState
	pipeDrainID ListenerID
	pipeDrainFn func()
	spl         spliceState // splicing, as a pipe's source or destination

	offLoop atomic.Int64 // bytes of Sends posted from other goroutines, not yet queued
	// Off-loop falses and the drains that answered them (offloop.go).
	offFalse   atomic.Uint64 // Sends from other goroutines that returned false
	offArmed   uint64        // loop: offFalse as last turned into a drain owed
	offDrained uint64        // loop: offArmed when 'drain' was last emitted
	//lint:ignore U1000 used by the Windows build only
	plat   coldPlatform // what only one platform keeps here (layer_home_*.go)
	remote addrCache    // the peer's name when not kept in raddr
	local  addrCache
}

// c returns the socket's cold part, allocating it on first use. Loop
// goroutine, or any goroutine for the atomic fields only (the
// compare-and-swap makes a concurrent first use safe).
func (s *Socket) c() *socketCold {
	if c := s.cold.Load(); c != nil {
		return c
	}
	s.cold.CompareAndSwap(nil, new(socketCold))
	return s.cold.Load()
}

// coldOrNil is the cold part if it exists: readers that have nothing to do
// without one do not allocate it.
func (s *Socket) coldOrNil() *socketCold { return s.cold.Load() }

type pendingWrite struct {
	end uint64 // queue.Pushed() after this write
	cb  func(error)
}

type writeDone struct {
	cb  func(error)
	err error
}

func newSocket(l *reactor.Loop) *Socket {
	s := &Socket{
		loop: l,
		fd:   sysnet.Invalid,
		hwm:  DefaultHighWaterMark,
	}
	s.initialState()
	return s
}

func (s *Socket) applyOptions(o *Options) {
	s.applyStreamOptions(&o.StreamOptions)
	if o.TypeOfService > 0 {
		s.c().tos.Store(int32(o.TypeOfService) + 1)
	}
	if o.BlockList != nil {
		s.c().blockList = o.BlockList
	}
}

// New makes a Socket (Node's new net.Socket(options)): without FD it is an
// unconnected socket to Connect later; with FD it wraps that connected stream
// socket and starts reading as soon as a data listener is added.
func New(o Options) (*Socket, error) {
	if o.Loop == nil {
		return nil, errMissingLoop()
	}
	if err := validateTypeOfService(o.TypeOfService, "options.typeOfService"); err != nil {
		return nil, err
	}
	s := newSocket(o.Loop)
	s.applyOptions(&o)
	if o.FD > 0 && o.FD != sysnet.Invalid {
		kind, err := socketKind(o.FD)
		if err != nil {
			return nil, err
		}
		if err := sysnet.SetNonblock(o.FD); err != nil {
			return nil, nodenet.NewSyscallError("fcntl", err)
		}
		s.setDirections(o.Readable == nil || *o.Readable, o.Writable == nil || *o.Writable)
		err = nil
		s.loop.Exec(func() { err = s.adopt(o.FD, kind, netip.AddrPort{}, false) })
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// zero reports a Socket declared without a constructor (New, Connect or a
// server's 'connection'): it has no loop, and its methods answer with
// errZero — or do nothing — instead of dereferencing nil.
func (s *Socket) zero() bool { return s.loop == nil }

func errZero() error {
	return nodenet.NewZeroValueError("socket.Socket", "socket.New, socket.Connect or a server's connection listener")
}

// failCallback reports err to a completion callback that cannot reach the
// socket's loop (a zero Socket, a stopped loop): asynchronously, never
// inside the call that took it, on a goroutine of its own.
func failCallback(cb func(error), err error) {
	if cb != nil {
		go cb(err)
	}
}

// Loop returns the loop the socket belongs to.
func (s *Socket) Loop() *reactor.Loop { return s.loop }

// exec runs fn on the socket's loop: inline there, posted from elsewhere.
func (s *Socket) exec(fn func()) { _ = s.loop.Exec(fn) }

// Connecting is true from Connect until 'connect' (or failure).
func (s *Socket) Connecting() bool { return s.is(stConnecting) }

// Pending is true while the socket is not yet connected (Node's
// socket.pending): no descriptor yet, or still connecting.
func (s *Socket) Pending() bool {
	if s.is(stConnecting) {
		return true
	}
	return !s.is(stOpen)
}

// Destroyed reports whether the socket was destroyed.
func (s *Socket) Destroyed() bool { return s.is(stDestroyed) }

// BufferSize is the number of bytes queued and not yet taken by the kernel
// (Node's socket.bufferSize, counted in bytes, each byte once).
func (s *Socket) BufferSize() int { return int(s.bufferSize.Load()) }

// WritableLength is BufferSize (Node's writable.writableLength).
func (s *Socket) WritableLength() int { return s.BufferSize() }

// WritableHighWaterMark is the queue size at which Send returns false.
func (s *Socket) WritableHighWaterMark() int { return int(s.hwm) }

// BytesRead is the number of bytes received on the current connection.
func (s *Socket) BytesRead() int64 { return s.bytesRead.Load() }

// BytesWritten is the number of bytes handed to Send/Write/End on the current
// connection, counted when the call is made (Node's bytesWritten), including
// bytes still queued.
func (s *Socket) BytesWritten() int64 { return s.bytesWritten.Load() }

// ReadyState is Node's readyState: "opening" while connecting, else "open",
// "readOnly", "writeOnly" or "closed" from Readable and Writable (a socket
// that was never connected is "open", as in Node). Any goroutine.
func (s *Socket) ReadyState() string {
	if s.is(stConnecting) {
		return "opening"
	}
	r, w := s.Readable(), s.Writable()
	switch {
	case r && w:
		return "open"
	case r:
		return "readOnly"
	case w:
		return "writeOnly"
	}
	return "closed"
}

// Readable is Node's socket.readable: the read side exists, the socket is
// not destroyed and 'end' has not been emitted. Any goroutine.
func (s *Socket) Readable() bool {
	return s.st.Load()&(stReadable|stDestroyed|stEndEmitted) == stReadable
}

// Writable is Node's socket.writable: the write side exists, End has not
// been called and the socket is neither destroyed nor errored, so Send is
// allowed. Any goroutine.
func (s *Socket) Writable() bool {
	return s.st.Load()&(stWritable|stDestroyed|endCalled|stErrored) == stWritable
}

// AllowHalfOpen reports the socket's allowHalfOpen setting.
func (s *Socket) AllowHalfOpen() bool { return s.is(stAllowHalfOpen) }

// Timeout is the idle timeout set with SetTimeout (0: none), as given (Node's
// socket.timeout: a value above reactor.TimeoutMax is reported as set,
// though the timer waits TimeoutMax). From any goroutine; a SetTimeout
// called elsewhere counts once the loop has taken it.
func (s *Socket) Timeout() time.Duration {
	if c := s.coldOrNil(); c != nil {
		return time.Duration(c.idle.Load())
	}
	return 0
}

// Owner is what the accepting server attached (Node's socket.server); nil
// for client sockets.
func (s *Socket) Owner() any {
	if s.hook == nil {
		return nil
	}
	return s.hook.Owner
}

// Ref makes the socket keep its loop's Run going while it has work in
// progress (the default): see updateRef for what counts, Node's rule (NS-049).
func (s *Socket) Ref() *Socket {
	s.exec(func() { s.setRefed(true); s.updateRef() })
	return s
}

// Unref lets the loop's Run return even while this socket is connecting,
// reading or writing.
func (s *Socket) Unref() *Socket {
	s.exec(func() { s.setRefed(false); s.updateRef() })
	return s
}

// updateRef holds one loop ref while the socket is refed and has work in
// progress — libuv's active handle or request, which is what keeps a Node
// process alive (NS-049): connecting (resolving included), reading, or bytes
// queued for the kernel. A connected socket that never started reading
// (paused before or inside its 'connect' listener, or accepted with
// PauseOnConnect) and has nothing to write does not keep Run going, even
// though it is refed. A socket paused after it started reading still does,
// as in Node, whose pause() leaves the handle reading (fReadStarted). A
// shutdown completes at once here; its 'finish' is a tick, which holds Run
// by itself.
//
// Connecting holds the loop even when the socket is unrefed: in Node the
// connect is a libuv request, which keeps the process alive whatever the
// handle's ref, and an Unref (before Connect or while connecting) takes
// effect on the connected socket.
func (s *Socket) updateRef() {
	s.ref.Set(s.loop, s.refWanted())
}

func errMissingLoop() error {
	return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options.Loop' is invalid. Received nil")
}

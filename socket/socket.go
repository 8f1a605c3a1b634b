package socket

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/buffer"
	"github.com/nodenet/nodenet/encoding"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// DefaultHighWaterMark is the queued byte count at which Send starts
// returning false. Node 22+ uses 64 KiB; the reference (Node v11) 16 KiB,
// which is what nodenet uses: a smaller queue answers backpressure sooner.
const DefaultHighWaterMark = 16 << 10

// Options configures a Socket made with New (Node's new net.Socket(options)).
type Options struct {
	// Loop owns the socket. Required.
	Loop *reactor.Loop
	// FD wraps an existing connected stream socket (one end of a socketpair,
	// an inherited socket). The socket takes ownership and makes it
	// nonblocking. Zero or negative: no descriptor (call Connect).
	FD nodenet.FD
	// AllowHalfOpen keeps our side writable after the peer's FIN until End.
	AllowHalfOpen bool
	// Readable and Writable apply to a wrapped FD: false shuts that
	// direction off from the start (Node's readable/writable options).
	// Both default to true when FD is set and neither is set.
	Readable, Writable *bool
	// HighWaterMark is the queue size at which Send returns false (default
	// DefaultHighWaterMark).
	HighWaterMark int
	// MaxBufferSize, when positive, is a hard cap on queued bytes: a write
	// that would pass it destroys the socket with ERR_NODENET_BUFFER_FULL
	// instead of letting memory grow without bound (Node has no cap).
	MaxBufferSize int
	// NoDelay sets TCP_NODELAY at connect; nil means true (Go's default).
	NoDelay *bool
	// KeepAlive enables SO_KEEPALIVE at connect, with KeepAliveInitialDelay.
	KeepAlive             bool
	KeepAliveInitialDelay time.Duration
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
type Socket struct {
	loop *reactor.Loop
	fd   nodenet.FD // sysnet.Invalid (-1 on Unix) without a descriptor
	kind sockKind
	// np is the completion-based transport of a Windows named pipe (nil
	// for sockets); an empty type outside Windows (transport_other.go).
	np transport

	// Life cycle. Loop goroutine only.
	connecting    bool
	connected     bool // the descriptor is a live connection
	destroyed     bool
	everConnected bool
	readEOF       bool // the kernel reported EOF
	endEmitted    bool
	ending        bool // End was called
	finished      bool // FIN sent and 'finish' emitted
	shutdownDone  bool
	errorEmitted  bool
	closeEmitted  bool
	allowHalfOpen bool
	readable      bool
	writable      bool
	flowing       int8 // -1: not decided, 0: paused, 1: flowing
	refed         bool
	ref           reactor.RefHold
	readingNow    bool // read interest registered

	detached    bool // unregistered from the poller after a hang-up while not reading
	dataWaiting bool // undecided flow and data is waiting in the kernel (peekUndecided)

	// Writing.
	queue      buffer.Queue
	pending    []pendingWrite // callbacks waiting for queued bytes to flush
	done       []writeDone    // callbacks ready to run on the next tick
	doneQueued bool
	hwm        int
	maxBuffer  int
	needDrain  bool
	corked     int
	endCbs     []func(error)

	// Events.
	events eventListeners

	// Timeouts and options.
	idle          time.Duration
	idleTimer     *reactor.Timer
	idleFlushed   uint64
	noDelay       bool
	noDelaySet    bool // the value currently applied to the descriptor
	keepAlive     bool
	keepAliveSet  bool
	keepAliveSecs int
	connectTimer  *reactor.Timer

	// Encoding of data events.
	enc    encoding.Encoding
	dec    encoding.Decoder
	decBuf []byte

	// Connect state.
	connectGen  uint64 // invalidates stale lookups and attempts
	attempt     *connectAttempt
	remote      addrCache
	local       addrCache
	path        string
	lookupHost  string
	attempted   []string
	attemptErrs []error

	// Pipes from this socket.
	pipes []*pipeState

	// Counters and mirrors readable from any goroutine.
	bytesRead    atomic.Int64
	bytesWritten atomic.Int64
	bufferSize   atomic.Int64
	offLoop      atomic.Int64 // bytes of Sends posted from other goroutines, not yet queued
	isDestroyed  atomic.Bool
	isConnecting atomic.Bool
	isOpen       atomic.Bool // connected and not destroyed
	isUnix       atomic.Bool // kind == kindUnix, for ResetAndDestroy off the loop
	isEnding     atomic.Bool
	errorValue   error // what the socket was destroyed with

	// For the server that accepted the socket.
	onDestroyHook func()
	owner         any

	// Prebound method values, so the hot paths schedule them without a
	// closure allocation.
	runDoneFn func()
}

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
		loop:     l,
		fd:       sysnet.Invalid,
		flowing:  -1,
		refed:    true,
		readable: true,
		writable: true,
		noDelay:  true,
		hwm:      DefaultHighWaterMark,
	}
	s.queue.Init(poolFor(l))
	s.runDoneFn = s.runDone
	return s
}

func (s *Socket) applyOptions(o *Options) {
	s.allowHalfOpen = o.AllowHalfOpen
	if o.HighWaterMark > 0 {
		s.hwm = o.HighWaterMark
	}
	s.maxBuffer = o.MaxBufferSize
	if o.NoDelay != nil {
		s.noDelay = *o.NoDelay
	}
	s.keepAlive = o.KeepAlive
	s.keepAliveSecs = int(o.KeepAliveInitialDelay / time.Second)
	if s.keepAliveSecs < 0 {
		s.keepAliveSecs = 0
	}
}

// New makes a Socket (Node's new net.Socket(options)): without FD it is an
// unconnected socket to Connect later; with FD it wraps that connected stream
// socket and starts reading as soon as a data listener is added.
func New(o Options) (*Socket, error) {
	if o.Loop == nil {
		return nil, errMissingLoop()
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
		s.readable = o.Readable == nil || *o.Readable
		s.writable = o.Writable == nil || *o.Writable
		err = nil
		s.loop.Exec(func() { err = s.adopt(o.FD, kind, netip.AddrPort{}) })
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Loop returns the loop the socket belongs to.
func (s *Socket) Loop() *reactor.Loop { return s.loop }

func (s *Socket) exec(fn func()) {
	if s.loop.InLoop() {
		fn()
		return
	}
	_ = s.loop.Post(fn)
}

// Connecting is true from Connect until 'connect' (or failure).
func (s *Socket) Connecting() bool { return s.isConnecting.Load() }

// Pending is true while the socket is not yet connected (Node's
// socket.pending): no descriptor yet, or still connecting.
func (s *Socket) Pending() bool {
	if s.isConnecting.Load() {
		return true
	}
	return !s.isOpen.Load()
}

// Destroyed reports whether the socket was destroyed.
func (s *Socket) Destroyed() bool { return s.isDestroyed.Load() }

// BufferSize is the number of bytes queued and not yet taken by the kernel
// (Node's socket.bufferSize, counted in bytes, each byte once).
func (s *Socket) BufferSize() int { return int(s.bufferSize.Load()) }

// WritableLength is BufferSize (Node's writable.writableLength).
func (s *Socket) WritableLength() int { return s.BufferSize() }

// WritableHighWaterMark is the queue size at which Send returns false.
func (s *Socket) WritableHighWaterMark() int { return s.hwm }

// BytesRead is the number of bytes received on the current connection.
func (s *Socket) BytesRead() int64 { return s.bytesRead.Load() }

// BytesWritten is the number of bytes handed to Send/Write/End on the current
// connection, counted when the call is made (Node's bytesWritten), including
// bytes still queued.
func (s *Socket) BytesWritten() int64 { return s.bytesWritten.Load() }

// ReadyState is Node's readyState: "opening" while connecting, else "open",
// "readOnly", "writeOnly" or "closed". Loop goroutine only.
func (s *Socket) ReadyState() string {
	if s.connecting {
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

// Readable is Node's socket.readable: data may still arrive. Loop goroutine only.
func (s *Socket) Readable() bool {
	return s.readable && !s.destroyed && !s.endEmitted && !s.readEOF
}

// Writable is Node's socket.writable: Send is still allowed. Loop goroutine only.
func (s *Socket) Writable() bool {
	return s.writable && !s.destroyed && !s.ending
}

// AllowHalfOpen reports the socket's allowHalfOpen setting.
func (s *Socket) AllowHalfOpen() bool { return s.allowHalfOpen }

// Timeout is the idle timeout set with SetTimeout (0: none).
func (s *Socket) Timeout() time.Duration { return s.idle }

// Owner is what the accepting server attached (Node's socket.server); nil
// for client sockets.
func (s *Socket) Owner() any { return s.owner }

// Ref makes the socket keep its loop's Run going while it is open (the default).
func (s *Socket) Ref() *Socket {
	s.exec(func() { s.refed = true; s.updateRef() })
	return s
}

// Unref lets the loop's Run return even while this socket is open.
func (s *Socket) Unref() *Socket {
	s.exec(func() { s.refed = false; s.updateRef() })
	return s
}

// updateRef holds one loop ref while the socket has a descriptor (or is
// connecting, or resolving) and is refed — Node's rule that an open or
// connecting socket keeps the process alive unless unref'd.
func (s *Socket) updateRef() {
	want := s.refed && !s.destroyed && (s.fd != sysnet.Invalid || s.connecting)
	s.ref.Set(s.loop, want)
}

func errMissingLoop() error {
	return nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options.Loop' is invalid. Received nil")
}

func (s *Socket) setKind(k sockKind) {
	s.kind = k
	s.isUnix.Store(k == kindUnix)
}

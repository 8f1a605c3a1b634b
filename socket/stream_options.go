package socket

import (
	"math"
	"time"
)

// StreamOptions are the settings of a connection's byte stream, the ones
// Node accepts wherever a socket is made: new net.Socket(options),
// net.connect(options) and net.createServer(options) (for every socket the
// server accepts), and tls.connect and tls.createServer through them.
//
// Options, ConnectOptions and server.Options embed one (tls.ConnectOptions
// and tls.ServerOptions embed those), so the settings travel as one value
// from the options a caller wrote to the socket they configure. Reading or
// assigning a field through the outer struct (o.AllowHalfOpen = true) works
// as if it were declared there; a composite literal names the embedded
// struct:
//
//	socket.Options{Loop: l, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}
//
// The zero value is Node's defaults.
type StreamOptions struct {
	// AllowHalfOpen is Node's allowHalfOpen (default false): after the
	// peer's FIN our side stays writable until End; without it the socket
	// ends itself once 'end' has been emitted.
	AllowHalfOpen bool
	// HighWaterMark is Node's highWaterMark (writableHighWaterMark and
	// readableHighWaterMark): the queued byte count at which Send starts
	// returning false. Zero or negative: DefaultHighWaterMark.
	HighWaterMark int
	// MaxBufferSize, when positive, is a hard cap on queued bytes: a write
	// that would pass it destroys the socket with ERR_NODENET_BUFFER_FULL
	// instead of letting memory grow without bound. nodenet's own: Node has
	// no cap.
	MaxBufferSize int
	// NoDelay is Node's noDelay, TCP_NODELAY set when the connection is
	// established; nil means true (Go's default). Nothing on a Unix domain
	// socket or a named pipe.
	NoDelay *bool
	// KeepAlive is Node's keepAlive: SO_KEEPALIVE set when the connection
	// is established, with KeepAliveInitialDelay (Node's
	// keepAliveInitialDelay, whole seconds; zero leaves the system's idle
	// time) before the first probe. Nothing on a Unix domain socket or a
	// named pipe.
	KeepAlive             bool
	KeepAliveInitialDelay time.Duration
}

// applyStreamOptions applies the settings every kind of socket shares. A
// setting left at its default costs no cold part.
func (s *Socket) applyStreamOptions(o *StreamOptions) {
	s.setAllowHalfOpen(o.AllowHalfOpen)
	if o.HighWaterMark > 0 {
		s.hwm = int32(min(o.HighWaterMark, math.MaxInt32))
	}
	if o.MaxBufferSize > 0 {
		s.c().maxBuffer = o.MaxBufferSize
	}
	if o.NoDelay != nil {
		s.setNoDelay(*o.NoDelay)
	}
	s.setKeepAlive(o.KeepAlive)
	if secs := int(o.KeepAliveInitialDelay / time.Second); secs > 0 {
		s.c().keepAliveSecs.Store(int32(min(secs, math.MaxInt32)))
	}
}

package seam

import "github.com/nodenet/nodenet/reactor"

// A layered socket hands every byte it reads from the kernel to the Layer
// instead of its data listeners, and every byte its user writes to the Layer
// instead of the kernel; the Layer answers through the socket's Transport:
// ciphertext goes out with SendRaw, plaintext comes back with Deliver. The
// socket's own state machine — end, finish, close, timeouts, pipes, the
// write queue and 'drain' — is unchanged: it sees the layer's bytes as its
// own. Everything here runs on the socket's loop goroutine.

// Layer is what a socket calls once a layer is attached.
type Layer interface {
	// Input takes bytes read from the kernel. raw is the loop's read
	// buffer: it is valid only during the call.
	Input(raw []byte)
	// InputEOF: the kernel reported the peer's FIN. The socket stopped
	// reading; the layer calls Transport.EndOfInput when the plaintext
	// before it has been delivered (or destroys the socket).
	InputEOF()
	// Write takes the user's data (Send, Write, End's data) after the
	// socket's write-after-end and destroyed checks, and returns Node's
	// write() result. cb runs when the data has reached the kernel.
	Write(p []byte, cb func(error)) bool
	// Shutdown is asked before the socket sends its FIN (End, once its queue
	// is empty). It returns true to hold the FIN: the layer still has to
	// send something first (close_notify, or writes waiting for the
	// handshake) and calls Transport.Shutdown again when it has.
	Shutdown() (hold bool)
	// Connected: a connecting socket's connection is established, before
	// 'connect' is emitted.
	Connected()
	// Flow and Pause report the user's Resume and Pause (a data listener,
	// a pipe's backpressure) so the layer can deliver what it holds.
	Flow()
	Pause()
	// InputError: reading from the kernel failed with err (a read
	// ECONNRESET, …). The layer destroys the socket with it (Transport.
	// Destroy, or DestroyReported when it reports the error elsewhere: a
	// TLS server's handshake failure is 'tlsClientError').
	InputError(err error)
	// Destroyed: the socket was destroyed (its descriptor is closed).
	Destroyed()
}

// Transport is the socket as its layer sees it.
type Transport interface {
	Loop() *reactor.Loop
	// SendRaw writes p below the layer: to the kernel, or the socket's
	// queue, with Node's return rule; cb as for Send. A failure destroys
	// the socket.
	SendRaw(p []byte, cb func(error)) bool
	// Deliver hands plaintext to the user: bytesRead, encoding, pipe and
	// data listeners. p is valid only during the call.
	Deliver(p []byte)
	// EndOfInput is the end of the plaintext stream: 'end' follows as for
	// a plain socket's FIN.
	EndOfInput()
	// SetReading turns reading from the kernel on or off for the layer.
	// A layered socket reads only while the layer asks.
	SetReading(on bool)
	// SetBusy marks work the layer does elsewhere (a handshake on another
	// goroutine): while busy, a refed socket keeps its loop running.
	SetBusy(on bool)
	// Flowing reports whether the user wants data (not paused, a data
	// listener or Resume).
	Flowing() bool
	// Shutdown retries the FIN that Layer.Shutdown held.
	Shutdown()
	// NeedDrain arms 'drain': the layer returned false from Write.
	NeedDrain()
	// Destroy destroys the socket with err (nil: no 'error').
	Destroy(err error)
	// DestroyReported destroys the socket with err without emitting
	// 'error' (the layer reported it elsewhere: a server's
	// 'tlsClientError'); 'close' still says hadError.
	DestroyReported(err error)
	// Destroyed reports whether the socket was destroyed.
	Destroyed() bool
	// Connected reports whether the socket has a live connection.
	Connected() bool
}

// Slot holds the Layer a socket is attached to. The socket keeps a pointer
// to it, one word (a Layer is two, and the struct of an idle socket has room
// for one word only: socket.TestSocketSize), and the layer embeds it, so
// attaching allocates nothing and an established TLS connection keeps no
// cold part of its socket only to remember its layer.
type Slot struct{ Layer Layer }

// Attach installs the Layer in slot on sock (a *socket.Socket) and returns
// its Transport. It is set by package socket; call it on the socket's loop.
var Attach func(sock any, slot *Slot) (Transport, error)

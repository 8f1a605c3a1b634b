package nodenet

import (
	"errors"
	"strconv"
	"syscall"
)

// Error is the error type of every nodenet layer. It mirrors the properties of
// the errors Node's net module emits — code, syscall, address, port, hostname —
// and, for errors that come from the kernel, unwraps to the operating system's
// errno, so both styles of check work:
//
//	errors.Is(err, unix.ECONNREFUSED)     // the errno
//	errors.Is(err, nodenet.ErrSocketBadPort) // the Node code
//	var e *nodenet.Error; errors.As(err, &e); e.Code == "ECONNREFUSED"
type Error struct {
	// Code is Node's error code: an errno name ("ECONNRESET") for kernel
	// errors, "ENOTFOUND"/"EAI_*" for resolver errors, "ERR_*" otherwise.
	Code string
	// Syscall names the operation that failed ("connect", "listen", "read",
	// "getaddrinfo"); empty for argument errors.
	Syscall string
	// Address is the remote (or listen) address, or the Unix socket path.
	Address string
	// Port is the port involved; -1 where Node reports -1 (listen on a path),
	// 0 when there is none.
	Port int
	// Hostname is the name a resolver failed to resolve.
	Hostname string
	// LocalAddress and LocalPort are set when a connect bound its local side.
	LocalAddress string
	LocalPort    int
	// Message is the text Node would show, e.g. "connect ECONNREFUSED 127.0.0.1:80".
	Message string
	// Err is the underlying cause: the errno for kernel errors, nil otherwise.
	Err error
}

// Error returns the Node-style message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the errno (or other cause) so errors.Is/As reach it.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code, so the exported
// sentinels (ErrServerAlreadyListen, …) match any error carrying their code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != "" && t.Code == e.Code
}

// Node's internal error codes (lib/internal/errors.js) that nodenet produces.
const (
	CodeServerAlreadyListen          = "ERR_SERVER_ALREADY_LISTEN"
	CodeServerNotRunning             = "ERR_SERVER_NOT_RUNNING"
	CodeSocketBadPort                = "ERR_SOCKET_BAD_PORT"
	CodeMissingArgs                  = "ERR_MISSING_ARGS"
	CodeInvalidArgValue              = "ERR_INVALID_ARG_VALUE"
	CodeInvalidArgType               = "ERR_INVALID_ARG_TYPE"
	CodeInvalidIPAddress             = "ERR_INVALID_IP_ADDRESS"
	CodeInvalidAddressFamily         = "ERR_INVALID_ADDRESS_FAMILY"
	CodeSocketConnectionTimeout      = "ERR_SOCKET_CONNECTION_TIMEOUT"
	CodeOutOfRange                   = "ERR_OUT_OF_RANGE"
	CodeStreamWriteAfterEnd          = "ERR_STREAM_WRITE_AFTER_END"
	CodeStreamDestroyed              = "ERR_STREAM_DESTROYED"
	CodeStreamAlreadyFinished        = "ERR_STREAM_ALREADY_FINISHED"
	CodeSocketClosedBeforeConnection = "ERR_SOCKET_CLOSED_BEFORE_CONNECTION"
	CodeSocketClosed                 = "ERR_SOCKET_CLOSED"
	CodeInvalidHandleType            = "ERR_INVALID_HANDLE_TYPE"
	CodeUnknownEncoding              = "ERR_UNKNOWN_ENCODING"
	CodeInvalidAddress               = "ERR_INVALID_ADDRESS"
	CodeIPBlocked                    = "ERR_IP_BLOCKED"
	// CodeBufferFull is nodenet's own: a socket's write queue passed the hard
	// cap the user set (Node has no cap; see socket.StreamOptions.MaxBufferSize).
	CodeBufferFull = "ERR_NODENET_BUFFER_FULL"
	// CodeLoopStopped is nodenet's own: the handle's loop was stopped.
	CodeLoopStopped = "ERR_NODENET_LOOP_STOPPED"
	// CodeCallbackPanic is nodenet's own: a user callback panicked; the
	// handle is destroyed with this error and the loop keeps serving.
	CodeCallbackPanic = "ERR_NODENET_CALLBACK_PANIC"
	// CodeNotOnLoop is nodenet's own: a method that only a loop's own
	// goroutine may call (the reactor's plumbing for handle
	// implementations: Register, SetInterest, ...) was called from another
	// goroutine; it did nothing.
	CodeNotOnLoop = "ERR_NODENET_NOT_ON_LOOP"
	// CodeAlreadyConnected is nodenet's own: Connect on a socket that is
	// connected (Node has no such error; see socket.Socket.Connect).
	CodeAlreadyConnected = "ERR_NODENET_ALREADY_CONNECTED"
)

// Sentinels for errors.Is; each matches every *Error with its Code.
var (
	ErrServerAlreadyListen          = NewError(CodeServerAlreadyListen, "Listen method has been called more than once without closing.")
	ErrServerNotRunning             = NewError(CodeServerNotRunning, "Server is not running.")
	ErrSocketBadPort                = &Error{Code: CodeSocketBadPort, Message: CodeSocketBadPort}
	ErrMissingArgs                  = &Error{Code: CodeMissingArgs, Message: CodeMissingArgs}
	ErrInvalidArgValue              = &Error{Code: CodeInvalidArgValue, Message: CodeInvalidArgValue}
	ErrInvalidIPAddress             = &Error{Code: CodeInvalidIPAddress, Message: CodeInvalidIPAddress}
	ErrInvalidAddressFamily         = &Error{Code: CodeInvalidAddressFamily, Message: CodeInvalidAddressFamily}
	ErrOutOfRange                   = &Error{Code: CodeOutOfRange, Message: CodeOutOfRange}
	ErrStreamWriteAfterEnd          = NewError(CodeStreamWriteAfterEnd, "write after end")
	ErrStreamDestroyed              = NewError(CodeStreamDestroyed, "Cannot call write after a stream was destroyed")
	ErrStreamAlreadyFinished        = NewError(CodeStreamAlreadyFinished, "Cannot call end after a stream was finished")
	ErrSocketClosedBeforeConnection = NewError(CodeSocketClosedBeforeConnection, "Socket closed before the connection was established")
	ErrSocketClosed                 = NewError(CodeSocketClosed, "Socket is closed")
	ErrInvalidHandleType            = NewError(CodeInvalidHandleType, "This handle type cannot be sent")
	ErrUnknownEncoding              = &Error{Code: CodeUnknownEncoding, Message: CodeUnknownEncoding}
	ErrSocketConnectionTimeout      = NewError(CodeSocketConnectionTimeout, "Socket connection timeout")
	ErrBufferFull                   = NewError(CodeBufferFull, "write queue exceeded its limit")
	ErrLoopStopped                  = NewError(CodeLoopStopped, "the event loop was stopped")
	ErrCallbackPanic                = &Error{Code: CodeCallbackPanic, Message: CodeCallbackPanic}
	ErrAlreadyConnected             = NewError(CodeAlreadyConnected, "Socket is already connected")
	ErrNotOnLoop                    = NewError(CodeNotOnLoop, "called off the loop goroutine; only the loop's own goroutine may call this")
)

// NewZeroValueError is the error a method of a zero-value handle returns —
// a reactor.Loop, socket.Socket or server.Server declared without its
// constructor — instead of a nil dereference: EINVAL, as Go's zero
// net.TCPConn answers, with a message naming the constructor to use. It
// unwraps to syscall.EINVAL.
func NewZeroValueError(typ, constructor string) *Error {
	return &Error{Code: "EINVAL", Message: typ + " is not initialised: create it with " + constructor, Err: syscall.EINVAL}
}

// NewError returns an error with one of Node's ERR_* codes and its message.
func NewError(code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// NewSyscallError is Node's ErrnoException: "<syscall> <CODE>", e.g.
// "read ECONNRESET". A nil err gives nil.
func NewSyscallError(syscall string, err error) error {
	if err == nil {
		return nil
	}
	code := ErrnoCode(err)
	return &Error{Code: code, Syscall: syscall, Message: syscall + " " + code, Err: err}
}

// NewHostPortError is Node's ExceptionWithHostPort: "<syscall> <CODE>
// <address>:<port>", e.g. "connect ECONNREFUSED 127.0.0.1:80" (just the
// address when port is not positive).
func NewHostPortError(syscall string, err error, address string, port int) *Error {
	code := ErrnoCode(err)
	msg := syscall + " " + code
	if address != "" {
		msg += " " + hostPort(address, port)
	}
	return &Error{Code: code, Syscall: syscall, Address: address, Port: port, Message: msg, Err: err}
}

// NewListenError is Node's UVExceptionWithHostPort, used for listen and bind
// failures: "listen EADDRINUSE: address already in use :::8080", or the path
// alone for a Unix socket (whose Port is -1, as in Node).
func NewListenError(syscall string, err error, address string, port int) *Error {
	code := ErrnoCode(err)
	msg := syscall + " " + code + ": " + ErrnoDescription(err)
	if address != "" {
		msg += " " + hostPort(address, port)
	}
	return &Error{Code: code, Syscall: syscall, Address: address, Port: port, Message: msg, Err: err}
}

// NewDNSError is Node's DNSException: "getaddrinfo ENOTFOUND <host>", with
// Hostname set and no Address/Port, as Node's resolver errors have.
func NewDNSError(code, hostname string, cause error) *Error {
	return &Error{Code: code, Syscall: "getaddrinfo", Hostname: hostname,
		Message: "getaddrinfo " + code + " " + hostname, Err: cause}
}

func hostPort(address string, port int) string {
	if port > 0 {
		return address + ":" + strconv.Itoa(port)
	}
	return address
}

// ErrnoCode returns Node's code for err: the errno name for an operating
// system error ("EADDRINUSE"), the Code of an *Error, or "UNKNOWN".
func ErrnoCode(err error) string {
	var ne *Error
	if errors.As(err, &ne) && ne.Code != "" {
		return ne.Code
	}
	if code, _, ok := errnoName(err); ok {
		return code
	}
	return "UNKNOWN"
}

// ErrnoDescription returns libuv's lower-case description of an errno
// ("address already in use"), as Node puts it into listen errors.
func ErrnoDescription(err error) string {
	if _, desc, ok := errnoName(err); ok {
		return desc
	}
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// AggregateError is what Node emits when every address of a name failed to
// connect (happy eyeballs): one error per attempt, in the order tried. It
// unwraps to all of them, so errors.Is(err, unix.ECONNREFUSED) holds when
// any attempt was refused.
type AggregateError struct {
	Errors []error
}

// Error joins the attempts' messages.
func (e *AggregateError) Error() string {
	s := ""
	for i, err := range e.Errors {
		if i > 0 {
			s += "; "
		}
		s += err.Error()
	}
	return s
}

// Unwrap returns every attempt's error.
func (e *AggregateError) Unwrap() []error { return e.Errors }

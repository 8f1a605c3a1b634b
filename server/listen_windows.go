//go:build windows

package server

import (
	"errors"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/windows"
)

// IPC on Windows: Path names a named pipe (\\.\pipe\name or \\?\pipe\name).
// A pipe server is a set of pipe instances of that name, each waiting in an
// overlapped ConnectNamedPipe on the home loop's completion port (libuv keeps
// four). When a client connects to one, that instance becomes the
// connection's handle and a new instance takes its place. Close closes the
// waiting instances; the name disappears once the connections' instances are
// closed too. Instances are bound to the home loop's port, so a pipe server
// on a Group serves all its connections on the home loop.

// pendingPipeInstances is how many instances wait for a client at once
// (libuv's default_pending_pipe_instances); a client that finds them all
// taken retries (see socket's connect).
const pendingPipeInstances = 4

type pipeServer struct{ l *pipeAcceptor }

type pipeAcceptor struct {
	srv    *Server
	loop   *reactor.Loop
	path   string
	name   *uint16
	insts  []*pipeInstance
	closed bool
}

// pipeInstance is one waiting instance. Its IOOp (the OVERLAPPED of the
// ConnectNamedPipe) stays referenced by the poller until the completion is
// dequeued, even after Close.
type pipeInstance struct {
	l   *pipeAcceptor
	h   windows.Handle
	op  nodenet.IOOp
	err error // the completion being handled
	fn  func()
}

// listenPath is Listen's named-pipe form, bound at the call as the other
// forms are: the instances are created on the caller's goroutine, so the
// name is served (a client's CreateFile finds it) and Address and
// Listening answer when Listen returns. Binding them to the home loop's
// completion port and starting their ConnectNamedPipe is the loop's half
// (startPipe).
func (s *Server) listenPath(o *ListenOptions, cb func()) error {
	return s.listenNow(o, cb, s.bindPipe)
}

// bindPipe creates the pipe's waiting instances, on any goroutine; none is
// on a completion port yet.
func (s *Server) bindPipe(o *ListenOptions) (*bound, error) {
	path := o.Path
	if !socket.IsPipeName(path) {
		return nil, seam.NotPipeNameError("listen", path, -1)
	}
	name, err := windows.UTF16PtrFromString(seam.PipeOSName(path))
	if err != nil {
		return nil, nodenet.NewListenError("listen", windows.ERROR_INVALID_PARAMETER, path, -1)
	}
	pl := &pipeAcceptor{srv: s, loop: s.home, path: path, name: name}
	for i := 0; i < pendingPipeInstances; i++ {
		in := &pipeInstance{l: pl, h: windows.InvalidHandle}
		in.op.Done = in.done
		in.fn = in.completed
		pl.insts = append(pl.insts, in)
		if err := pl.create(in, i == 0); err != nil {
			pl.release()
			return nil, nodenet.NewListenError("listen", listenErrno(err), path, -1)
		}
	}
	return &bound{unix: true, info: addressOf(sysnet.Addr{Unix: true, Path: path}), pipe: pipeServer{pl}}, nil
}

// startPipe is the home loop's half of a pipe listen: bind every instance
// to the loop's completion port and its handle table, then let each wait
// for a client. Home loop.
func (s *Server) startPipe(b *bound) error {
	pl := b.pipe.l
	if pl == nil {
		return nil
	}
	// The server's from here: on an error activate's closeAcceptors
	// closes every instance, attached or not.
	s.pipe.l = pl
	for _, in := range pl.insts {
		if err := pl.attach(in.h); err != nil {
			return err
		}
	}
	for _, in := range pl.insts {
		pl.accept(in)
	}
	return nil
}

// release closes the instances of a pipe listen nobody will start (a
// voided or refused listen), on any goroutine: they are on no port.
func (p pipeServer) release() {
	if p.l != nil {
		p.l.release()
	}
}

func (pl *pipeAcceptor) release() {
	for _, in := range pl.insts {
		if in.h != windows.InvalidHandle {
			windows.CloseHandle(in.h)
			in.h = windows.InvalidHandle
		}
	}
}

// listenErrno is libuv's translation of a failed CreateNamedPipe: the
// name is taken (ERROR_ACCESS_DENIED with FILE_FLAG_FIRST_PIPE_INSTANCE) is
// EADDRINUSE; a malformed name is EACCES.
func listenErrno(err error) error {
	switch {
	case errors.Is(err, windows.ERROR_ACCESS_DENIED), errors.Is(err, windows.ERROR_PIPE_BUSY):
		return windows.WSAEADDRINUSE
	case errors.Is(err, windows.ERROR_PATH_NOT_FOUND), errors.Is(err, windows.ERROR_INVALID_NAME):
		return windows.ERROR_ACCESS_DENIED
	}
	return err
}

// create makes a new instance of the pipe, on any goroutine; attach binds
// it to the loop.
func (pl *pipeAcceptor) create(in *pipeInstance, first bool) error {
	flags := uint32(windows.PIPE_ACCESS_DUPLEX | windows.FILE_FLAG_OVERLAPPED)
	if first {
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	}
	h, err := windows.CreateNamedPipe(pl.name, flags,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, 65536, 65536, 0, nil)
	if err != nil {
		return err
	}
	in.h = h
	return nil
}

// attach binds an instance to the loop's completion port and puts it in
// the loop's handle table (it hears LoopStopped). Home loop.
func (pl *pipeAcceptor) attach(h windows.Handle) error {
	if err := pl.loop.AssociateHandle(h); err != nil {
		return err
	}
	pl.loop.Attach(h, pl)
	return nil
}

// accept waits for a client on in with an overlapped ConnectNamedPipe.
func (pl *pipeAcceptor) accept(in *pipeInstance) {
	if pl.closed || in.h == windows.InvalidHandle {
		return
	}
	in.op.Overlapped = windows.Overlapped{}
	if err := pl.loop.StartIO(&in.op); err != nil {
		pl.srv.reportError(nodenet.NewSyscallError("ConnectNamedPipe", err))
		return
	}
	err := windows.ConnectNamedPipe(in.h, &in.op.Overlapped)
	switch {
	case err == nil || err == windows.ERROR_IO_PENDING:
		// The completion comes through the port.
	case err == windows.ERROR_PIPE_CONNECTED:
		// A client connected between CreateNamedPipe and now: no
		// completion will be queued.
		pl.loop.AbortIO(&in.op)
		in.err = nil
		pl.loop.SetImmediate(in.fn)
	default:
		pl.loop.AbortIO(&in.op)
		in.err = err
		pl.loop.SetImmediate(in.fn)
	}
}

// done runs inside the poller's Wait.
func (in *pipeInstance) done(_ *nodenet.IOOp, _ uint32, err error) {
	in.err = err
	in.l.loop.CompleteIO(in.l, in.fn)
}

// completed hands a connected instance to a new Socket and puts a fresh
// instance in its place; a failed one (a client that came and went) is
// replaced silently, as libuv does.
func (in *pipeInstance) completed() {
	pl := in.l
	if pl.closed || in.h == windows.InvalidHandle {
		return
	}
	h := in.h
	in.h = windows.InvalidHandle
	_ = pl.loop.Unregister(h)
	if err := pl.create(in, false); err != nil {
		pl.srv.reportError(nodenet.NewSyscallError("CreateNamedPipe", err))
	} else if err := pl.attach(in.h); err != nil {
		windows.CloseHandle(in.h)
		in.h = windows.InvalidHandle
		pl.srv.reportError(nodenet.NewSyscallError("CreateIoCompletionPort", err))
	} else {
		pl.accept(in)
	}
	if in.err != nil {
		windows.CloseHandle(h)
		return
	}
	pl.srv.acceptedPipe(h)
}

// HandleEvent: pipe instances have no readiness; they are in the loop's
// table only to hear LoopStopped.
func (pl *pipeAcceptor) HandleEvent(nodenet.Events) {}

// LoopStopped closes the acceptor when its loop is stopped under it.
func (pl *pipeAcceptor) LoopStopped(error) { pl.close() }

// close closes every waiting instance; their ConnectNamedPipe operations
// end with ERROR_OPERATION_ABORTED, which completed ignores.
func (pl *pipeAcceptor) close() {
	if pl.closed {
		return
	}
	pl.closed = true
	for _, in := range pl.insts {
		if in.h != windows.InvalidHandle {
			_ = pl.loop.Unregister(in.h)
			_ = windows.CancelIoEx(in.h, nil)
			windows.CloseHandle(in.h)
			in.h = windows.InvalidHandle
		}
	}
}

func (s *Server) closePipe() {
	if s.pipe.l != nil {
		s.pipe.l.close()
		s.pipe.l = nil
	}
}

// acceptedPipe applies maxConnections and emits 'connection' (home loop).
func (s *Server) acceptedPipe(h windows.Handle) {
	if !s.reserveConn() {
		windows.CloseHandle(h)
		s.emitDrop(DropInfo{})
		return
	}
	o := s.acceptOptions(true)
	v, err := seam.NewAcceptedPipe(s.home, h, o)
	if err != nil {
		windows.CloseHandle(h)
		s.connectionGone()
		s.reportError(err)
		return
	}
	s.emitConnection(v.(*socket.Socket))
}

//go:build !windows

package server

// pipeServer holds a Windows named-pipe acceptor; elsewhere IPC is Unix
// domain sockets, which are ordinary acceptors.
//
//lint:ignore U1000 the Windows build uses it; elsewhere it is the empty placeholder
type pipeServer struct{}

func (s *Server) closePipe() {}

func (pipeServer) release() {}

// startPipe: no named pipes here.
func (s *Server) startPipe(*bound) error { return nil }

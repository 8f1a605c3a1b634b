//go:build !windows

package socket

// transport is where a Socket keeps a completion-based transport (a Windows
// named pipe). Outside Windows every socket is a readiness-driven
// descriptor: the type is empty, isNamedPipe is the constant false, and the
// compiler drops the named-pipe branches of the shared state machine, so
// the Unix read and write paths carry no extra field, branch or call.
//
//lint:ignore U1000 the Windows build uses it; elsewhere it is the empty placeholder
type transport struct{}

func (s *Socket) isNamedPipe() bool { return false }

func (s *Socket) npUpdate()     {}
func (s *Socket) npStartWrite() {}
func (s *Socket) npShutdown()   {}
func (s *Socket) npClose()      {}

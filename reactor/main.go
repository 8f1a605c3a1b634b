package reactor

// Main runs fn on the loop's goroutine as one callback, then runs the loop
// until nothing refed is left, exactly as Run does: the shape of a Node
// program, whose top-level code runs as one tick before the event loop
// starts.
//
// Inside fn every handle method acts inline, as in any callback on the
// loop: Listen binds, Connect starts connecting (Connecting reads true),
// Send writes or queues and returns Node's answer, and the next-tick work
// they schedule runs only after fn returns. So
//
//	loop.Main(func() {
//		srv.Listen(server.ListenOptions{Port: 7000}, onListening)
//		srv.Close(nil)
//	})
//
// emits no 'listening', as the same two lines at the top of a Node program
// do. The same calls made from main before Run are each posted to the loop
// as a task of its own — one tick each — so state read between them, and
// what one call's next tick does before the next call runs, can differ from
// Node. Port a Node program's top-level code into fn.
//
// Main returns what Run returns: nil once nothing refed is left,
// ErrLoopStopped for a stopped loop. It refuses (ErrRunning) a loop that is
// already running, without running fn.
func (l *Loop) Main(fn func()) error {
	if l.Running() {
		return ErrRunning
	}
	if err := l.Post(fn); err != nil {
		return err
	}
	return l.Run()
}

package socket

// on registers fn on the loop (inline there, posted from elsewhere) and
// returns its id at once.
func on[F any](s *Socket, l *listeners[F], fn F, once bool, after func()) ListenerID {
	id := newListenerID()
	s.exec(func() {
		l.add(id, fn, once)
		if after != nil {
			after()
		}
	})
	return id
}

// OnConnect adds a listener for 'connect': the connection is established.
func (s *Socket) OnConnect(fn func()) ListenerID { return on(s, &s.onConnect, fn, false, nil) }

// OnceConnect adds a one-time 'connect' listener (what connect's callback is).
func (s *Socket) OnceConnect(fn func()) ListenerID { return on(s, &s.onConnect, fn, true, nil) }

// OnReady adds a listener for 'ready', emitted right after 'connect'.
func (s *Socket) OnReady(fn func()) ListenerID { return on(s, &s.onReady, fn, false, nil) }

// OnceReady adds a one-time 'ready' listener.
func (s *Socket) OnceReady(fn func()) ListenerID { return on(s, &s.onReady, fn, true, nil) }

// OnLookup adds a listener for 'lookup', emitted after resolving a host name
// and before connecting (never for IP literals or Unix paths).
func (s *Socket) OnLookup(fn LookupListener) ListenerID { return on(s, &s.onLookup, fn, false, nil) }

// OnceLookup adds a one-time 'lookup' listener.
func (s *Socket) OnceLookup(fn LookupListener) ListenerID { return on(s, &s.onLookup, fn, true, nil) }

// OnData adds a listener for 'data'. Like Node, adding a data listener starts
// the flow of data unless the socket was explicitly paused. The slice is the
// loop's read buffer (or the decoded text when an encoding is set) and is
// valid only during the call: copy what you keep.
func (s *Socket) OnData(fn func([]byte)) ListenerID {
	return on(s, &s.onData, fn, false, s.dataListenerAdded)
}

// OnceData adds a one-time 'data' listener.
func (s *Socket) OnceData(fn func([]byte)) ListenerID {
	return on(s, &s.onData, fn, true, s.dataListenerAdded)
}

// OnEnd adds a listener for 'end': the peer sent FIN and all data before it
// was delivered.
func (s *Socket) OnEnd(fn func()) ListenerID { return on(s, &s.onEnd, fn, false, nil) }

// OnceEnd adds a one-time 'end' listener.
func (s *Socket) OnceEnd(fn func()) ListenerID { return on(s, &s.onEnd, fn, true, nil) }

// OnFinish adds a listener for 'finish': End was called, every queued byte
// reached the kernel and our side was shut down.
func (s *Socket) OnFinish(fn func()) ListenerID { return on(s, &s.onFinish, fn, false, nil) }

// OnceFinish adds a one-time 'finish' listener.
func (s *Socket) OnceFinish(fn func()) ListenerID { return on(s, &s.onFinish, fn, true, nil) }

// OnDrain adds a listener for 'drain': the write queue emptied after a Send
// returned false.
func (s *Socket) OnDrain(fn func()) ListenerID { return on(s, &s.onDrain, fn, false, nil) }

// OnceDrain adds a one-time 'drain' listener.
func (s *Socket) OnceDrain(fn func()) ListenerID { return on(s, &s.onDrain, fn, true, nil) }

// OnError adds a listener for 'error'. It is emitted at most once per socket,
// and 'close' (with hadError true) follows it. Without any error listener the
// error is logged through the loop's logger (Node would throw).
func (s *Socket) OnError(fn func(error)) ListenerID { return on(s, &s.onError, fn, false, nil) }

// OnceError adds a one-time 'error' listener.
func (s *Socket) OnceError(fn func(error)) ListenerID { return on(s, &s.onError, fn, true, nil) }

// OnTimeout adds a listener for 'timeout': the socket was idle for the
// duration given to SetTimeout. Nothing is closed; end or destroy it yourself.
func (s *Socket) OnTimeout(fn func()) ListenerID { return on(s, &s.onTimeout, fn, false, nil) }

// OnceTimeout adds a one-time 'timeout' listener.
func (s *Socket) OnceTimeout(fn func()) ListenerID { return on(s, &s.onTimeout, fn, true, nil) }

// OnClose adds a listener for 'close', the last event a socket emits;
// hadError tells whether it was destroyed by an error.
func (s *Socket) OnClose(fn func(hadError bool)) ListenerID {
	return on(s, &s.onClose, fn, false, nil)
}

// OnceClose adds a one-time 'close' listener.
func (s *Socket) OnceClose(fn func(hadError bool)) ListenerID {
	return on(s, &s.onClose, fn, true, nil)
}

// RemoveListener removes the listener with the given id from whichever event
// it was added to (Node's removeListener / off).
func (s *Socket) RemoveListener(id ListenerID) {
	s.exec(func() {
		_ = s.onConnect.remove(id) || s.onReady.remove(id) || s.onLookup.remove(id) ||
			s.onData.remove(id) || s.onEnd.remove(id) || s.onFinish.remove(id) ||
			s.onDrain.remove(id) || s.onError.remove(id) || s.onTimeout.remove(id) ||
			s.onClose.remove(id)
	})
}

// RemoveAllListeners removes every listener of ev (Node's removeAllListeners).
func (s *Socket) RemoveAllListeners(ev Event) {
	s.exec(func() {
		switch ev {
		case EventConnect:
			s.onConnect.removeAll()
		case EventReady:
			s.onReady.removeAll()
		case EventLookup:
			s.onLookup.removeAll()
		case EventData:
			s.onData.removeAll()
		case EventEnd:
			s.onEnd.removeAll()
		case EventFinish:
			s.onFinish.removeAll()
		case EventDrain:
			s.onDrain.removeAll()
		case EventError:
			s.onError.removeAll()
		case EventTimeout:
			s.onTimeout.removeAll()
		case EventClose:
			s.onClose.removeAll()
		}
	})
}

// ListenerCount is the number of listeners of ev (Node's listenerCount).
// Loop goroutine only.
func (s *Socket) ListenerCount(ev Event) int {
	switch ev {
	case EventConnect:
		return s.onConnect.count()
	case EventReady:
		return s.onReady.count()
	case EventLookup:
		return s.onLookup.count()
	case EventData:
		return s.onData.count()
	case EventEnd:
		return s.onEnd.count()
	case EventFinish:
		return s.onFinish.count()
	case EventDrain:
		return s.onDrain.count()
	case EventError:
		return s.onError.count()
	case EventTimeout:
		return s.onTimeout.count()
	case EventClose:
		return s.onClose.count()
	}
	return 0
}

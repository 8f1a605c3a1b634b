package socket

import "github.com/nodenet/nodenet/internal/sysnet"

// The Socket's state machine. Every bit of state a Socket keeps about
// itself lives in two words, and this file is the only one that changes
// them (TestStateWrittenOnlyInStateGo): the rest of the package asks the
// predicates below and moves the socket with the named transitions, as Go's
// internal/poll keeps fdMutex's word behind five methods and libuv keeps
// UV_HANDLE_* behind uv__handle_start/stop/ref.
//
//   - st (atomic) holds what another goroutine may read: Node's stream
//     getters (Readable, Writable, ReadableFlowing, WritableNeedDrain, ...),
//     Pending, Destroyed, the option getters, ListenerCount's pipe share, the
//     address getters, ResetAndDestroy's handle check. The loop writes it,
//     except for three bits that calls on any goroutine set: stEndPosted
//     (End), stFDExposed (FD) and stPeerRead (the remote getters).
//   - fl (plain) holds what only the loop reads: how far the handle's I/O
//     has gone, what was emitted, what is applied to the descriptor.
//
// Each bit has exactly one meaning and one home: nothing here mirrors
// another bit (a bit the loop reads may simply sit in st; an atomic load is
// a plain load on the platforms that matter). The diagrams name the
// transition methods on their arrows; the table under "# Bits" lists, for
// every bit, the methods that set and clear it (TestStateDocTable checks
// both against the code).
//
// # Lifecycle
//
// Four states, told apart by stConnecting, stOpen and stDestroyed (idle has
// none of them; at most one is set):
//
//	      newSocket (New, Connect, an accepted connection): initialState
//	                                │
//	                                ▼
//	  ┌───────────────────────►  idle  ◄───────────────────────────┐
//	  │                      │          │                          │
//	  │    Connect:          │          │ New(FD), accept:         │ adoptFailed:
//	  │    connectStarted    │          │ adopting; an accepted    │ registration
//	  │                      ▼          ▼ named pipe: connected    │ failed (New or
//	  │           connecting ─────────► open ──────────────────────┘ the accept
//	  │         (stConnecting) afterConnect: (stOpen)                fails)
//	  │                 │      connected      │
//	  │                 │      ('connect', 'ready')
//	  │                 ▼                     ▼   (and from idle: Destroy)
//	  │     destroying (destroyWith: Destroy, a failed connect, an I/O
//	  │     error, autoDestroy); errored when with an error
//	  │                           │
//	  │                           ▼
//	  │     destroyed (stDestroyed; stErrored: Node's errored);
//	  │     'error' next tick (errorEmitting), then 'close' (closeEmitting)
//	  │                           │
//	  └───────────────────────────┘
//	    Connect again: resetForReconnect (resetLifecycle, resetReadSide,
//	    resetWriteSide, resetApplied, forgetPeer), then connectStarted
//
// End while idle (no descriptor) takes the write side through startingEnd
// and shutdownSent at once and finished on the next tick; the socket stays
// idle (finish destroys only a socket whose read side is done), and a later
// Connect starts it writable again (resetWriteSide). A write while idle
// fails with ERR_SOCKET_CLOSED: errored at once, destroyed on the next tick
// (writeNoHandle).
//
// Around the lifecycle: setKind records TCP4, TCP6 or Unix (stKind0,
// stKind1) when adopting or connecting; exposeFD (FD) marks a descriptor
// that may have been dup'ed, which soleFD then refuses; setDetached tracks
// a descriptor taken out of the poller after a hang-up (fDetached);
// setRefed is Ref/Unref (fRefed; refWanted is updateRef's rule); hookDone
// runs the owner's OnDestroy once (fHookDone, never cleared: a server's
// count drops once per socket).
//
// # Read side
//
// While open the two directions move on their own. The flow (Node's
// readableFlowing, stFlowing and stPaused) starts undecided and, once
// decided, never returns to it (a reconnect keeps it):
//
//	undecided ──flowing (Resume, a data listener, a pipe)──► flowing
//	undecided ──pausing (Pause, PauseOnConnect)────────────► paused
//	flowing ◄──flowing / pausing──► paused
//
// The input, for as long as readSideOpen (stReadable, set by initialState
// and setDirections, and no fReadEOF):
//
//	wantRead or wantPeek: readStarted (fReadStarted; flowing sets it too),
//	  setReadingNow (fReadingNow, until unregistered at destroy)
//	undecided or paused with data in the kernel: dataWaiting (fDataWaiting)
//	  until pausing, layerAttached or a named pipe's dataTaken
//	bytes read ──dataEmitted ('data', stDataEmitted)
//	EOF ──eof (fReadEOF)──next tick──► endEmitted ('end', stEndEmitted)
//
// setEncoded (fEncoded) is SetEncoding's. A reconnect: resetReadSide.
//
// # Write side
//
//	writable ──startingEnd (End on the loop; endPosted, stEndPosted, first
//	  when End is called on another goroutine)──► ending (stEnding)
//	  ──queue empty (shutdownDue): shutdownSent (FIN, fShutdownDone)
//	  ──next tick──► finished ('finish', stFinished)
//	New(FD) with Writable false (setDirections): noWriteSide, all three at once
//	a write answered false: armDrain (stNeedDrain) ──drainDue──► disarmDrain ('drain')
//
// setDoneQueued (fDoneQueued), setCorked (fCorked) and setSpliced
// (fSpliced) are the write path's bookkeeping. A reconnect: resetWriteSide.
//
// The socket is destroyed once both sides are done: finish destroys when
// 'end' was emitted (or there is no read side), emitEnd when 'finish' was.
// Without AllowHalfOpen, 'end' calls End on the next tick unless the socket
// is ending already.
//
// # Options, peer address, pipe, layer
//
// Settings and bookkeeping any state may change: setAllowHalfOpen,
// setNoDelay and setKeepAlive record what was asked (stAllowHalfOpen,
// stNoDelay, stKeepAlive); noDelayApplied and keepAliveApplied what the
// descriptor has (fNoDelaySet, fKeepAliveSet; resetApplied for a new
// descriptor). remoteInline publishes an accepted peer kept in binary
// (stRemote4, stRemote6), peerRead notes a remote getter answered
// (stPeerRead), forgetPeer drops them. pipeAttached, pipeDataDropped,
// pipeEndDropped and pipeDetached track what the inline pipe still carries
// (stPipeData, stPipeEnd); pipeWaiting and pipeWaitOver its wait for
// 'drain' (fPipeWait). layerAttached (fLayered, for the socket's life),
// setLayerRead and setLayerBusy are the layer's (fLayerRead, fLayerBusy).
//
// # Bits
//
// Every bit, the methods that set it and the methods that clear it ("-":
// none; the resets clear through the masks below; a method that takes the
// value, such as setTo's callers, appears in both columns):
//
//	stConnecting     connectStarted                   connected, destroying
//	stOpen           adopting, connected              adoptFailed, destroying
//	stDestroyed      destroying                       resetLifecycle
//	stErrored        errored                          resetLifecycle
//	stKind0          setKind                          setKind
//	stKind1          setKind                          setKind
//	stFDExposed      exposeFD                         -
//	stReadable       initialState, setDirections      setDirections
//	stFlowing        flowing                          pausing
//	stPaused         pausing                          flowing
//	stDataEmitted    dataEmitted                      resetReadSide
//	stEndEmitted     endEmitted                       resetReadSide
//	stWritable       initialState, setDirections      setDirections
//	stEnding         noWriteSide, startingEnd         resetWriteSide
//	stEndPosted      endPosted                        resetWriteSide
//	stNeedDrain      armDrain                         disarmDrain, resetWriteSide
//	stFinished       finished, noWriteSide            resetWriteSide
//	stAllowHalfOpen  setAllowHalfOpen                 setAllowHalfOpen
//	stNoDelay        initialState, setNoDelay         setNoDelay
//	stKeepAlive      setKeepAlive                     setKeepAlive
//	stRemote4        remoteInline                     forgetPeer
//	stRemote6        remoteInline                     forgetPeer
//	stPeerRead       peerRead                         forgetPeer
//	stPipeData       pipeAttached                     pipeAttached, pipeDataDropped, pipeDetached
//	stPipeEnd        pipeAttached                     pipeAttached, pipeDetached, pipeEndDropped
//	fEverConnected   adopting, connected              adoptFailed, resetLifecycle
//	fSoleFD          adopting                         adoptFailed, adopting, resetLifecycle
//	fDetached        setDetached                      resetLifecycle, setDetached
//	fRefed           initialState, setRefed           setRefed
//	fHookDone        hookDone                         -
//	fErrorEmitted    errorEmitting                    resetLifecycle
//	fCloseEmitted    closeEmitting                    resetLifecycle
//	fReadStarted     flowing, readStarted             resetReadSide
//	fReadingNow      setReadingNow                    setReadingNow, unregistered
//	fReadEOF         eof                              resetReadSide
//	fDataWaiting     dataWaiting                      dataTaken, layerAttached, pausing, resetReadSide
//	fEncoded         setEncoded                       setEncoded
//	fShutdownDone    noWriteSide, shutdownSent        resetWriteSide
//	fDoneQueued      setDoneQueued                    setDoneQueued
//	fCorked          setCorked                        setCorked
//	fSpliced         setSpliced                       setSpliced
//	fNoDelaySet      noDelayApplied                   noDelayApplied, resetApplied
//	fKeepAliveSet    keepAliveApplied                 resetApplied
//	fPipeWait        pipeWaiting                      pipeAttached, pipeWaitOver
//	fLayered         layerAttached                    -
//	fLayerRead       setLayerRead                     setLayerRead
//	fLayerBusy       setLayerBusy                     setLayerBusy

// Bits of Socket.st, read from any goroutine, written by the loop (and
// stEndPosted by End on any goroutine).
const (
	// Lifecycle.

	// stConnecting: from Connect until 'connect' or failure (resolving
	// included). Node's socket.connecting.
	stConnecting uint32 = 1 << iota
	// stOpen: a live connection: set when the connection is established
	// (or a descriptor is adopted), cleared by destroy. It implies the
	// socket is not destroyed. The only "connected" bit: Pending reads it
	// off the loop, the I/O paths on it.
	stOpen
	// stDestroyed: destroy ran (Node's destroyed). Cleared only by a
	// reconnect.
	stDestroyed
	// stErrored: destroyed, or about to be, with an error (Node's errored;
	// the error is cold.errorValue).
	stErrored
	// stKind0 is the low bit of the sockKind (TCP4, TCP6, Unix), kept here
	// as its only copy so that ResetAndDestroy and the address getters may
	// ask off the loop whether this is a Unix socket (kind, setKind).
	stKind0
	// stKind1 is the sockKind's high bit (see stKind0).
	stKind1
	// stFDExposed: FD handed the descriptor out: it may have been dup'ed or
	// passed on, so closing it no longer removes its poller registration
	// (see fSoleFD). Set from any goroutine by FD; never cleared (a
	// reconnect's descriptor comes from connect, never sole anyway).
	stFDExposed

	// Read side.

	// stReadable: Node's readable option — the read side exists at all.
	stReadable
	// stFlowing is Node's readableFlowing true: a data listener, Resume or
	// a pipe asked for the data. With neither it and stPaused the flow is
	// undecided (Node's null) and nodenet reads nothing it was not asked for.
	stFlowing
	// stPaused is readableFlowing false: Pause (or PauseOnConnect) came
	// after or instead of a consumer.
	stPaused
	// stDataEmitted: a 'data' event was emitted (readableDidRead).
	stDataEmitted
	// stEndEmitted: 'end' was emitted (readableEnded).
	stEndEmitted

	// Write side.

	// stWritable: Node's writable option — the write side exists at all.
	stWritable
	// stEnding: the loop took End (Node's ending): no more writes; the FIN
	// follows once the queue is empty.
	stEnding
	// stEndPosted: End was called on another goroutine and posted to the
	// loop. It is not the loop's ending state (stEnding, which the posted
	// end() sets when it runs and must find unset): it only makes Writable,
	// WritableEnded and off-loop writes answer as Node's synchronous end()
	// would, from the moment End returns. The only bit written off the loop
	// besides stFDExposed and stPeerRead.
	stEndPosted
	// stNeedDrain: a write returned false and 'drain' has not followed yet
	// (Node's needDrain).
	stNeedDrain
	// stFinished: 'finish' was emitted (writableFinished).
	stFinished

	// Options, read back by the getters from any goroutine.

	// stAllowHalfOpen: keep our side writable after the peer's FIN.
	stAllowHalfOpen
	// stNoDelay: TCP_NODELAY as asked (on by default; what the descriptor
	// has is fNoDelaySet).
	stNoDelay
	// stKeepAlive: SO_KEEPALIVE as asked (the delay is cold.keepAliveSecs;
	// what the descriptor has is fKeepAliveSet).
	stKeepAlive

	// Peer address.

	// stRemote4: raddr/rport hold an IPv4 peer (an accepted connection's),
	// written once before the bit is published.
	stRemote4
	// stRemote6: raddr/rport hold an IPv6 peer, likewise.
	stRemote6
	// stPeerRead: a remote getter answered while the socket was open: Node
	// caches that answer (_peername) and keeps it after close; unread, the
	// remote address is undefined once the socket is destroyed. Set by the
	// getter, on any goroutine.
	stPeerRead

	// Pipe: the inline pipe to pipeTo (pipe.go). Both clear while pipeTo is
	// nil.

	// stPipeData: the inline pipe carries 'data' to pipeTo (cleared when
	// the user removes all data listeners): it counts as one data
	// listener in ListenerCount.
	stPipeData
	// stPipeEnd: the inline pipe will end pipeTo at 'end' (not NoEnd, not
	// run yet, not removed): one end listener in ListenerCount.
	stPipeEnd
)

// stKindShift places a sockKind in stKind0|stKind1.
const (
	stKindShift = 4
	stKindMask  = stKind0 | stKind1
)

// The kinds fit the two bits, and the bits are where the shift says.
var (
	_ [stKindMask>>stKindShift - uint32(kindUnix)]struct{}
	_ [stKind0 - 1<<stKindShift]struct{}
	_ [1<<stKindShift - stKind0]struct{}
)

// flags are the socket's loop-only booleans, packed: 24 bools would cost an
// idle connection 24 bytes.
type flags uint32

// Bits of Socket.fl, loop goroutine only.
const (
	// Lifecycle: the handle.

	// fEverConnected: connected at least once since the last reconnect
	// (a destroy then closes a handle: 'close' carries hadError).
	fEverConnected flags = 1 << iota
	// fSoleFD: the descriptor came from accept (close-on-exec) and nothing
	// else holds it unless FD handed it out (stFDExposed): closing it is
	// enough to remove its epoll registration, so destroy closes it through
	// Loop.CloseRegistered, which skips the EPOLL_CTL_DEL.
	fSoleFD
	// fDetached: unregistered from the poller after a hang-up while not
	// reading (detach); updateInterest registers it again when it wants.
	fDetached
	// fRefed: Ref (the default) rather than Unref: libuv's UV_HANDLE_REF.
	fRefed
	// fHookDone: the owner's OnDestroy ran (or must not run).
	fHookDone
	// fErrorEmitted: 'error' was emitted (at most once per connection).
	fErrorEmitted
	// fCloseEmitted: 'close' was emitted (at most once per connection).
	fCloseEmitted

	// Read side.

	// fReadStarted: the socket asked for data (Resume, a data listener, a
	// pipe; before 'connect' too) or, undecided, read since it connected:
	// libuv's "reading" state (Node's handle.reading). Pause does not clear
	// it — Node's pause() leaves the handle reading (NS-037) — so a socket
	// paused after it started reading still keeps its loop alive and still
	// notices a bare FIN (see wantPeek); EOF and destroy end it.
	fReadStarted
	// fReadingNow: read interest is registered with the poller.
	fReadingNow
	// fReadEOF: the kernel reported EOF (the peer's FIN).
	fReadEOF
	// fDataWaiting: not flowing (undecided or paused) and data waits in the
	// kernel (peekUndecided): stop polling for it until the flow decides.
	fDataWaiting
	// fEncoded: data events are decoded (cold.enc is not encoding.Buffer).
	fEncoded

	// Write side.

	// fShutdownDone: our FIN was sent (or there is no write side to shut).
	fShutdownDone
	// fDoneQueued: the write-callback batch (runDone) is scheduled.
	fDoneQueued
	// fCorked: Cork is in effect (cold.corked > 0).
	fCorked
	// fSpliced: bytes a pipe spliced toward this socket are parked in a
	// kernel pipe (cold.spl.kp), at the head of its write queue
	// (splice_linux.go).
	fSpliced

	// Options: what the descriptor has now, so a setting is applied only
	// when it differs.

	// fNoDelaySet: TCP_NODELAY is on on the descriptor.
	fNoDelaySet
	// fKeepAliveSet: SO_KEEPALIVE was applied to the descriptor.
	fKeepAliveSet

	// Pipe.

	// fPipeWait: the inline pipe paused us and waits for pipeTo's 'drain'.
	fPipeWait

	// Layer: a seam.Layer (TLS) between the descriptor and the user.

	// fLayered: the layer is attached (s.layer).
	fLayered
	// fLayerRead: the layer wants the kernel read.
	fLayerRead
	// fLayerBusy: the layer has work in progress (a handshake on another
	// goroutine), which holds the loop as a pending write does.
	fLayerBusy
)

// What a reconnect (resetForReconnect, Node's initSocketHandle) starts
// afresh, per sub-state. What is not listed carries over to the new
// connection, as in Node: the options and the stream's settings
// (readable/writable, flowing or paused, cork, encoding), the pipes, the
// layer, Ref. stOpen, stConnecting and fReadingNow are already clear on a
// destroyed socket. The peer address resets with its caches (resetRemote).
const (
	lifecycleResetSt = stDestroyed | stErrored
	lifecycleResetFl = fEverConnected | fSoleFD | fDetached | fErrorEmitted | fCloseEmitted
	readResetSt      = stDataEmitted | stEndEmitted
	readResetFl      = fReadStarted | fReadEOF | fDataWaiting
	writeResetSt     = stEnding | stEndPosted | stNeedDrain | stFinished
	writeResetFl     = fShutdownDone
	optionsResetFl   = fNoDelaySet | fKeepAliveSet // a new descriptor has the kernel's defaults
	peerResetSt      = stRemote4 | stRemote6 | stPeerRead
)

// Primitive accessors. Only this file uses mark, swap, set, unset and setTo;
// is and has are the readers everywhere.

func (s *Socket) is(b uint32) bool { return s.st.Load()&b != 0 }

func (s *Socket) mark(b uint32, on bool) {
	if on {
		s.st.Or(b)
	} else {
		s.st.And(^b)
	}
}

// swap clears off and sets on in one step, so that a reader on another
// goroutine never sees the state between.
func (s *Socket) swap(off, on uint32) {
	for {
		old := s.st.Load()
		if s.st.CompareAndSwap(old, old&^off|on) {
			return
		}
	}
}

func (s *Socket) has(f flags) bool { return s.fl&f != 0 }
func (s *Socket) set(f flags)      { s.fl |= f }
func (s *Socket) unset(f flags)    { s.fl &^= f }

func (s *Socket) setTo(f flags, on bool) {
	if on {
		s.fl |= f
	} else {
		s.fl &^= f
	}
}

// initialState is a new socket's: idle, readable and writable, refed,
// NoDelay asked.
func (s *Socket) initialState() {
	s.fl = fRefed
	s.st.Store(stNoDelay | stReadable | stWritable)
}

// ---- Lifecycle ----

// kind is the socket's kind, from any goroutine.
func (s *Socket) kind() sockKind { return sockKind(s.st.Load() & stKindMask >> stKindShift) }

func (s *Socket) setKind(k sockKind) { s.swap(stKindMask, uint32(k)<<stKindShift) }

// open: a live connection (not destroyed).
func (s *Socket) open() bool { return s.is(stOpen) }

// connectStarted: Connect (again) began.
func (s *Socket) connectStarted() { s.mark(stConnecting, true) }

// connected: the connection was established (afterConnect, a named pipe's
// client end).
func (s *Socket) connected() {
	s.set(fEverConnected)
	s.swap(stConnecting, stOpen)
}

// adopting: a connected descriptor is being taken over (before its
// registration, whose interest depends on it); adoptFailed undoes it when
// the registration fails. The descriptor is the socket's alone if sole.
func (s *Socket) adopting(sole bool) {
	s.setTo(fSoleFD, sole)
	s.set(fEverConnected)
	s.mark(stOpen, true)
}

func (s *Socket) adoptFailed() {
	s.unset(fEverConnected | fSoleFD)
	s.mark(stOpen, false)
}

// destroying enters destroyed and reports what the socket was: connecting
// without ever having connected, and whether it had a handle (Node's socket
// has one from connect() on — while it resolves and connects too — so a
// failure before the connection closes the handle and 'close' carries
// hadError).
func (s *Socket) destroying() (wasConnecting, hadHandle bool) {
	wasConnecting = s.is(stConnecting) && !s.has(fEverConnected)
	hadHandle = s.fd != sysnet.Invalid || s.has(fEverConnected) || s.is(stConnecting)
	s.swap(stOpen|stConnecting, stDestroyed)
	return wasConnecting, hadHandle
}

// errored records that the socket is destroyed (or about to be) with an
// error.
func (s *Socket) errored() { s.mark(stErrored, true) }

// exposeFD: FD handed the descriptor out (any goroutine).
func (s *Socket) exposeFD() { s.mark(stFDExposed, true) }

// soleFD reports whether closing the descriptor also removes its poller
// registration, so destroy may use Loop.CloseRegistered.
func (s *Socket) soleFD() bool { return s.has(fSoleFD) && !s.is(stFDExposed) }

// setDetached records whether the descriptor is out of the poller.
func (s *Socket) setDetached(on bool) { s.setTo(fDetached, on) }

func (s *Socket) setRefed(on bool) { s.setTo(fRefed, on) }

// hookDone: the owner's OnDestroy ran or must not run; it reports whether
// it had not yet.
func (s *Socket) hookDone() bool {
	first := !s.has(fHookDone)
	s.set(fHookDone)
	return first
}

// errorEmitting and closeEmitting claim the socket's one 'error' and one
// 'close': true the first time.
func (s *Socket) errorEmitting() bool {
	first := !s.has(fErrorEmitted)
	s.set(fErrorEmitted)
	return first
}

func (s *Socket) closeEmitting() bool {
	first := !s.has(fCloseEmitted)
	s.set(fCloseEmitted)
	return first
}

// noHandle: the socket was never connected (nor is connecting) and has no
// descriptor — Node's socket without a _handle. Loop goroutine.
func (s *Socket) noHandle() bool {
	return s.fd == sysnet.Invalid && s.st.Load()&(stConnecting|stOpen|stDestroyed) == 0
}

// refWanted is updateRef's rule: the socket holds its loop while it has
// work in progress — libuv's active handle or request (NS-049): connecting
// (whatever the ref), or refed with a connection that reads, writes or has
// its layer busy.
func (s *Socket) refWanted() bool {
	if s.is(stDestroyed) {
		return false
	}
	if s.is(stConnecting) {
		return true
	}
	return s.has(fRefed) && s.fd != sysnet.Invalid && s.open() &&
		(s.qlen() > 0 || s.has(fLayerBusy) || (s.has(fReadStarted) && s.readSideOpen()))
}

// resetLifecycle: a reconnect un-destroys the socket (Node's _undestroy):
// a new handle, which may emit 'error' and 'close' again.
func (s *Socket) resetLifecycle() {
	s.mark(lifecycleResetSt, false)
	s.unset(lifecycleResetFl)
}

// ---- Read side ----

// resetReadSide: a reconnect's read side has read nothing and seen no end.
func (s *Socket) resetReadSide() {
	s.mark(readResetSt, false)
	s.unset(readResetFl)
}

// setDirections applies Node's readable and writable options.
func (s *Socket) setDirections(readable, writable bool) {
	s.mark(stReadable, readable)
	s.mark(stWritable, writable)
}

// readSideOpen: the read side exists and the peer has not ended it: bytes
// may still come.
func (s *Socket) readSideOpen() bool { return s.is(stReadable) && !s.has(fReadEOF) }

// flowUndecided: neither a consumer nor Pause decided the flow yet (Node's
// readableFlowing null).
func (s *Socket) flowUndecided() bool { return s.st.Load()&(stFlowing|stPaused) == 0 }

// pausing is Pause's transition (and PauseOnConnect's): readableFlowing
// false, and whatever data was known to wait may have been read since, so
// it is peeked for again (wantPeek).
func (s *Socket) pausing() {
	s.swap(stFlowing|stPaused, stPaused)
	s.unset(fDataWaiting)
}

// flowing is Resume's transition: readableFlowing true, and the handle
// reads (fReadStarted), even before 'connect' and even if Pause follows.
func (s *Socket) flowing() {
	s.swap(stFlowing|stPaused, stFlowing)
	s.set(fReadStarted)
}

// readStarted: updateInterest found the socket wants to read.
func (s *Socket) readStarted() { s.set(fReadStarted) }

// setReadingNow records whether read interest is registered.
func (s *Socket) setReadingNow(on bool) { s.setTo(fReadingNow, on) }

// unregistered: the descriptor left the poller for good (destroy).
func (s *Socket) unregistered() { s.unset(fReadingNow) }

// dataWaiting: data waits in the kernel for a flow to be decided; dataTaken:
// a held completion was handed over (named pipes).
func (s *Socket) dataWaiting() { s.set(fDataWaiting) }

//lint:ignore U1000 used by the Windows build only
func (s *Socket) dataTaken() { s.unset(fDataWaiting) }

// eof: the kernel reported the peer's FIN.
func (s *Socket) eof() { s.set(fReadEOF) }

// dataEmitted: a 'data' event is being emitted.
func (s *Socket) dataEmitted() {
	if !s.is(stDataEmitted) {
		s.mark(stDataEmitted, true)
	}
}

// endEmitted: 'end' is being emitted.
func (s *Socket) endEmitted() { s.mark(stEndEmitted, true) }

func (s *Socket) setEncoded(on bool) { s.setTo(fEncoded, on) }

// wantRead: connected, readable, not at EOF, and flowing — or undecided with
// no data known to be waiting (see peekUndecided). Under a layer, when the
// layer wants the kernel read.
func (s *Socket) wantRead() bool {
	if !s.open() || !s.readSideOpen() {
		return false
	}
	if s.has(fLayered) {
		return s.has(fLayerRead) // the layer reads for itself (a handshake) and for the user
	}
	return s.is(stFlowing) || (s.flowUndecided() && !s.has(fDataWaiting))
}

// wantPeek: paused after reading started, with no data known to be waiting:
// read interest stays on so that a bare FIN is noticed (peekUndecided), as
// Node's paused socket still reads. Not for Windows named pipes, which keep
// their own read in flight (npUpdate).
//
// Not while the inline pipe holds the socket paused for its destination's
// 'drain' (fPipeWait): that pause ends by itself when the destination
// drains, and watching for a FIN meanwhile would cost a peek plus two
// epoll_ctl per blocked chunk when streaming, since the peer is usually
// still sending. A FIN that arrives then is seen on the resume, so 'end'
// comes later than Node's; what the pipe does with it (end the
// destination after its queued bytes) is the same.
func (s *Socket) wantPeek() bool {
	return s.is(stPaused) && s.has(fReadStarted) && !s.has(fLayered|fDataWaiting|fPipeWait) &&
		s.open() && s.readSideOpen()
}

// ---- Write side ----

// ending: the loop takes End (Node's ending).
func (s *Socket) ending() bool { return s.is(stEnding) }

// endPosted: End was called on another goroutine (see stEndPosted).
func (s *Socket) endPosted() { s.mark(stEndPosted, true) }

// endCalled: End was called, on the loop or posted from elsewhere: what
// Node's writableEnded says. Any goroutine.
const endCalled = stEnding | stEndPosted

// startingEnd is End's transition on the loop.
func (s *Socket) startingEnd() { s.mark(stEnding, true) }

// noWriteSide: a descriptor adopted with Writable false: ended and finished
// from the start.
func (s *Socket) noWriteSide() {
	s.set(fShutdownDone)
	s.mark(stEnding|stFinished, true)
}

// resetWriteSide: a reconnect, or a Connect after an End that never had a
// connection (Node's connect re-initialises the stream: initSocketHandle's
// _undestroy), so the new connection starts writable.
func (s *Socket) resetWriteSide() {
	s.unset(writeResetFl)
	s.mark(writeResetSt, false)
}

// shutdownSent: our FIN went (or there is nothing to shut).
func (s *Socket) shutdownSent() { s.set(fShutdownDone) }

// shutdownDue is maybeShutdown's condition: End was taken, the FIN has not
// gone, the socket is connected and nothing is queued.
func (s *Socket) shutdownDue() bool {
	return s.ending() && !s.has(fShutdownDone) && !s.is(stConnecting) && s.open() && s.fd != sysnet.Invalid && s.qlen() == 0
}

// finished: 'finish' is being emitted.
func (s *Socket) finished() { s.mark(stFinished, true) }

// armDrain and disarmDrain: a write answered false and 'drain' is owed, or
// no longer.
func (s *Socket) armDrain()    { s.mark(stNeedDrain, true) }
func (s *Socket) disarmDrain() { s.mark(stNeedDrain, false) }

// drainDue: 'drain' is owed and nothing is left to write.
func (s *Socket) drainDue() bool {
	return s.is(stNeedDrain) && s.qlen() == 0 && !s.ending() && !s.is(stDestroyed)
}

func (s *Socket) setDoneQueued(on bool) { s.setTo(fDoneQueued, on) }
func (s *Socket) setCorked(on bool)     { s.setTo(fCorked, on) }
func (s *Socket) setSpliced(on bool)    { s.setTo(fSpliced, on) }

// canWriteNow: a write may go to the kernel at once (connected, not
// corked).
func (s *Socket) canWriteNow() bool {
	return s.fd != sysnet.Invalid && s.open() && !s.has(fCorked)
}

// endedByPeer: the post-FIN state where Node replaces write() with an EPIPE
// (NS-026): our End was taken because the peer's 'end' came without
// AllowHalfOpen.
func (s *Socket) endedByPeer() bool {
	return s.ending() && s.is(stEndEmitted) && !s.is(stAllowHalfOpen)
}

// writeSideClosed: End was taken, or there is no write side.
func (s *Socket) writeSideClosed() bool { return s.ending() || !s.is(stWritable) }

// ---- Options ----

func (s *Socket) setAllowHalfOpen(on bool) { s.mark(stAllowHalfOpen, on) }
func (s *Socket) setNoDelay(on bool)       { s.mark(stNoDelay, on) }
func (s *Socket) setKeepAlive(on bool)     { s.mark(stKeepAlive, on) }

// noDelayApplied and keepAliveApplied: the descriptor has the setting.
func (s *Socket) noDelayApplied(on bool) { s.setTo(fNoDelaySet, on) }
func (s *Socket) keepAliveApplied()      { s.set(fKeepAliveSet) }

// resetApplied: a reconnect's new descriptor has the kernel's defaults.
func (s *Socket) resetApplied() { s.unset(optionsResetFl) }

// ---- Peer address ----

// remoteInline: raddr/rport were just written (an IPv4 or IPv6 peer).
func (s *Socket) remoteInline(is4 bool) {
	if is4 {
		s.mark(stRemote4, true)
	} else {
		s.mark(stRemote6, true)
	}
}

// peerRead: a remote getter answered while open (any goroutine).
func (s *Socket) peerRead() { s.mark(stPeerRead, true) }

// forgetPeer: the peer's bits go (a reconnect); the binary copy stays, since
// another goroutine may be formatting it.
func (s *Socket) forgetPeer() { s.mark(peerResetSt, false) }

// ---- Pipe ----

// pipeAttached: the inline pipe to pipeTo (just set) starts, carrying data
// and, unless noEnd, the end.
func (s *Socket) pipeAttached(noEnd bool) {
	s.unset(fPipeWait)
	on := stPipeData
	if !noEnd {
		on |= stPipeEnd
	}
	s.swap(stPipeData|stPipeEnd, on)
}

// pipeDetached: the inline pipe stopped (pipeTo is nil).
func (s *Socket) pipeDetached() { s.mark(stPipeData|stPipeEnd, false) }

// pipeCarriesData and pipeEnds: what the inline pipe still does.
func (s *Socket) pipeCarriesData() bool { return s.is(stPipeData) }
func (s *Socket) pipeEnds() bool        { return s.is(stPipeEnd) }

// pipeDataDropped and pipeEndDropped: the user removed all data (end)
// listeners, the pipe's share with them; or the end ran (a once listener
// in Node).
func (s *Socket) pipeDataDropped() { s.mark(stPipeData, false) }
func (s *Socket) pipeEndDropped()  { s.mark(stPipeEnd, false) }

// pipeWaiting and pipeWaitOver: the inline pipe paused us for pipeTo's
// 'drain', and that wait ended.
func (s *Socket) pipeWaiting()  { s.set(fPipeWait) }
func (s *Socket) pipeWaitOver() { s.unset(fPipeWait) }

// ---- Layer ----

// layerAttached: a layer now sits on the stream; it reads for itself, so
// what was known to wait is its business.
func (s *Socket) layerAttached() {
	s.set(fLayered)
	s.unset(fDataWaiting)
}

func (s *Socket) setLayerRead(on bool) { s.setTo(fLayerRead, on) }
func (s *Socket) setLayerBusy(on bool) { s.setTo(fLayerBusy, on) }

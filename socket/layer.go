package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/reactor"
)

// A layered socket (TLS) routes its reads and writes through a seam.Layer
// (s.lay(): the layer's own seam.Slot, pointed to from the Socket; on
// Windows from its cold part, layer_home_windows.go): fLayered tells the hot
// paths to look there, so a plain socket pays one bit test and nothing else. The layer decides when
// the socket reads (fLayerRead), sees the user's writes before the kernel
// does and holds the FIN until it has said goodbye (close_notify).

func init() { seam.Attach = attachLayer }

func attachLayer(sock any, l *seam.Slot) (seam.Transport, error) {
	s, ok := sock.(*Socket)
	if !ok || s == nil || l == nil || l.Layer == nil {
		return nil, nodenet.NewError(nodenet.CodeInvalidArgType, "The \"socket\" argument must be an instance of net.Socket")
	}
	if s.is(stDestroyed) {
		return nil, nodenet.ErrSocketClosed
	}
	if s.has(fLayered) {
		return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "The socket is already layered (TLS)")
	}
	if s.isNamedPipe() {
		return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "A layer (TLS) needs a stream socket, not a Windows named pipe")
	}
	s.setLayer(l)
	s.layerAttached()
	s.updateInterest()
	return (*layerTransport)(s), nil
}

// readFailed destroys the socket with a read error, or has its layer do it
// (a TLS server reports a failed handshake's as 'tlsClientError', not
// 'error').
func (s *Socket) readFailed(err error) {
	if s.has(fLayered) {
		s.lay().InputError(err)
		return
	}
	s.destroyWith(err)
}

// layerTransport is the socket's side of the seam; a conversion, not an
// allocation.
type layerTransport Socket

func (t *layerTransport) s() *Socket          { return (*Socket)(t) }
func (t *layerTransport) Loop() *reactor.Loop { return t.loop }

func (t *layerTransport) SendRaw(p []byte, cb func(error)) bool {
	s := t.s()
	if s.is(stDestroyed) {
		if cb != nil {
			s.complete(cb, nodenet.ErrStreamDestroyed)
		}
		return false
	}
	return s.sendBytes(p, cb)
}

func (t *layerTransport) Deliver(p []byte) {
	s := t.s()
	if len(p) == 0 || s.is(stDestroyed) {
		return
	}
	s.bytesRead.Add(int64(len(p)))
	s.deliver(p)
}

func (t *layerTransport) EndOfInput() {
	s := t.s()
	if s.is(stDestroyed) || s.is(stEndEmitted) {
		return
	}
	s.onEOF()
}

func (t *layerTransport) SetReading(on bool) {
	s := t.s()
	if s.has(fLayerRead) == on {
		return
	}
	s.setLayerRead(on)
	s.updateInterest()
}

func (t *layerTransport) SetBusy(on bool) {
	s := t.s()
	s.setLayerBusy(on)
	s.updateRef()
}

func (t *layerTransport) Flowing() bool { return t.s().is(stFlowing) && !t.s().is(stDestroyed) }

func (t *layerTransport) Shutdown() { t.s().maybeShutdown() }

func (t *layerTransport) NeedDrain() {
	s := t.s()
	s.armDrain()
	if s.qlen() == 0 {
		s.scheduleDone()
	}
}

func (t *layerTransport) Destroy(err error) { t.s().destroyWith(err) }

func (t *layerTransport) DestroyReported(err error) {
	s := t.s()
	if !s.is(stDestroyed) {
		s.errorEmitting() // claimed: emitError skips it; close(hadError) stays true
	}
	s.destroyWith(err)
}

func (t *layerTransport) Destroyed() bool { return t.s().is(stDestroyed) }
func (t *layerTransport) Connected() bool { return t.s().open() }

// Package emitter is Node's EventEmitter as nodenet's Socket, Server and
// TLS types use it: listeners kept in registration order, each with an id
// (Go functions cannot be compared, so removeListener(event, fn) takes the
// id instead), once-listeners, removal by id or by event, and a listener
// count per event that any goroutine may read.
//
// Node's emitter has one thread; here an event is emitted either by one
// goroutine only (a socket's loop) or by several at once (a Group server's
// 'connection' runs on every loop of the Group). So there are two stores
// with the same rules:
//
//   - List, for events one goroutine adds, removes and emits: compact (every
//     event of an emitter in one slice), and emitting allocates nothing.
//   - Shared, for events any goroutine may add, remove and emit: a
//     copy-on-write snapshot, so emitting takes no lock and allocates
//     nothing either.
//
// The rules both keep, Node's:
//   - listeners run in the order they were added;
//   - an emit calls the listeners present when it started (Node emits over
//     a copy of the array): one added meanwhile waits for the next emit,
//     and one removed meanwhile (by an earlier listener, by RemoveAll, from
//     another goroutine) is still called by that emit, though not by any
//     emit that starts after the removal;
//   - a once-listener is removed before it runs, so a listener that
//     re-emits its own event does not run it twice and sees the count
//     without itself. It runs at most once: removed by id during an emit
//     that has not reached it yet, it still runs in that emit (Node's
//     onceWrapper has not fired), and an outer emit does not run one a
//     nested emit ran.
//
// What an event with no listener does ('error': logged instead of
// thrown) is the caller's: Count tells it.
package emitter

import (
	"reflect"
	"sync/atomic"
)

// MaxEvents bounds the event names of one emitter (E values 0 to
// MaxEvents-1): the live counts are a fixed array, so counting needs no
// map. A net.Socket has 13 events.
const MaxEvents = 16

var idSeq atomic.Uint64

// NewID returns a listener id unique in the process, so one id space serves
// every emitter (a TLSSocket's RemoveListener can ask its own emitter and
// then its Socket's).
func NewID() uint64 { return idSeq.Add(1) }

// IsNil reports a nil listener: nil itself, or a nil function of any type
// (in an interface a typed nil function is not == nil). Node's on() throws
// ERR_INVALID_ARG_TYPE for it; the callers panic with that code at the
// call, before the listener is stored where its nil would only show on the
// loop.
func IsNil(fn any) bool {
	if fn == nil {
		return true
	}
	v := reflect.ValueOf(fn)
	return v.Kind() == reflect.Func && v.IsNil()
}

// counts is the live listeners of each event. The emitter's owner keeps
// them; any goroutine reads them (ListenerCount).
type counts [MaxEvents]atomic.Int32

func (c *counts) add(ev uint8, d int32) { c[ev].Add(d) }

func (c *counts) get(ev uint8) int {
	if int(ev) >= MaxEvents {
		return 0
	}
	return int(c[ev].Load())
}

package reactor

import (
	"errors"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
)

// owner is a handle that records the panics the loop hands it.
type owner struct{ errs []error }

func (o *owner) HandlePanic(err error) { o.errs = append(o.errs, err) }

// TestOwnedCallbackPanicReachesItsOwner: the loop's one panic path. A panic
// in a callback queued with NextTickArg (on and off the loop),
// SetImmediateArg or SetTimeoutArg whose arg is a PanicHandler, or run with
// CallArg, is recovered by the loop and handed to that arg's HandlePanic as
// ERR_NODENET_CALLBACK_PANIC; CallArg's caller goes on after it; a
// callback whose arg is no PanicHandler only has its panic logged; and the
// loop goes on serving.
func TestOwnedCallbackPanicReachesItsOwner(t *testing.T) {
	l := newLoop(t)
	o := &owner{}
	boom := func(any) { panic(errors.New("user bug")) }
	callerWentOn := false
	l.Post(func() {
		l.NextTickArg(boom, o)
		l.SetImmediateArg(boom, o)
		l.SetTimeoutArg(time.Millisecond, boom, o)
		l.CallArg(boom, o)
		callerWentOn = true
		l.NextTickArg(boom, "not an owner")
	})
	runGuarded(t, l)
	// From another goroutine (the loop is not running now): posted, still
	// owned.
	l.NextTickArg(boom, o)
	runGuarded(t, l)
	if !callerWentOn {
		t.Fatal("CallArg's caller did not go on after the panic")
	}
	if len(o.errs) != 5 {
		t.Fatalf("owner got %d panics, want 5: %v", len(o.errs), o.errs)
	}
	for _, err := range o.errs {
		var ne *nodenet.Error
		if !errors.As(err, &ne) || ne.Code != nodenet.CodeCallbackPanic {
			t.Fatalf("owner got %v, want %s", err, nodenet.CodeCallbackPanic)
		}
	}
}

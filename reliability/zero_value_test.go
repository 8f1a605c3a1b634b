//go:build linux

package reliability

import (
	"errors"
	"math/rand"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// TestZeroValuesRefuseEveryMethod: a Socket, Server, Loop, Group or Timer
// made without its constructor answers every exported method — found by
// reflection, so a method added later cannot escape — without a panic, and
// every error it reports, returned or handed to a callback, is EINVAL (as
// Go's zero net.TCPConn answers), never a nil dereference dressed as
// something else and never a success.
//
// Methods that return an error must return one (a nil error from a zero
// value would claim work was done); successNil lists the few whose nil is
// right and says why.
func TestZeroValuesRefuseEveryMethod(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	w := &raceWorld{unixDir: t.TempDir()}
	var (
		mu     sync.Mutex
		cbErrs []string
		cbs    sync.WaitGroup
	)
	tErr := reflect.TypeOf((*error)(nil)).Elem()
	methods := 0
	for _, v := range []reflect.Value{
		reflect.ValueOf(&socket.Socket{}), reflect.ValueOf(&server.Server{}),
		reflect.ValueOf(&reactor.Loop{}), reflect.ValueOf(&reactor.Group{}), reflect.ValueOf(&reactor.Timer{}),
	} {
		typ := v.Type()
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i)
			name := typ.Elem().Name() + "." + m.Name
			methods++
			var args []reflect.Value
			for j := 1; j < m.Type.NumIn(); j++ {
				at := m.Type.In(j)
				var a reflect.Value
				var err error
				switch {
				case at == tConnect:
					a = reflect.ValueOf(socket.ConnectOptions{Host: "127.0.0.1", Port: 1})
				case at.Kind() == reflect.Func:
					// A callback that hears an error records it.
					a = reflect.MakeFunc(at, func(in []reflect.Value) []reflect.Value {
						for _, x := range in {
							if x.Type() == tErr && !x.IsNil() {
								if e := x.Interface().(error); !errors.Is(e, syscall.EINVAL) {
									mu.Lock()
									cbErrs = append(cbErrs, name+": "+e.Error())
									mu.Unlock()
								}
							}
						}
						outs := make([]reflect.Value, at.NumOut())
						for k := range outs {
							outs[k] = reflect.Zero(at.Out(k))
						}
						return outs
					})
				default:
					a, err = w.arg(name, j-1, at, rng, true)
				}
				if err != nil {
					t.Fatal(err)
				}
				args = append(args, a)
			}
			done := make(chan []reflect.Value, 1)
			cbs.Add(1)
			go func() {
				defer cbs.Done()
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s on a zero value panicked: %v", name, r)
						done <- nil
					}
				}()
				done <- v.Method(i).Call(args)
			}()
			var outs []reflect.Value
			select {
			case outs = <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s on a zero value did not return", name)
			}
			for k, o := range outs {
				if m.Type.Out(k) != tErr {
					continue
				}
				switch {
				case o.IsNil() && !successNil[name]:
					t.Errorf("%s on a zero value returned a nil error: it did nothing", name)
				case !o.IsNil() && !errors.Is(o.Interface().(error), syscall.EINVAL):
					t.Errorf("%s on a zero value: %v, want EINVAL", name, o.Interface())
				}
			}
		}
	}
	cbs.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, e := range cbErrs {
		t.Errorf("callback of %s, want EINVAL", e)
	}
	t.Logf("%d methods on zero values", methods)
}

// successNil: methods whose nil error on a zero value is the truth.
var successNil = map[string]bool{
	"Socket.Errored": true, // a getter: the error the socket was destroyed with, none
}

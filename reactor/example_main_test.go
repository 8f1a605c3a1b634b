package reactor_test

import (
	"fmt"
	"time"

	"github.com/nodenet/nodenet/reactor"
)

// A Node program's top level runs as one tick before its event loop:
//
//	console.log('top');
//	process.nextTick(() => console.log('tick'));
//	setTimeout(() => console.log('timer'), 1);
//	console.log('end of top');
//
// Main is that shape: fn runs on the loop, its next ticks after it, then the
// loop until nothing refed is left.
func ExampleLoop_Main() {
	loop, err := reactor.New()
	if err != nil {
		panic(err)
	}
	err = loop.Main(func() {
		fmt.Println("top")
		loop.NextTick(func() { fmt.Println("tick") })
		loop.SetTimeout(time.Millisecond, func() { fmt.Println("timer") })
		fmt.Println("end of top")
	})
	if err != nil {
		panic(err)
	}
	loop.Stop()
	// Output:
	// top
	// end of top
	// tick
	// timer
}

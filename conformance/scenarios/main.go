// Command scenarios holds the nodenet port of every differential-suite
// scenario: each <name>.go beside <name>.js registers one, written the way
// docs/porting.md tells a user to port the Node program (make a loop, set
// things up, loop.Run()). The runner (go run ./conformance) builds this
// binary once and runs "scenarios <name>" for each scenario;
// "scenarios -list" prints the registered names.
package main

import (
	"fmt"
	"os"
	"sort"
)

var registry = map[string]func(){}

// scenario registers the nodenet port of <name>.js. fn is the program's main:
// it returns when the program would exit (its loop's Run returned).
func scenario(name string, fn func()) {
	if _, dup := registry[name]; dup {
		panic("scenario registered twice: " + name)
	}
	registry[name] = fn
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: scenarios <name> | -list")
		os.Exit(2)
	}
	if os.Args[1] == "-list" {
		names := make([]string, 0, len(registry))
		for n := range registry {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Println(n)
		}
		return
	}
	fn, ok := registry[os.Args[1]]
	if !ok {
		trace("process", "no-go-port")
		os.Exit(3)
	}
	fn()
	trace("process", "exit")
}

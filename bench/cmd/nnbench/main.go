// Command nnbench is nodenet's benchmark harness and load generator.
//
//	nnbench run   [-quick] [-rounds N] [-budget D] ...   run every system, interleaved; write the report
//	nnbench load  -addr A -mode M -c C -s S               the load generator (a child of run)
//	nnbench allocs -c C -s S [-cpuprofile F]              nodenet in-process: mallocs per echoed message
//	nnbench fds   [-pairs N] [-procs P] [-systems a,b]     descriptors held by idle proxied pairs
//	nnbench render -in results.json -md F -svg F          re-render a report from saved results
//
// See docs/bench.md for what is measured and how.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nnbench run|load|allocs|fds|render [flags]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "run":
		runMain(os.Args[2:])
	case "load":
		loadMain(os.Args[2:])
	case "allocs":
		allocsMain(os.Args[2:])
	case "fds":
		fdsMain(os.Args[2:])
	case "render":
		renderMain(os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "nnbench: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

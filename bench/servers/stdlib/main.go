// Command stdlib is the Go standard library echo server used by the nodenet
// benchmarks: one goroutine per connection, io.Copy. -loops sets GOMAXPROCS.
//
// The copy goes through a 32 KiB buffer (io.Copy's own size): a plain
// TCPConn-to-itself io.Copy would splice(2) through a pipe pair that it holds
// while blocked in the read, 3 fds per connection, and 15,000 idle
// connections would then not fit under the 20,000-file limit.
//
//	stdlib -addr 127.0.0.1:7000 -loops 1
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"runtime"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "host:port to listen on")
	loops := flag.Int("loops", 1, "GOMAXPROCS")
	flag.Parse()
	runtime.GOMAXPROCS(*loops)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stdlib echo listening on %s with GOMAXPROCS=%d\n", *addr, *loops)
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Print(err)
			continue
		}
		go func() {
			defer c.Close()
			io.CopyBuffer(struct{ io.Writer }{c}, struct{ io.Reader }{c}, make([]byte, 32<<10))
		}()
	}
}

// Command stdproxy is the Go standard library TCP proxy used by the nodenet
// proxy benchmarks: a goroutine per direction, each an io.Copy — which on
// Linux becomes TCPConn.ReadFrom and moves the bytes with splice(2) through
// Go's pooled kernel pipes — then CloseWrite to forward the half-close.
//
//	stdproxy -addr 127.0.0.1:8000 -upstream 127.0.0.1:7000
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "host:port to listen on")
	upstream := flag.String("upstream", "", "host:port to forward to")
	flag.Int("loops", 1, "ignored (GOMAXPROCS sets the parallelism)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stdlib proxy listening on %s, forwarding to %s\n", *addr, *upstream)
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c.(*net.TCPConn), *upstream)
	}
}

func serve(c *net.TCPConn, upstream string) {
	uc, err := net.Dial("tcp", upstream)
	if err != nil {
		c.Close()
		return
	}
	u := uc.(*net.TCPConn)
	done := make(chan struct{})
	go func() {
		io.Copy(u, c)
		u.CloseWrite()
		close(done)
	}()
	io.Copy(c, u)
	c.CloseWrite()
	<-done
	c.Close()
	u.Close()
}

// Command stdlib is the Go standard library echo server used by the nodenet
// benchmarks: one goroutine per connection, io.Copy. -loops sets GOMAXPROCS.
//
// The copy goes through a 32 KiB buffer (io.Copy's own size): a plain
// TCPConn-to-itself io.Copy would splice(2) through a pipe pair that it holds
// while blocked in the read, 3 fds per connection, and 15,000 idle
// connections would then not fit under the 20,000-file limit.
//
// With -tls it serves TLS the stdlib way: crypto/tls's listener, one
// goroutine per connection (handshake included), the same io.Copy.
//
//	stdlib -addr 127.0.0.1:7000 -loops 1
//	stdlib -addr 127.0.0.1:7000 -tls -cert cert.pem -key key.pem
package main

import (
	"crypto/tls"
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
	useTLS := flag.Bool("tls", false, "serve TLS (crypto/tls) with -cert and -key")
	certFile := flag.String("cert", "", "PEM certificate")
	keyFile := flag.String("key", "", "PEM key")
	flag.Parse()
	runtime.GOMAXPROCS(*loops)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *useTLS {
		kp, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			log.Fatal(err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{kp}})
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

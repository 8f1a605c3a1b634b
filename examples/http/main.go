//go:build unix

// Command http is an HTTP/1.1 server on nodenet (package httpd): keep-alive,
// pipelining answered in order with one write per read, Content-Length and
// chunked request bodies, Connection: close and HTTP/1.0, and 400/413/431/
// 501/505 for bad or oversized input. Routes: TechEmpower's /plaintext and
// /json, / and POST /echo (the request body back). Node's time limits
// against slow clients: 408 when a head takes over -headers-timeout (60 s)
// or a request over -request-timeout (300 s), and an idle keep-alive
// connection closed after -keepalive-timeout (5 s) plus -keepalive-buffer
// (1 s).
//
//	go run ./examples/http -addr 127.0.0.1:8080 -loops 2   # serve until interrupted
//	curl http://127.0.0.1:8080/json
//	wrk -t1 -c256 -d5s http://127.0.0.1:8080/plaintext
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/nodenet/nodenet/examples/http/h1"
	"github.com/nodenet/nodenet/examples/http/httpd"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "host:port to listen on (port 0: any free port)")
	loops := flag.Int("loops", 1, "event loops (a reactor.Group when > 1)")
	maxHead := flag.Int("max-head", h1.DefaultLimits.MaxHead, "largest request line + header fields, bytes (431 past it)")
	maxBody := flag.Int64("max-body", h1.DefaultLimits.MaxBody, "largest request body, bytes (413 past it)")
	headersTimeout := flag.Duration("headers-timeout", httpd.DefaultHeadersTimeout, "408 when a request's head is not complete this long after its first byte; 0: no limit (Node's server.headersTimeout)")
	requestTimeout := flag.Duration("request-timeout", httpd.DefaultRequestTimeout, "408 when a whole request is not received this long after its first byte; 0: no limit (server.requestTimeout)")
	keepAlive := flag.Duration("keepalive-timeout", httpd.DefaultKeepAliveTimeout, "close an idle keep-alive connection this long (plus -keepalive-buffer) after its last response; 0: never (server.keepAliveTimeout)")
	keepAliveBuf := flag.Duration("keepalive-buffer", httpd.DefaultKeepAliveTimeoutBuffer, "added to -keepalive-timeout (server.keepAliveTimeoutBuffer)")
	flag.Parse()

	host, portStr, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("http: -addr: %v", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		log.Fatalf("http: -addr port: %v", err)
	}
	group, err := reactor.NewGroup(*loops, reactor.RoundRobin)
	if err != nil {
		log.Fatalf("http: %v", err)
	}
	hs, err := httpd.New(httpd.Options{
		Limits:                 h1.Limits{MaxHead: *maxHead, MaxBody: *maxBody},
		HeadersTimeout:         flagTimeout(*headersTimeout),
		RequestTimeout:         flagTimeout(*requestTimeout),
		KeepAliveTimeout:       flagTimeout(*keepAlive),
		KeepAliveTimeoutBuffer: flagTimeout(*keepAliveBuf),
	})
	if err != nil {
		log.Fatalf("http: %v", err)
	}
	opts := server.Options{Group: group, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}
	if *loops == 1 {
		opts = server.Options{Loop: group.Loops()[0], StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}
	}
	srv, err := server.New(opts, hs.Serve)
	if err != nil {
		log.Fatalf("http: %v", err)
	}
	srv.OnError(func(err error) { log.Fatalf("http: %v", err) })
	group.Start()
	listening := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: host, Port: port}, func() { close(listening) }); err != nil {
		log.Fatalf("http: listen: %v", err)
	}
	<-listening
	fmt.Printf("nodenet http listening on %s with %d loop(s)\n", srv.Address(), *loops)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	closed := make(chan struct{})
	srv.Close(func(error) { close(closed) })
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
	}
	group.Stop()
}

// flagTimeout maps a flag's 0 (Node's "no limit") to httpd.Off; in
// httpd.Options 0 means the default.
func flagTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return httpd.Off
	}
	return d
}

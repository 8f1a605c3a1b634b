//go:build unix

// Command proxy is a TCP proxy on nodenet: each accepted connection is piped
// both ways to a connection of its own to the upstream, opened on the same
// loop — Node's
//
//	net.createServer({allowHalfOpen: true}, c => {
//	  const u = net.connect({port, host, allowHalfOpen: true});
//	  c.pipe(u); u.pipe(c);
//	  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
//	})
//
// On Linux the pipes splice (socket.PipeSplice): the bytes go from one
// socket to the other inside the kernel. Half-closes are forwarded (a
// client's FIN reaches the upstream after the bytes before it, and the
// upstream's answer still comes back); an error or reset on one side
// destroys the other.
//
//	go run ./examples/proxy -addr 127.0.0.1:8000 -upstream 127.0.0.1:7000 -loops 2
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

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "host:port to listen on (port 0: any free port)")
	upstream := flag.String("upstream", "", "host:port to forward every connection to (required)")
	loops := flag.Int("loops", 1, "event loops (a reactor.Group when > 1)")
	splice := flag.String("splice", "auto", "when pipes splice on Linux: auto (while reads are large), always, never")
	flag.Parse()

	host, port, err := hostPort(*addr)
	if err != nil {
		log.Fatalf("proxy: -addr: %v", err)
	}
	uhost, uport, err := hostPort(*upstream)
	if err != nil || uport == 0 {
		log.Fatalf("proxy: -upstream host:port is required (%v)", err)
	}
	switch *splice {
	case "auto":
		socket.SetDefaultPipeSplice(socket.SpliceAuto)
	case "always":
		socket.SetDefaultPipeSplice(socket.SpliceAlways)
	case "never":
		socket.SetDefaultPipeSplice(socket.SpliceNever)
	default:
		log.Fatalf("proxy: -splice %q: want auto, always or never", *splice)
	}
	group, err := reactor.NewGroup(*loops, reactor.RoundRobin)
	if err != nil {
		log.Fatalf("proxy: %v", err)
	}
	srv, err := newProxy(group, uhost, uport)
	if err != nil {
		log.Fatalf("proxy: %v", err)
	}
	srv.OnError(func(err error) { log.Fatalf("proxy: %v", err) })
	group.Start()
	listening := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: host, Port: port}, func() { close(listening) }); err != nil {
		log.Fatalf("proxy: listen: %v", err)
	}
	<-listening
	fmt.Printf("nodenet proxy listening on %s, forwarding to %s, %d loop(s), splice %s\n", srv.Address(), *upstream, *loops, *splice)

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

func hostPort(s string) (string, int, error) {
	host, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}

// newProxy makes the proxy server on group (not listening yet): every
// connection it accepts is forwarded to host:port.
func newProxy(group *reactor.Group, host string, port int) (*server.Server, error) {
	opts := server.Options{Group: group, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}
	if group.Len() == 1 {
		opts = server.Options{Loop: group.Loops()[0], StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}
	}
	return server.New(opts, func(c *socket.Socket) { forward(c, host, port) })
}

// forward pipes c both ways to a new connection to host:port on c's loop
// (so that both pipes stay within one loop, where they can splice).
func forward(c *socket.Socket, host string, port int) {
	u, err := socket.Connect(socket.ConnectOptions{Loop: c.Loop(), Host: host, Port: port, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, nil)
	if err != nil {
		c.Destroy(err)
		return
	}
	c.Pipe(u, nil)
	u.Pipe(c, nil)
	// An error on one side ends the other at once; a clean close of one
	// side needs nothing, the other closes when its own halves are done.
	c.OnError(func(error) { u.Destroy(nil) })
	u.OnError(func(error) { c.Destroy(nil) })
}

//go:build unix

// Command resp is a Redis-protocol (RESP2) key-value server on nodenet:
// PING, ECHO, SET (NX/XX/EX/PX/KEEPTTL/GET), GET, DEL, EXISTS, INCR/DECR/
// INCRBY/DECRBY, MGET, MSET, EXPIRE/PEXPIRE/TTL/PTTL/PERSIST on loop timers,
// DBSIZE, FLUSHDB, SELECT 0, QUIT, and the COMMAND and CONFIG GET replies
// redis-cli and redis-benchmark ask for. Inline and multibulk requests, any
// number pipelined per read, every reply of a read sent in one write. Like
// redis-server, no idle timeout by default: -timeout N (or CONFIG SET
// timeout N) closes clients idle N seconds.
//
//	go run ./examples/resp -addr 127.0.0.1:6380 -loops 2   # serve until interrupted
//	redis-cli -p 6380 set greeting hello
//	redis-benchmark -p 6380 -t set,get -c 50 -P 16 -q
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

	"github.com/nodenet/nodenet/examples/resp/proto"
	"github.com/nodenet/nodenet/examples/resp/respd"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "host:port to listen on (port 0: any free port)")
	loops := flag.Int("loops", 1, "event loops (a reactor.Group when > 1; the keyspace is shared)")
	maxBulk := flag.Int("max-bulk", proto.DefaultLimits.MaxBulk, "largest bulk string a request may carry, bytes")
	maxArgs := flag.Int("max-args", proto.DefaultLimits.MaxArgs, "most arguments one request may carry")
	timeout := flag.Int("timeout", 0, "close a client idle this many seconds; 0: never (Redis's timeout, also CONFIG SET timeout)")
	flag.Parse()
	if *timeout < 0 {
		log.Fatalf("resp: -timeout %d: must be 0 or more seconds", *timeout)
	}

	host, portStr, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("resp: -addr: %v", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		log.Fatalf("resp: -addr port: %v", err)
	}
	group, err := reactor.NewGroup(*loops, reactor.RoundRobin)
	if err != nil {
		log.Fatalf("resp: %v", err)
	}
	rs := respd.New(respd.Options{
		Limits:      proto.Limits{MaxBulk: *maxBulk, MaxArgs: *maxArgs},
		IdleTimeout: time.Duration(*timeout) * time.Second,
	})
	opts := server.Options{Group: group, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}
	if *loops == 1 {
		opts = server.Options{Loop: group.Loops()[0], StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}
	}
	srv, err := server.New(opts, rs.Serve)
	if err != nil {
		log.Fatalf("resp: %v", err)
	}
	srv.OnError(func(err error) { log.Fatalf("resp: %v", err) })
	group.Start()
	listening := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: host, Port: port}, func() { close(listening) }); err != nil {
		log.Fatalf("resp: listen: %v", err)
	}
	<-listening
	fmt.Printf("nodenet resp listening on %s with %d loop(s)\n", srv.Address(), *loops)

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

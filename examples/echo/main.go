//go:build unix

// Command echo is nodenet's echo server: every byte a client sends comes
// back (Node's net.createServer(c => c.pipe(c))).
//
//	go run ./examples/echo -addr 127.0.0.1:7000 -loops 2     # serve until interrupted
//	go run ./examples/echo -selftest                          # serve, run a bounded client load, check every byte, exit
package main

import (
	"bytes"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "host:port to listen on (port 0: any free port)")
	loops := flag.Int("loops", 1, "event loops (a reactor.Group when > 1)")
	balance := flag.String("balance", "acceptor", "with -loops > 1: acceptor (one listener hands connections out) or reuseport (one SO_REUSEPORT listener per loop)")
	selftest := flag.Bool("selftest", false, "run a short bounded client load against the server, check every byte, print one summary line and exit")
	conns := flag.Int("conns", 100, "self-test: concurrent client connections")
	rounds := flag.Int("rounds", 200, "self-test: round trips per connection")
	size := flag.Int("size", 1024, "self-test: largest message in bytes")
	flag.Parse()

	host, portStr, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("echo: -addr: %v", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		log.Fatalf("echo: -addr port: %v", err)
	}

	group, err := reactor.NewGroup(*loops, reactor.RoundRobin)
	if err != nil {
		log.Fatalf("echo: %v", err)
	}
	opts := server.Options{Group: group, Balance: server.BalanceAcceptor}
	if *balance == "reuseport" {
		opts.Balance = server.BalanceReusePort
	}
	if *loops == 1 {
		opts = server.Options{Loop: group.Loops()[0]}
	}
	srv, err := server.New(opts, func(c *socket.Socket) { c.Pipe(c, nil) })
	if err != nil {
		log.Fatalf("echo: %v", err)
	}
	listening := make(chan struct{})
	srv.OnError(func(err error) { log.Fatalf("echo: %v", err) })
	group.Start()
	if err := srv.Listen(server.ListenOptions{Host: host, Port: port}, func() { close(listening) }); err != nil {
		log.Fatalf("echo: listen: %v", err)
	}
	<-listening
	bound := srv.Address().String()

	if !*selftest {
		fmt.Printf("nodenet echo listening on %s with %d loop(s)\n", bound, *loops)
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
		return
	}

	start := time.Now()
	bytesOK, msgs, failures := runLoad(bound, *conns, *rounds, *size)
	elapsed := time.Since(start)
	group.Stop()
	status := "ok"
	if failures > 0 {
		status = "FAILED"
	}
	fmt.Printf("selftest %s: %d connections x %d round trips (1-%d B) to %s on %d loop(s): %d messages, %d bytes echoed intact, %d failures, %.0f msg/s\n",
		status, *conns, *rounds, *size, bound, *loops, msgs, bytesOK, failures, float64(msgs)/elapsed.Seconds())
	if failures > 0 {
		os.Exit(1)
	}
}

// runLoad drives conns stdlib clients, each sending rounds random messages
// and checking that exactly the same bytes come back.
func runLoad(addr string, conns, rounds, size int) (bytesOK, msgs int64, failures int64) {
	var wg sync.WaitGroup
	var okBytes, okMsgs, failed atomic.Int64
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err != nil {
				failed.Add(1)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			buf := make([]byte, size)
			got := make([]byte, size)
			var lenBuf [2]byte
			for r := 0; r < rounds; r++ {
				rand.Read(lenBuf[:])
				n := 1 + (int(lenBuf[0])<<8|int(lenBuf[1]))%size
				rand.Read(buf[:n])
				if _, err := c.Write(buf[:n]); err != nil {
					failed.Add(1)
					return
				}
				if _, err := io.ReadFull(c, got[:n]); err != nil || !bytes.Equal(buf[:n], got[:n]) {
					failed.Add(1)
					return
				}
				okBytes.Add(int64(n))
				okMsgs.Add(1)
			}
		}()
	}
	wg.Wait()
	return okBytes.Load(), okMsgs.Load(), failed.Load()
}

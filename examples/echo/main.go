//go:build unix

// Command echo is nodenet's echo server: every byte a client sends comes
// back (Node's net.createServer(c => c.pipe(c))), over TCP or, with -tls,
// over TLS (Node's tls.createServer(opts, c => c.pipe(c))).
//
//	go run ./examples/echo -addr 127.0.0.1:7000 -loops 2     # serve until interrupted
//	go run ./examples/echo -selftest                          # serve, run a bounded client load, check every byte, exit
//	go run ./examples/echo -tls -cert cert.pem -key key.pem   # TLS with your certificate
//	go run ./examples/echo -tls -selftest                     # TLS with a self-signed certificate made at start-up
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "host:port to listen on (port 0: any free port)")
	loops := flag.Int("loops", 1, "event loops (a reactor.Group when > 1)")
	balance := flag.String("balance", "acceptor", "with -loops > 1: acceptor (one listener hands connections out) or reuseport (one SO_REUSEPORT listener per loop)")
	selftest := flag.Bool("selftest", false, "run a short bounded client load against the server, check every byte, print one summary line and exit")
	conns := flag.Int("conns", 100, "self-test: concurrent client connections")
	rounds := flag.Int("rounds", 200, "self-test: round trips per connection")
	size := flag.Int("size", 1024, "self-test: largest message in bytes")
	useTLS := flag.Bool("tls", false, "serve TLS (a self-signed certificate for localhost is made at start-up unless -cert and -key are given)")
	certFile := flag.String("cert", "", "with -tls: PEM certificate (chain) file")
	keyFile := flag.String("key", "", "with -tls: PEM private key file")
	keyKind := flag.String("keytype", "ecdsa", "with -tls and no -cert: the self-signed key, ecdsa (P-256) or rsa (2048)")
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
	var srv *server.Server
	var clientTLS *tls.Config // the self-test's client side, trusting our certificate
	if *useTLS {
		certPEM, keyPEM, err := loadOrMakeCert(*certFile, *keyFile, *keyKind)
		if err != nil {
			log.Fatalf("echo: %v", err)
		}
		ts, err := nntls.CreateServer(nntls.ServerOptions{Options: opts,
			SecureContextOptions: nntls.SecureContextOptions{Cert: certPEM, Key: keyPEM}},
			func(c *nntls.TLSSocket) { c.Pipe(c.Socket, nil) })
		if err != nil {
			log.Fatalf("echo: %v", err)
		}
		srv = ts.Server
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(certPEM)
		clientTLS = &tls.Config{RootCAs: roots, ServerName: "localhost"}
	} else {
		srv, err = server.New(opts, func(c *socket.Socket) { c.Pipe(c, nil) })
		if err != nil {
			log.Fatalf("echo: %v", err)
		}
	}
	// SIGUSR1 prints the goroutine count: connections, idle or busy, add
	// none (make bench reads it at 10,000 idle TLS connections).
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 {
			fmt.Printf("goroutines=%d\n", runtime.NumGoroutine())
		}
	}()
	listening := make(chan struct{})
	srv.OnError(func(err error) { log.Fatalf("echo: %v", err) })
	group.Start()
	if err := srv.Listen(server.ListenOptions{Host: host, Port: port}, func() { close(listening) }); err != nil {
		log.Fatalf("echo: listen: %v", err)
	}
	<-listening
	bound := srv.Address().String()

	if !*selftest {
		fmt.Printf("nodenet echo listening on %s with %d loop(s)%s\n", bound, *loops, map[bool]string{true: " (TLS)"}[*useTLS])
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
	bytesOK, msgs, failures := runLoad(bound, *conns, *rounds, *size, clientTLS)
	elapsed := time.Since(start)
	group.Stop()
	status := "ok"
	if failures > 0 {
		status = "FAILED"
	}
	proto := "TCP"
	if *useTLS {
		proto = "TLS"
	}
	fmt.Printf("selftest %s: %d %s connections x %d round trips (1-%d B) to %s on %d loop(s): %d messages, %d bytes echoed intact, %d failures, %.0f msg/s\n",
		status, *conns, proto, *rounds, *size, bound, *loops, msgs, bytesOK, failures, float64(msgs)/elapsed.Seconds())
	if failures > 0 {
		os.Exit(1)
	}
}

// runLoad drives conns stdlib clients (crypto/tls ones when tlsCfg is not
// nil), each sending rounds random messages and checking that exactly the
// same bytes come back.
func runLoad(addr string, conns, rounds, size int, tlsCfg *tls.Config) (bytesOK, msgs int64, failures int64) {
	var wg sync.WaitGroup
	var okBytes, okMsgs, failed atomic.Int64
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c net.Conn
			var err error
			if tlsCfg != nil {
				c, err = tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, tlsCfg)
			} else {
				c, err = net.DialTimeout("tcp", addr, 10*time.Second)
			}
			if err != nil {
				log.Printf("echo: selftest dial: %v", err)
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

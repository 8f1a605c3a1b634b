package tls_test

import (
	"fmt"

	"github.com/nodenet/nodenet/internal/tlstest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// A TLS echo server and one client on one loop: Node's
// tls.createServer({key, cert}, s => s.pipe(s)).listen(0) and
// tls.connect({port, ca, servername}). Key and Cert are PEM bytes (read
// from files in a real server; made here for the example).
func ExampleCreateServer() {
	cert := tlstest.Localhost(tlstest.ECDSA)
	loop, err := reactor.New()
	if err != nil {
		panic(err)
	}
	srv, err := nntls.CreateServer(nntls.ServerOptions{
		Options:              server.Options{Loop: loop},
		SecureContextOptions: nntls.SecureContextOptions{Key: cert.KeyPEM, Cert: cert.CertPEM},
		ALPNProtocols:        []string{"echo/1"},
	}, func(s *nntls.TLSSocket) {
		s.Pipe(s.Socket, nil) // echo the plaintext
	})
	if err != nil {
		panic(err)
	}
	err = loop.Main(func() {
		srv.OnTLSClientError(func(err error, _ *nntls.TLSSocket) { fmt.Println("tlsClientError:", err) })
		err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			addr, _ := srv.AddressInfo()
			var c *nntls.TLSSocket
			c, err := nntls.Connect(nntls.ConnectOptions{
				ConnectOptions:       socket.ConnectOptions{Loop: loop, Host: addr.Address, Port: addr.Port},
				Servername:           "localhost",
				SecureContextOptions: nntls.SecureContextOptions{CA: cert.CertPEM},
				ALPNProtocols:        []string{"echo/1"},
			}, func() {
				fmt.Println("secureConnect:", c.GetProtocol(), "authorized:", c.Authorized(), "alpn:", c.ALPNProtocol())
				c.Send([]byte("hello, nodenet"), nil)
			})
			if err != nil {
				panic(err)
			}
			c.OnData(func(b []byte) {
				fmt.Printf("echoed: %s\n", b)
				c.End(nil, nil)
				srv.Close(nil)
			})
			c.OnError(func(err error) { fmt.Println("client error:", err) })
		})
		if err != nil {
			panic(err)
		}
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// secureConnect: TLSv1.3 authorized: true alpn: echo/1
	// echoed: hello, nodenet
}

// STARTTLS: a plaintext exchange, then both ends upgrade the same
// connection — the server side with NewTLSSocket(IsServer), Node's
// new tls.TLSSocket(socket, {isServer: true}), the client with
// Connect(Socket), Node's tls.connect({socket}).
func ExampleNewTLSSocket() {
	cert := tlstest.Localhost(tlstest.ECDSA)
	loop, err := reactor.New()
	if err != nil {
		panic(err)
	}
	srv, err := server.New(server.Options{Loop: loop}, func(s *socket.Socket) {
		s.OnceData(func(b []byte) {
			fmt.Printf("server got %q in plaintext\n", b)
			// The go-ahead goes out in plaintext before the upgrade: from
			// NewTLSSocket on, the socket's writes are encrypted.
			s.Send([]byte("OK\n"), nil)
			t, err := nntls.NewTLSSocket(s, nntls.TLSSocketOptions{IsServer: true,
				SecureContextOptions: nntls.SecureContextOptions{Key: cert.KeyPEM, Cert: cert.CertPEM}})
			if err != nil {
				panic(err)
			}
			t.OnSecure(func() { fmt.Println("server secure:", t.GetProtocol()) })
			t.OnData(func(b []byte) { fmt.Printf("server got %q encrypted\n", b); t.End([]byte("bye"), nil) })
		})
	})
	if err != nil {
		panic(err)
	}
	err = loop.Main(func() {
		err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			addr, _ := srv.AddressInfo()
			c, err := socket.Connect(socket.ConnectOptions{Loop: loop, Host: addr.Address, Port: addr.Port}, nil)
			if err != nil {
				panic(err)
			}
			c.OnConnect(func() { c.Send([]byte("STARTTLS\n"), nil) })
			c.OnceData(func([]byte) {
				t, err := nntls.Connect(nntls.ConnectOptions{Socket: c, Servername: "localhost",
					SecureContextOptions: nntls.SecureContextOptions{CA: cert.CertPEM}}, nil)
				if err != nil {
					panic(err)
				}
				t.OnSecureConnect(func() { t.Send([]byte("secret"), nil) })
				t.OnData(func(b []byte) { fmt.Printf("client got %q\n", b) })
				t.OnEnd(func() { t.End(nil, nil); srv.Close(nil) })
			})
		})
		if err != nil {
			panic(err)
		}
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// server got "STARTTLS\n" in plaintext
	// server secure: TLSv1.3
	// server got "secret" encrypted
	// client got "bye"
}

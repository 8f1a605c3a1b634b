// Command gnetproxy is the gnet v2 TCP proxy used by the nodenet proxy
// benchmarks, written the way gnet's API documents it: OnOpen of an accepted
// connection asks its own event loop to Register (dial and adopt) a
// connection to the upstream, carrying the client's link in the context; the
// upstream's OnOpen links the two; OnTraffic moves what arrived to the
// peer with Next and Write (bytes that arrive before the upstream is
// registered wait in the client's inbound buffer); OnClose closes the peer.
// gnet has no pause/resume, so there is no backpressure beyond its buffers.
//
//	gnetproxy -addr 127.0.0.1:8000 -upstream 127.0.0.1:7000 -loops 1
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"

	"github.com/panjf2000/gnet/v2"
)

type proxy struct {
	gnet.BuiltinEventEngine
	addr     string
	upstream *net.TCPAddr
	loops    int
}

// link is a connection's context: the connection itself, its peer once
// known, and whether it closed (an upstream registered for a client that
// has gone must close at once).
type link struct {
	self   gnet.Conn
	peer   gnet.Conn
	closed bool
}

func (p *proxy) OnBoot(gnet.Engine) gnet.Action {
	fmt.Printf("gnet proxy listening on %s, forwarding to %s, %d loop(s)\n", p.addr, p.upstream, p.loops)
	return gnet.None
}

func (p *proxy) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	if cl, ok := c.Context().(*link); ok {
		// The upstream connection Registered for the client cl, on its loop.
		if cl.closed {
			return nil, gnet.Close
		}
		c.SetContext(&link{self: c, peer: cl.self})
		cl.peer = c
		if buf, _ := cl.self.Next(-1); len(buf) > 0 {
			c.Write(buf)
		}
		return nil, gnet.None
	}
	cl := &link{self: c}
	c.SetContext(cl)
	if _, err := c.EventLoop().Register(gnet.NewContext(context.Background(), cl), p.upstream); err != nil {
		return nil, gnet.Close
	}
	return nil, gnet.None
}

func (p *proxy) OnTraffic(c gnet.Conn) gnet.Action {
	l, _ := c.Context().(*link)
	if l == nil || l.peer == nil {
		return gnet.None // the upstream is not there yet: keep the bytes
	}
	buf, _ := c.Next(-1)
	l.peer.Write(buf)
	return gnet.None
}

func (p *proxy) OnClose(c gnet.Conn, _ error) gnet.Action {
	l, ok := c.Context().(*link)
	if !ok {
		return gnet.None
	}
	l.closed = true
	if peer := l.peer; peer != nil {
		l.peer = nil
		if pl, ok := peer.Context().(*link); ok {
			pl.peer = nil
		}
		peer.Close()
	}
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "host:port to listen on")
	upstream := flag.String("upstream", "", "host:port to forward to")
	loops := flag.Int("loops", 1, "event loops")
	flag.Parse()
	up, err := net.ResolveTCPAddr("tcp", *upstream)
	if err != nil {
		log.Fatal(err)
	}
	p := &proxy{addr: *addr, upstream: up, loops: *loops}
	log.Fatal(gnet.Run(p, "tcp://"+*addr,
		gnet.WithMulticore(*loops > 1),
		gnet.WithNumEventLoop(*loops),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithReusePort(false)))
}

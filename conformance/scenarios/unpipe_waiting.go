package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("unpipe_waiting", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			const total = 8 << 20
			var conns []*socket.Socket
			var srcPeer, dstPeer, otherPeer *socket.Socket
			var srv *server.Server
			var port int
			goOn := func() {
				src, dst, other := conns[0], conns[1], conns[2]
				got := 0
				dstPeer.OnData(func(b []byte) {
					got += len(b)
					if got == total {
						trace("dst-peer", "all", "got", got)
						for _, s := range []*socket.Socket{srcPeer, dstPeer, otherPeer} {
							s.Destroy(nil)
						}
						for _, s := range conns {
							s.Destroy(nil)
						}
						srv.Close(func(error) { trace("server", "close") })
					}
				})
				src.Pipe(dst, nil)
				src.Pipe(other, nil)
				srcPeer.Send(make([]byte, total), nil)
				var watch *reactor.Timer
				watch = loop.SetInterval(time.Millisecond, func() {
					if other.WritableNeedDrain() && src.IsPaused() {
						watch.Stop()
						trace("src", "held-back", "otherNeedDrain", other.WritableNeedDrain(), "isPaused", src.IsPaused())
						src.Unpipe(other)
						trace("src", "unpiped", "isPaused", src.IsPaused(), "readableFlowing", jsWord(src.ReadableFlowing().String()))
					}
				})
			}
			// The three peers connect one after another, so the server
			// sees them in this order: src, dst, other.
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				conns = append(conns, c)
				switch len(conns) {
				case 1:
					dstPeer, _ = socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				case 2:
					otherPeer, _ = socket.ConnectTCP(loop, port, "127.0.0.1", nil)
					otherPeer.Pause()
				case 3:
					goOn()
				}
			})
			listen(srv, func(p int) {
				port = p
				srcPeer, _ = socket.ConnectTCP(loop, port, "127.0.0.1", nil)
			})
		})
	})
}

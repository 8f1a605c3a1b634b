// Command gnet is the gnet v2 echo server used by the nodenet benchmarks:
// the canonical gnet echo (OnTraffic: Next(-1) then Write).
//
//	gnet -addr 127.0.0.1:7000 -loops 1
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/panjf2000/gnet/v2"
)

type echo struct {
	gnet.BuiltinEventEngine
	addr  string
	loops int
}

func (e *echo) OnBoot(gnet.Engine) gnet.Action {
	fmt.Printf("gnet echo listening on %s with %d loop(s)\n", e.addr, e.loops)
	return gnet.None
}

func (e *echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	c.Write(buf)
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "host:port to listen on")
	loops := flag.Int("loops", 1, "event loops")
	flag.Parse()
	e := &echo{addr: *addr, loops: *loops}
	log.Fatal(gnet.Run(e, "tcp://"+*addr,
		gnet.WithMulticore(*loops > 1),
		gnet.WithNumEventLoop(*loops),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithReusePort(false)))
}

// Command gnethttp is the gnet v2 HTTP server of the protocol benchmarks,
// written the way gnet's own HTTP example (gnet-examples/http) is: a
// minimal per-connection parser, every pipelined request of a traffic event
// answered into one buffer (the Date formatted per response, as the example
// does), one Write. The example's parser, evanphx/wildcat, is not available
// from the module proxy here, so parse does what wildcat does for these
// requests: find the end of the head, scan the header lines for
// Content-Length. Unlike the example it keeps an incomplete request for the
// next event (Peek/Discard) instead of dropping it.
//
//	gnethttp -addr 127.0.0.1:8080 -loops 1
package main

import (
	"flag"
	"fmt"
	"log"
	"time"

	"bytes"
	"errors"
	"github.com/panjf2000/gnet/v2"
)

type httpServer struct {
	gnet.BuiltinEventEngine
	addr  string
	loops int
}

type httpCodec struct {
	buf []byte
}

var (
	errMissingData = errors.New("missing data")
	errBadRequest  = errors.New("bad request")
	crlfcrlf       = []byte("\r\n\r\n")
	contentLength  = []byte("content-length:")
)

// parse returns the head's length and the body's (-1: none).
func parse(data []byte) (int, int, error) {
	end := bytes.Index(data, crlfcrlf)
	if end < 0 {
		return 0, 0, errMissingData
	}
	head := data[:end]
	sp := bytes.IndexByte(head, ' ')
	if sp <= 0 {
		return 0, 0, errBadRequest
	}
	bodyLen := -1
	for i := bytes.IndexByte(head, '\n'); i >= 0 && i+1 < len(head); {
		line := head[i+1:]
		j := bytes.IndexByte(line, '\n')
		if j >= 0 {
			line = line[:j]
		}
		if len(line) > len(contentLength) && bytes.EqualFold(line[:len(contentLength)], contentLength) {
			n := 0
			for _, c := range bytes.TrimSpace(line[len(contentLength):]) {
				if c < '0' || c > '9' {
					return 0, 0, errBadRequest
				}
				n = n*10 + int(c-'0')
			}
			bodyLen = n
		}
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return end + 4, bodyLen, nil
}

func (hc *httpCodec) appendResponse() {
	hc.buf = append(hc.buf, "HTTP/1.1 200 OK\r\nServer: gnet\r\nContent-Type: text/plain\r\nDate: "...)
	hc.buf = time.Now().UTC().AppendFormat(hc.buf, "Mon, 02 Jan 2006 15:04:05 GMT")
	hc.buf = append(hc.buf, "\r\nContent-Length: 13\r\n\r\nHello, World!"...)
}

func (hs *httpServer) OnBoot(gnet.Engine) gnet.Action {
	fmt.Printf("gnet http listening on %s with %d loop(s)\n", hs.addr, hs.loops)
	return gnet.None
}

func (hs *httpServer) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	c.SetContext(&httpCodec{})
	return nil, gnet.None
}

func (hs *httpServer) OnTraffic(c gnet.Conn) gnet.Action {
	hc := c.Context().(*httpCodec)
	data, _ := c.Peek(-1)
	used := 0
	for used < len(data) {
		headerOffset, bodyLen, err := parse(data[used:])
		if err == errMissingData {
			break
		}
		if err != nil {
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
			return gnet.Close
		}
		if bodyLen < 0 {
			bodyLen = 0
		}
		if used+headerOffset+bodyLen > len(data) {
			break
		}
		hc.appendResponse()
		used += headerOffset + bodyLen
	}
	if len(hc.buf) > 0 {
		c.Write(hc.buf)
		hc.buf = hc.buf[:0]
	}
	c.Discard(used)
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "host:port to listen on")
	loops := flag.Int("loops", 1, "event loops")
	flag.Parse()
	hs := &httpServer{addr: *addr, loops: *loops}
	log.Fatal(gnet.Run(hs, "tcp://"+*addr,
		gnet.WithMulticore(*loops > 1),
		gnet.WithNumEventLoop(*loops),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithReusePort(false)))
}

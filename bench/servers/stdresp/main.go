// Command stdresp is the Go standard library RESP server of the protocol
// benchmarks: one goroutine per connection, a bufio.Writer flushed when the
// read buffer is empty (so pipelined replies go out in one write), the same
// parser as examples/resp (examples/resp/proto) and a mutex-guarded map.
// It answers what redis-benchmark's SET/GET/PING tests send (and CONFIG
// GET, which redis-benchmark asks first). -loops sets GOMAXPROCS.
//
//	stdresp -addr 127.0.0.1:6379 -loops 1
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"runtime"
	"strings"
	"sync"

	"github.com/nodenet/nodenet/examples/resp/proto"
)

type store struct {
	mu sync.Mutex
	m  map[string][]byte
}

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "host:port to listen on")
	loops := flag.Int("loops", 1, "GOMAXPROCS")
	flag.Parse()
	runtime.GOMAXPROCS(*loops)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stdlib resp listening on %s with GOMAXPROCS=%d\n", *addr, *loops)
	st := &store{m: map[string][]byte{}}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Print(err)
			continue
		}
		go serve(c, st)
	}
}

func serve(c net.Conn, st *store) {
	defer c.Close()
	w := bufio.NewWriterSize(c, 16<<10)
	var p proto.Parser
	buf := make([]byte, 0, 64<<10)
	var out []byte
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := c.Read(buf[len(buf):cap(buf)])
		if n > 0 {
			buf = buf[:len(buf)+n]
			rest := buf
			for {
				args, used, _, perr := p.Parse(rest)
				if perr != nil {
					w.WriteString("-ERR Protocol error: " + perr.Error() + "\r\n")
					w.Flush()
					return
				}
				if used == 0 {
					break
				}
				rest = rest[used:]
				if len(args) > 0 {
					out = exec(out[:0], args, st)
					w.Write(out)
				}
			}
			buf = buf[:copy(buf, rest)]
			if w.Flush() != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func exec(out []byte, args [][]byte, st *store) []byte {
	switch strings.ToUpper(string(args[0])) {
	case "PING":
		return append(out, "+PONG\r\n"...)
	case "SET":
		if len(args) < 3 {
			return proto.AppendError(out, "ERR wrong number of arguments for 'set' command")
		}
		st.mu.Lock()
		if v, ok := st.m[string(args[1])]; ok {
			st.m[string(args[1])] = append(v[:0], args[2]...)
		} else {
			st.m[string(args[1])] = append([]byte(nil), args[2]...)
		}
		st.mu.Unlock()
		return append(out, "+OK\r\n"...)
	case "GET":
		if len(args) != 2 {
			return proto.AppendError(out, "ERR wrong number of arguments for 'get' command")
		}
		st.mu.Lock()
		v, ok := st.m[string(args[1])]
		if ok {
			out = proto.AppendBulk(out, v)
		} else {
			out = proto.AppendNull(out)
		}
		st.mu.Unlock()
		return out
	case "CONFIG":
		if len(args) == 3 && strings.EqualFold(string(args[1]), "GET") {
			switch strings.ToLower(string(args[2])) {
			case "save":
				return append(out, "*2\r\n$4\r\nsave\r\n$0\r\n\r\n"...)
			case "appendonly":
				return append(out, "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"...)
			}
			return append(out, "*0\r\n"...)
		}
	}
	return proto.AppendError(out, "ERR unknown command")
}

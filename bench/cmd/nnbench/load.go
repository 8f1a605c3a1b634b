package main

// The load generator: a child process (pinned to CPU 1 by the harness) that
// drives one workload against an echo server, checks every echoed byte, and
// talks to the harness over stdin/stdout:
//
//	child  -> "CONNECTED"            all connections are up, traffic is flowing
//	parent -> "START"                the measured window begins (counters are snapshotted)
//	parent -> "STOP"                 the window ends; the child prints one JSON result line and exits
//
// Modes: pingpong (C connections, S-byte messages, one outstanding message per
// connection), stream (C connections each writing 64 KiB chunks and reading
// the echo concurrently), churn (W workers: connect, write S bytes, read
// them back, close), idle (C connections, one 1-byte round trip each, then
// held open until STOP).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

type loadResult struct {
	Mode     string         `json:"mode"`
	Conns    int            `json:"conns"`
	Size     int            `json:"size"`
	Seconds  float64        `json:"seconds"`  // measured window, as seen by the child
	Units    int64          `json:"units"`    // messages (pingpong), bytes (stream), connections (churn) in the window
	Bytes    int64          `json:"bytes"`    // echoed bytes verified in the window
	Errors   int64          `json:"errors"`   // failed connections / mismatches
	FirstErr string         `json:"firstErr"` // first error seen
	Hist     map[int]uint64 `json:"hist,omitempty"`
	LoadCPU  float64        `json:"loadCpu"` // CPU seconds the child used in the window
}

// loadTLS: the load generator speaks TLS (-tls).
var loadTLS bool

type loadState struct {
	phase   atomic.Int32 // 0 warm-up, 1 measuring, 2 stopping
	units   atomic.Int64
	bytes   atomic.Int64
	errs    atomic.Int64
	errOnce sync.Once
	errMsg  atomic.Value
	hist    hist
}

func (st *loadState) fail(err error) {
	if st.phase.Load() == 2 {
		return // connections are being torn down: not an echo failure
	}
	st.errs.Add(1)
	st.errOnce.Do(func() { st.errMsg.Store(err.Error()) })
}

func dialer(i, srcs int) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if srcs > 1 {
		// Spread over 127.0.0.1..srcs; IP_BIND_ADDRESS_NO_PORT lets the
		// kernel pick the port at connect time (4-tuple unique).
		d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%srcs))}
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
			})
			return serr
		}
	}
	return d
}

func raiseNofile() {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		unix.Setrlimit(unix.RLIMIT_NOFILE, &rl)
	}
}

func selfCPU() float64 {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func loadMain(args []string) {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:7000", "server address")
	mode := fs.String("mode", "pingpong", "pingpong | stream | churn | idle")
	conns := fs.Int("c", 50, "connections (churn: concurrent workers)")
	size := fs.Int("s", 64, "message size (stream: write size)")
	srcs := fs.Int("srcs", 1, "spread connections over 127.0.0.1..N source addresses")
	useTLS := fs.Bool("tls", false, "speak TLS (crypto/tls, tls.go): churn is then a full handshake per connection")
	fs.Parse(args)
	loadTLS = *useTLS
	raiseNofile()

	st := &loadState{}
	var conList []net.Conn
	var mu sync.Mutex
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Connect (all modes but churn) with bounded parallelism.
	if *mode != "churn" {
		conList = make([]net.Conn, *conns)
		sem := make(chan struct{}, 64)
		var cwg sync.WaitGroup
		for i := range conList {
			cwg.Add(1)
			sem <- struct{}{}
			go func() {
				defer cwg.Done()
				defer func() { <-sem }()
				var c net.Conn
				var err error
				for try := 0; try < 5; try++ {
					if c, err = dialer(i, *srcs).DialContext(ctx, "tcp", *addr); err == nil {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				if err == nil && loadTLS {
					c, err = tlsWrap(c)
				}
				if err != nil {
					st.fail(fmt.Errorf("dial: %w", err))
					return
				}
				mu.Lock()
				conList[i] = c
				mu.Unlock()
			}()
		}
		cwg.Wait()
		if st.errs.Load() > 0 {
			fmt.Fprintf(os.Stderr, "load: %d connections failed: %v\n", st.errs.Load(), st.errMsg.Load())
			os.Exit(1)
		}
	}

	switch *mode {
	case "pingpong":
		for i, c := range conList {
			wg.Add(1)
			go func() { defer wg.Done(); pingpong(st, c, i, *size) }()
		}
	case "stream":
		for i, c := range conList {
			wg.Add(2)
			pat := pattern(uint64(i))
			go func() { defer wg.Done(); streamWrite(st, c, pat, *size) }()
			go func() { defer wg.Done(); streamRead(st, c, pat) }()
		}
	case "churn":
		for i := 0; i < *conns; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); churn(ctx, st, *addr, i, *srcs, *size) }()
		}
	case "idle":
		var iwg sync.WaitGroup
		sem := make(chan struct{}, 64)
		for _, c := range conList {
			iwg.Add(1)
			sem <- struct{}{}
			go func() {
				defer iwg.Done()
				defer func() { <-sem }()
				b := []byte{'x'}
				got := []byte{0}
				c.SetDeadline(time.Now().Add(20 * time.Second))
				if _, err := c.Write(b); err != nil {
					st.fail(err)
					return
				}
				if _, err := io.ReadFull(c, got); err != nil || got[0] != 'x' {
					st.fail(fmt.Errorf("idle echo: %v %q", err, got))
					return
				}
				c.SetDeadline(time.Time{})
				st.units.Add(1)
				st.bytes.Add(1)
			}()
		}
		iwg.Wait()
	default:
		fmt.Fprintf(os.Stderr, "load: unknown mode %q\n", *mode)
		os.Exit(2)
	}
	fmt.Println("CONNECTED")

	in := bufio.NewScanner(os.Stdin)
	var t0 time.Time
	var u0, b0 int64
	var cpu0 float64
	res := loadResult{Mode: *mode, Conns: *conns, Size: *size}
	for in.Scan() {
		switch in.Text() {
		case "START":
			u0, b0 = st.units.Load(), st.bytes.Load()
			st.phase.Store(1)
			t0 = time.Now()
			cpu0 = selfCPU()
		case "STOP":
			res.Seconds = time.Since(t0).Seconds()
			res.LoadCPU = selfCPU() - cpu0
			res.Units = st.units.Load() - u0
			res.Bytes = st.bytes.Load() - b0
			if *mode == "idle" {
				res.Units, res.Bytes = st.units.Load(), st.bytes.Load()
			}
			st.phase.Store(2)
			cancel()
			for _, c := range conList {
				if c != nil {
					c.Close()
				}
			}
			wg.Wait()
			res.Errors = st.errs.Load()
			if m, ok := st.errMsg.Load().(string); ok {
				res.FirstErr = m
			}
			if *mode == "pingpong" || *mode == "churn" {
				res.Hist = st.hist.sparse()
			}
			json.NewEncoder(os.Stdout).Encode(res)
			return
		}
	}
	os.Exit(1) // parent went away
}

// pingpong: one S-byte message outstanding per connection. Every message
// carries its connection and sequence number in its first bytes and random
// bytes after, and the whole echo is compared with what was sent.
func pingpong(st *loadState, c net.Conn, id, size int) {
	r := rand.New(rand.NewPCG(uint64(id), 7))
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(r.Uint32())
	}
	got := make([]byte, size)
	for seq := uint64(0); ; seq++ {
		ph := st.phase.Load()
		if ph == 2 {
			return
		}
		if size >= 16 {
			binary.LittleEndian.PutUint64(msg[0:], uint64(id))
			binary.LittleEndian.PutUint64(msg[8:], seq)
		} else {
			msg[0] = byte(seq)
		}
		t := time.Now()
		if _, err := c.Write(msg); err != nil {
			st.fail(err)
			return
		}
		if _, err := io.ReadFull(c, got); err != nil {
			st.fail(err)
			return
		}
		if !bytes.Equal(got, msg) {
			st.fail(fmt.Errorf("pingpong: echoed bytes differ on conn %d seq %d", id, seq))
			return
		}
		if ph == 1 {
			st.hist.add(int64(time.Since(t)))
			st.units.Add(1)
			st.bytes.Add(int64(size))
		}
	}
}

// The stream pattern is periodic with a prime period so that consecutive
// 64 KiB writes never repeat at the same offsets.
const patPeriod = 65521

func pattern(seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 11))
	p := make([]byte, patPeriod+256<<10)
	for i := 0; i < patPeriod; i++ {
		p[i] = byte(r.Uint32())
	}
	for i := patPeriod; i < len(p); i++ {
		p[i] = p[i-patPeriod]
	}
	return p
}

func streamWrite(st *loadState, c net.Conn, pat []byte, size int) {
	var off int
	for st.phase.Load() != 2 {
		if _, err := c.Write(pat[off : off+size]); err != nil {
			st.fail(err)
			return
		}
		off = (off + size) % patPeriod
	}
}

func streamRead(st *loadState, c net.Conn, pat []byte) {
	buf := make([]byte, 128<<10)
	var off int
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if !bytes.Equal(buf[:n], pat[off:off+n]) {
				st.fail(errors.New("stream: echoed bytes differ"))
				return
			}
			off = (off + n) % patPeriod
			if st.phase.Load() == 1 {
				st.units.Add(int64(n))
				st.bytes.Add(int64(n))
			}
		}
		if err != nil {
			st.fail(err)
			return
		}
	}
}

func churn(ctx context.Context, st *loadState, addr string, id, srcs, size int) {
	msg := make([]byte, size)
	got := make([]byte, size)
	d := dialer(id, srcs)
	for seq := 0; ; seq++ {
		ph := st.phase.Load()
		if ph == 2 {
			return
		}
		for i := range msg {
			msg[i] = byte(id + seq + i)
		}
		t := time.Now()
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil && loadTLS {
			c, err = tlsWrap(c)
		}
		if err != nil {
			if st.phase.Load() == 2 {
				return
			}
			st.fail(err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Write(msg)
		if err == nil {
			_, err = io.ReadFull(c, got)
		}
		c.Close()
		if err != nil {
			st.fail(err)
			continue
		}
		if !bytes.Equal(got, msg) {
			st.fail(errors.New("churn: echoed bytes differ"))
			continue
		}
		if ph == 1 {
			st.hist.add(int64(time.Since(t)))
			st.units.Add(1)
			st.bytes.Add(int64(size))
		}
	}
}

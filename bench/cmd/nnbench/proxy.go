package main

// The proxy cells (issue 16): the load generator talks to a TCP proxy that
// forwards every connection to an upstream echo server (the C epoll echo,
// pinned to CPU 1 beside the load, the same for every proxy), so each
// message crosses the proxy twice. The figure is the proxy's CPU — per
// message and per MB of echoed payload — with rate and p99 beside it.
// Proxies: examples/proxy (SpliceAuto, and -splice never as the copy
// ablation), HAProxy (Debian's, mode tcp, one thread, splicing on and off),
// Go's stdlib (io.Copy both ways, a goroutine per direction; it splices),
// gnet (Register on the client's loop, Next/Write), and Node (net.connect +
// pipe both ways). The same rounds also run the streaming echo cell, whose
// nodenet echo now splices too.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nodenet/nodenet/socket"
)

var proxyAll = []string{"nodenet", "nodenet-copy", "haproxy-splice", "haproxy", "stdlib", "gnet", "node"}

// proxyBig is proxyAll plus HAProxy splicing every read (splice-request and
// splice-response): splice-auto hardly splices a ping-pong (it splices only
// once a buffer fills), so where the bytes are large HAProxy is measured
// both ways.
var proxyBig = []string{"nodenet", "nodenet-copy", "haproxy-splice", "haproxy-splice-all", "haproxy", "stdlib", "gnet", "node"}

// proxySystem is a proxy: its command line for a listen address and an
// upstream.
type proxySystem struct {
	env  []string
	argv func(bin, addr, upstream string) []string
}

func proxyBin(name string, extra ...string) func(bin, addr, upstream string) []string {
	return func(bin, addr, upstream string) []string {
		return append([]string{filepath.Join(bin, name), "-addr", addr, "-upstream", upstream, "-loops", "1"}, extra...)
	}
}

var proxySystems = map[string]proxySystem{
	"nodenet":            {argv: proxyBin("proxy")},
	"nodenet-copy":       {argv: proxyBin("proxy", "-splice", "never")},
	"nodenet-splice":     {argv: proxyBin("proxy", "-splice", "always")},
	"haproxy":            {argv: haproxyArgv("")},
	"haproxy-splice":     {argv: haproxyArgv("splice-auto")},
	"haproxy-splice-all": {argv: haproxyArgv("splice-request\n\toption splice-response")},
	"stdlib":             {argv: proxyBin("stdproxy"), env: []string{"GOMAXPROCS=1"}},
	"gnet":               {argv: proxyBin("gnetproxy")},
	"node": {argv: func(bin, addr, upstream string) []string {
		return []string{filepath.Join(bin, "node"), filepath.Join(bin, "..", "node", "proxy.js"), "-addr", addr, "-upstream", upstream}
	}},
}

// haproxyArgv writes a one-thread mode-tcp configuration (splice: the
// option line, or none for no splicing at all) and runs haproxy on it in
// the foreground. maxconn 6000 covers the idle cell's 3,000 pairs and keeps
// HAProxy's descriptor reservation (2 per connection, 2 per pipe: 15,014)
// under the 20,000 files a process may open here; at 9,000 it refused to
// start with splicing on.
func haproxyArgv(splice string) func(bin, addr, upstream string) []string {
	return func(bin, addr, upstream string) []string {
		opt := "\tno option splice-auto"
		global := "\tnosplice\n"
		if splice != "" {
			opt, global = "\toption "+splice, ""
		}
		conf := fmt.Sprintf(`global
	nbthread 1
	maxconn 6000
	maxpipes 1500
	ulimit-n 20000
%s
defaults
	mode tcp
	timeout connect 5s
	timeout client 120s
	timeout server 120s
%s

frontend in
	bind %s
	default_backend up

backend up
	server echo %s
`, global, opt, addr, upstream)
		path := filepath.Join(os.TempDir(), "nnbench-haproxy-"+strings.ReplaceAll(addr, ":", "-")+".cfg")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			fatalf("haproxy config: %v", err)
		}
		return []string{"haproxy", "-db", "-f", path}
	}
}

// Via values of a cell.
const viaProxy = "proxy"

func isProxyCell(c cell) bool { return c.Via == viaProxy }

// proxyCells: ping-pong of 1 KiB and 64 KiB messages at 10 and 1,000
// connections, streaming 64 KiB writes at 10, and idle memory per proxied
// pair, all through the proxy; and the streaming echo cell.
func proxyCells() []cell {
	var cs []cell
	for _, size := range []int{1 << 10, 64 << 10} {
		for _, conns := range []int{10, 1000} {
			sys := proxyAll
			if size >= 64<<10 {
				sys = proxyBig
			}
			cs = append(cs, cell{ID: fmt.Sprintf("proxy-pp%dk-%d", size>>10, conns),
				Title: fmt.Sprintf("proxy, ping-pong %d KiB, %s conns", size>>10, commas(conns)),
				Mode:  "pingpong", Via: viaProxy, Conns: conns, Size: size, Unit: "msg", Systems: sys})
		}
	}
	cs = append(cs,
		// Three interleaved runs per system per round, as the streaming
		// echo cell: one run of one binary spreads ±12% here (examples/proxy
		// 526–680 µs/MB), which made a round's ratio to stdlib a coin toss
		// at the 0.9× target.
		cell{ID: "proxy-stream-10", Title: "proxy, streaming 64 KiB writes, 10 conns", Mode: "stream", Via: viaProxy,
			Conns: 10, Size: 65536, Unit: "MB", Systems: proxyBig, Repeat: 3},
		cell{ID: "proxy-idle-3k", Title: "proxy, idle memory, 3,000 pairs", Mode: "idle", Via: viaProxy,
			Conns: 3000, Size: 1, Srcs: 4, Unit: "B/pair", Systems: proxyAll})
	return cs
}

// proxyStreamEcho is the streaming echo cell of the full run, run beside the
// proxy cells in a proxy-only run (make bench-proxy).
func proxyStreamEcho() cell {
	for _, c := range fullCells() {
		if c.Mode == "stream" {
			return c
		}
	}
	fatalf("no streaming echo cell")
	return cell{}
}

// spliceCells are the threshold sweep (not in the default run: `-cells`):
// ping-pong at 10 connections from 1 to 256 KiB, copy against splice.
func spliceCells() []cell {
	var cs []cell
	for _, size := range []int{1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10} {
		cs = append(cs, cell{ID: fmt.Sprintf("splice-pp%dk", size>>10),
			Title: fmt.Sprintf("proxy, ping-pong %d KiB, 10 conns (threshold sweep)", size>>10),
			Mode:  "pingpong", Via: viaProxy, Conns: 10, Size: size, Unit: "msg",
			Systems: []string{"nodenet-copy", "nodenet-splice", "nodenet"}})
	}
	return append(cs, cell{ID: "splice-stream", Title: "proxy, streaming 64 KiB writes, 10 conns (threshold sweep)",
		Mode: "stream", Via: viaProxy, Conns: 10, Size: 65536, Unit: "MB",
		Systems: []string{"nodenet-copy", "nodenet-splice", "nodenet"}})
}

func commas(n int) string {
	s := strconv.Itoa(n)
	if len(s) > 3 {
		s = s[:len(s)-3] + "," + s[len(s)-3:]
	}
	return s
}

// upstream is the echo server behind the proxy: cepoll pinned to CPU 1.
type upstreamProc struct {
	srv  *serverProc
	addr string
}

func startUpstream(cfg *config) (*upstreamProc, error) {
	s := systems["cepoll"]
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	argv := append([]string{"taskset", "-c", "1"}, s.argv(cfg.bin, addr, 1)...)
	srv, err := startProc(argv, nil, addr, "upstream cepoll")
	if err != nil {
		return nil, err
	}
	return &upstreamProc{srv: srv, addr: addr}, nil
}

// proxied binds a proxy cell's system to a running upstream.
func proxied(name, upstream string, upPID int) system {
	p, ok := proxySystems[name]
	if !ok {
		fatalf("unknown proxy %q", name)
	}
	return system{Name: name, Loops: 1, env: p.env, sidecar: upPID, argv: func(bin, addr string, _ int) []string {
		return p.argv(bin, addr, upstream)
	}}
}

// runProxyOnce is runOnce for a proxy cell: a fresh upstream, then the
// proxy measured as the server.
func runProxyOnce(cfg *config, c cell, s system) runResult {
	up, err := startUpstream(cfg)
	if err != nil {
		return runResult{Err: err.Error()}
	}
	defer up.srv.stop()
	pc := c
	pc.Via = "" // measured as an ordinary server from here on
	res := runOnce(cfg, pc, proxied(s.Name, up.addr, up.srv.pid))
	if c.Mode == "pingpong" && res.Bytes > 0 {
		res.PerMB = res.ServerCPU * 1e6 / (float64(res.Bytes) / 1e6)
	}
	return res
}

// startProc starts argv and waits until addr accepts.
func startProc(argv, env []string, addr, name string) (*serverProc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	lb := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = lb, lb
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	srv := &serverProc{cmd: cmd, pid: cmd.Process.Pid, log: lb}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return srv, nil
		}
		if time.Now().After(deadline) {
			srv.stop()
			return nil, fmt.Errorf("%s did not accept on %s: %v; output: %s", name, addr, err, lb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runProxyAllocs runs `nnbench allocs -upstream` (the nodenet proxy in
// process, pinned to CPU 0) in front of a fresh upstream: mallocs per
// proxied message.
func runProxyAllocs(cfg *config, conns, size int) (allocResult, error) {
	up, err := startUpstream(cfg)
	if err != nil {
		return allocResult{}, err
	}
	defer up.srv.stop()
	var ar allocResult
	cmd := exec.Command("taskset", "-c", "0", cfg.self, "allocs", "-c", strconv.Itoa(conns), "-s", strconv.Itoa(size),
		"-window", cfg.window.String(), "-upstream", up.addr)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return ar, fmt.Errorf("proxy allocs c=%d s=%d: %v", conns, size, err)
	}
	if err := json.Unmarshal(out, &ar); err != nil {
		return ar, err
	}
	ar.Workload = fmt.Sprintf("proxy, ping-pong %d B, %d conns", size, conns)
	return ar, nil
}

// serveProxy is examples/proxy's forward, in process for the allocation
// runs (a main package cannot be imported).
func serveProxy(upstream string) func(c *socket.Socket) {
	host, p, _ := net.SplitHostPort(upstream)
	port, _ := strconv.Atoi(p)
	return func(c *socket.Socket) {
		u, err := socket.Connect(socket.ConnectOptions{Loop: c.Loop(), Host: host, Port: port, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, nil)
		if err != nil {
			c.Destroy(err)
			return
		}
		c.Pipe(u, nil)
		u.Pipe(c, nil)
		c.OnError(func(error) { u.Destroy(nil) })
		u.OnError(func(error) { c.Destroy(nil) })
	}
}

var proxyAllocSets = []struct{ c, s int }{{10, 1 << 10}, {1000, 1 << 10}, {10, 64 << 10}}

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// allocResult: heap allocations in the whole server process (one nodenet
// loop, the same server as examples/echo) per echoed message, steady state.
type allocResult struct {
	Conns         int     `json:"conns"`
	Size          int     `json:"size"`
	Msgs          int64   `json:"msgs"`
	Mallocs       uint64  `json:"mallocs"`
	Bytes         uint64  `json:"bytes"`
	MallocsPerMsg float64 `json:"mallocsPerMsg"`
	BytesPerMsg   float64 `json:"bytesPerMsg"`
	GCs           uint32  `json:"gcs"`
	// Workload names a protocol workload (protocols_allocs.go).
	Workload string `json:"workload,omitempty"`
}

// runAllocs runs `nnbench allocs` pinned to CPU 0 (it hosts the server and
// starts its own load child on CPU 1) and returns its result.
func runAllocs(cfg *config, conns, size int, cpuprofile string, extra ...string) (allocResult, error) {
	var ar allocResult
	args := []string{"-c", "0", cfg.self, "allocs", "-c", strconv.Itoa(conns), "-s", strconv.Itoa(size),
		"-window", cfg.window.String()}
	args = append(args, extra...)
	if cpuprofile != "" {
		args = append(args, "-cpuprofile", cpuprofile)
	}
	cmd := exec.Command("taskset", args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return ar, fmt.Errorf("allocs c=%d s=%d: %v", conns, size, err)
	}
	err = json.Unmarshal(out, &ar)
	return ar, err
}

func allocsMain(args []string) {
	fs := flag.NewFlagSet("allocs", flag.ExitOnError)
	conns := fs.Int("c", 50, "connections")
	size := fs.Int("s", 64, "message size")
	window := fs.Duration("window", 2*time.Second, "measured window")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the window here")
	loops := fs.Int("loops", 1, "event loops")
	mode := fs.String("mode", "pingpong", "load: pingpong | stream | churn | idle (idle: -c connections, reports Go heap per connection)")
	memprofile := fs.String("memprofile", "", "idle mode: write a heap profile (inuse) with the connections open")
	protoKind := fs.String("proto", "", "resp | http: host examples/resp or examples/http instead of the echo server, driven by redis-benchmark or wrk")
	op := fs.String("op", "", "with -proto: set | get (resp; default get), plaintext | json (http; default plaintext)")
	depth := fs.Int("depth", 1, "with -proto: pipelining depth")
	useTLS := fs.Bool("tls", false, "serve TLS (package tls, a self-signed ECDSA certificate) and load over TLS")
	upstream := fs.String("upstream", "", "host:port: host examples/proxy's forwarding to this upstream instead of the echo server")
	fs.Parse(args)
	if *protoKind != "" {
		protoAllocs(*protoKind, protoOp(*protoKind, *op), *conns, *depth)
		return
	}
	raiseNofile()

	group, err := reactor.NewGroup(*loops, reactor.RoundRobin)
	if err != nil {
		fatalf("%v", err)
	}
	opts := server.Options{Group: group}
	if *loops == 1 {
		opts = server.Options{Loop: group.Loops()[0]}
	}
	serve := func(c *socket.Socket) { c.Pipe(c, nil) }
	if *upstream != "" {
		serve = serveProxy(*upstream)
		opts.AllowHalfOpen = true
	}
	var srv *server.Server
	if *useTLS {
		certPEM, keyPEM, err := selfSigned("ecdsa")
		if err != nil {
			fatalf("%v", err)
		}
		ts, err := nntls.CreateServer(nntls.ServerOptions{Options: opts,
			SecureContextOptions: nntls.SecureContextOptions{Cert: certPEM, Key: keyPEM}},
			func(c *nntls.TLSSocket) { c.Pipe(c.Socket, nil) })
		if err != nil {
			fatalf("%v", err)
		}
		srv = ts.Server
	} else if srv, err = server.New(opts, serve); err != nil {
		fatalf("%v", err)
	}
	listening := make(chan struct{})
	group.Start()
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1", Port: freePort()}, func() { close(listening) }); err != nil {
		fatalf("listen: %v", err)
	}
	<-listening
	addr := srv.Address().String()

	self, _ := os.Executable()
	cfg := &config{self: self}
	if *mode == "idle" {
		runtime.GC()
		var m0 runtime.MemStats
		runtime.ReadMemStats(&m0)
		rss0, _ := procRSS(os.Getpid())
		ic := cell{Mode: "idle", Conns: *conns, Size: 1, Srcs: 4}
		if *useTLS {
			ic.TLS = "ecdsa"
		}
		ch, err := startLoad(cfg, addr, ic)
		if err != nil {
			fatalf("%v", err)
		}
		defer ch.kill()
		if _, err := ch.expect("CONNECTED", 60*time.Second); err != nil {
			fatalf("%v", err)
		}
		time.Sleep(500 * time.Millisecond)
		// VmRSS before the forced GC: what the cell measures (its server
		// is not collected before it is read).
		rss1, _ := procRSS(os.Getpid())
		runtime.GC()
		var m1 runtime.MemStats
		runtime.ReadMemStats(&m1)
		if *memprofile != "" {
			f, _ := os.Create(*memprofile)
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
		n := float64(*conns)
		fmt.Printf("{\"conns\":%d,\"rssPerConn\":%.0f,\"heapInusePerConn\":%.0f,\"heapAllocPerConn\":%.0f,\"stackInusePerConn\":%.0f,\"sysPerConn\":%.0f,\"mallocsPerConn\":%.1f}\n",
			*conns, float64(rss1-rss0)/n, float64(m1.HeapInuse-m0.HeapInuse)/n, float64(m1.HeapAlloc-m0.HeapAlloc)/n,
			(float64(m1.StackInuse)-float64(m0.StackInuse))/n, float64(m1.Sys-m0.Sys)/n, float64(m1.Mallocs-m0.Mallocs)/n)
		return
	}
	lc := cell{Mode: *mode, Conns: *conns, Size: *size}
	if *useTLS {
		lc.TLS = "ecdsa"
	}
	ch, err := startLoad(cfg, addr, lc)
	if err != nil {
		fatalf("%v", err)
	}
	defer ch.kill()
	if _, err := ch.expect("CONNECTED", 60*time.Second); err != nil {
		fatalf("%v", err)
	}
	time.Sleep(500 * time.Millisecond)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatalf("%v", err)
		}
		pprof.StartCPUProfile(f)
	}
	fmt.Fprintln(ch.in, "START")
	time.Sleep(*window)
	fmt.Fprintln(ch.in, "STOP")
	runtime.ReadMemStats(&m1)
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	line, err := ch.expect("{", 30*time.Second)
	if err != nil {
		fatalf("%v", err)
	}
	var lr loadResult
	json.Unmarshal([]byte(line), &lr)
	if lr.Errors > 0 {
		fatalf("%d echo errors: %s", lr.Errors, lr.FirstErr)
	}
	ar := allocResult{Conns: *conns, Size: *size, Msgs: lr.Units,
		Workload: map[bool]string{true: fmt.Sprintf("TLS ping-pong %d B, %d conns", *size, *conns)}[*useTLS],
		Mallocs:  m1.Mallocs - m0.Mallocs, Bytes: m1.TotalAlloc - m0.TotalAlloc, GCs: m1.NumGC - m0.NumGC}
	if lr.Units > 0 {
		ar.MallocsPerMsg = float64(ar.Mallocs) / float64(lr.Units)
		ar.BytesPerMsg = float64(ar.Bytes) / float64(lr.Units)
	}
	json.NewEncoder(os.Stdout).Encode(ar)
}

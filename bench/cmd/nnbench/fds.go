package main

// nnbench fds: the descriptors idle proxied pairs hold (issue 16). Pairs
// connections go through proxy processes to the upstream C epoll echo;
// each first moves a 64 KiB message both ways (so that, with splicing on,
// each direction has spliced through a kernel pipe), then all sit idle and
// the descriptors of every proxy process are counted in /proc/PID/fd. A pair
// needs its two sockets; anything beyond them is what the proxy keeps for
// splicing (a pipe per pair would be 2 more per direction).
//
// 15,000 pairs are 30,000 sockets in a proxy, more than the 20,000 files a
// process may open here, so -procs splits the pairs over several proxy
// processes (each counted on its own). The load (this process) holds one
// descriptor per pair, the upstream one per pair.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

type fdsResult struct {
	System     string  `json:"system"`
	Pairs      int     `json:"pairs"`
	Procs      int     `json:"procs"`
	FDsBefore  []int   `json:"fdsBefore"` // per proxy process, before any connection
	FDsIdle    []int   `json:"fdsIdle"`   // per proxy process, all pairs idle
	Extra      int     `json:"extra"`     // Σ (idle − before − 2 × its pairs)
	PerPair    float64 `json:"perPair"`   // (Σ idle − Σ before) / pairs
	RSSPerPair float64 `json:"rssPerPair"`
	Seconds    float64 `json:"seconds"`
}

func fdsMain(args []string) {
	fs := flag.NewFlagSet("fds", flag.ExitOnError)
	bin := fs.String("bin", "bin", "directory of built servers")
	pairs := fs.Int("pairs", 15000, "proxied pairs in all")
	procs := fs.Int("procs", 2, "proxy processes the pairs are split over (30,000 sockets do not fit one process's 20,000 files)")
	sys := fs.String("systems", "nodenet-splice,nodenet,stdlib", "proxies (names of the proxy cells)")
	size := fs.Int("s", 64<<10, "bytes each pair moves both ways before going idle")
	fs.Parse(args)
	cfg := &config{bin: *bin}
	var out []fdsResult
	for _, name := range splitList(*sys) {
		r, err := fdsOnce(cfg, name, *pairs, *procs, *size)
		if err != nil {
			fatalf("fds %s: %v", name, err)
		}
		fmt.Fprintf(os.Stderr, "fds %-14s %d pairs over %d processes: %.3f descriptors per pair, %d beyond the sockets (before %v, idle %v); %.0f B RSS per pair; %.0fs\n",
			r.System, r.Pairs, r.Procs, r.PerPair, r.Extra, r.FDsBefore, r.FDsIdle, r.RSSPerPair, r.Seconds)
		out = append(out, r)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

func splitList(s string) []string {
	var l []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				l = append(l, s[start:i])
			}
			start = i + 1
		}
	}
	return l
}

func countFDs(pid int) (int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents), err
}

func fdsOnce(cfg *config, name string, pairs, procs, size int) (fdsResult, error) {
	t0 := time.Now()
	r := fdsResult{System: name, Pairs: pairs, Procs: procs}
	up, err := startUpstream(cfg)
	if err != nil {
		return r, err
	}
	defer up.srv.stop()
	p, ok := proxySystems[name]
	if !ok {
		return r, fmt.Errorf("unknown proxy %q", name)
	}
	var addrs []string
	var pids []int
	for range procs {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort())
		argv := append([]string{"taskset", "-c", "0"}, p.argv(cfg.bin, addr, up.addr)...)
		srv, err := startProc(argv, p.env, addr, name)
		if err != nil {
			return r, err
		}
		defer srv.stop()
		time.Sleep(100 * time.Millisecond)
		n, err := countFDs(srv.pid)
		if err != nil {
			return r, err
		}
		addrs, pids = append(addrs, addr), append(pids, srv.pid)
		r.FDsBefore = append(r.FDsBefore, n)
	}
	var rss0 int64
	for _, pid := range pids {
		m, _ := procRSS(pid)
		rss0 += m
	}
	conns := make([]net.Conn, pairs)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	const workers = 32
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := make([]byte, size)
			got := make([]byte, size)
			for i := w; i < pairs; i += workers {
				c, err := net.DialTimeout("tcp", addrs[i%procs], 10*time.Second)
				if err != nil {
					select {
					case errs <- fmt.Errorf("pair %d: %v", i, err):
					default:
					}
					return
				}
				conns[i] = c
				c.SetDeadline(time.Now().Add(30 * time.Second))
				if _, err := c.Write(msg); err == nil {
					_, err = io.ReadFull(c, got)
				}
				if err != nil {
					select {
					case errs <- fmt.Errorf("pair %d: %v", i, err):
					default:
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	select {
	case err := <-errs:
		return r, err
	default:
	}
	time.Sleep(time.Second) // the last pairs' pipes given back, Go's GC run
	var before, idle int
	var rss1 int64
	r.Extra = 0
	for i, pid := range pids {
		n, err := countFDs(pid)
		if err != nil {
			return r, err
		}
		mine := pairs / procs
		if i < pairs%procs {
			mine++
		}
		r.FDsIdle = append(r.FDsIdle, n)
		r.Extra += n - r.FDsBefore[i] - 2*mine
		before, idle = before+r.FDsBefore[i], idle+n
		m, _ := procRSS(pid)
		rss1 += m
	}
	r.PerPair = float64(idle-before) / float64(pairs)
	r.RSSPerPair = float64(rss1-rss0) / float64(pairs)
	r.Seconds = time.Since(t0).Seconds()
	return r, nil
}

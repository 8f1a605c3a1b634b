package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

const clkTck = 100 // USER_HZ on Linux

// procCPU is utime+stime of a process (all its threads, live and exited), seconds.
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[i+2:]) // f[0] is field 3 (state)
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clkTck, nil
}

// procRSS is VmRSS of a process in bytes.
func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// cpuStat is the aggregate line of /proc/stat: busy and total jiffies.
type cpuStat struct{ busy, total float64 }

func readCPUStat() cpuStat {
	b, _ := os.ReadFile("/proc/stat")
	line := strings.SplitN(string(b), "\n", 2)[0]
	f := strings.Fields(line)[1:]
	var cs cpuStat
	for i, v := range f {
		x, _ := strconv.ParseFloat(v, 64)
		if i >= 8 { // guest time is already counted in user
			break
		}
		cs.total += x
		if i != 3 && i != 4 { // idle, iowait
			cs.busy += x
		}
	}
	return cs
}

// busyCores samples /proc/stat over d: how many cores' worth were busy.
func busyCores(d time.Duration) float64 {
	a := readCPUStat()
	time.Sleep(d)
	b := readCPUStat()
	return (b.busy - a.busy) / clkTck / d.Seconds()
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

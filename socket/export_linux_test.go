//go:build linux

package socket

import (
	"os"
	"sync"

	"github.com/nodenet/nodenet/reactor"
)

// NODENET_TEST_SPLICE=always|never runs the whole package under that
// splice setting (the pipe tests choose theirs explicitly either way).
func init() {
	switch os.Getenv("NODENET_TEST_SPLICE") {
	case "always":
		SetDefaultPipeSplice(SpliceAlways)
	case "never":
		SetDefaultPipeSplice(SpliceNever)
	}
}

var (
	kpipePoolsMu sync.Mutex
	kpipePools   = map[*reactor.Loop]*kpipePool{}
)

func init() {
	kpipePoolHook = func(l *reactor.Loop, p *kpipePool) {
		kpipePoolsMu.Lock()
		kpipePools[l] = p
		kpipePoolsMu.Unlock()
	}
}

// SpliceStats reports l's splice pipes: open now (lent and spare), spare,
// and the bytes ever spliced into them. On l's goroutine, or once l
// returned from Run.
func SpliceStats(l *reactor.Loop) (open, spare int, moved uint64) {
	kpipePoolsMu.Lock()
	p := kpipePools[l]
	kpipePoolsMu.Unlock()
	if p == nil {
		return 0, 0, 0
	}
	return p.open, len(p.free), p.moved
}

// SpliceCalls is the number of splices from a source into l's pipes that
// moved bytes. On l's goroutine, or once l returned from Run.
func SpliceCalls(l *reactor.Loop) uint64 {
	kpipePoolsMu.Lock()
	p := kpipePools[l]
	kpipePoolsMu.Unlock()
	if p == nil {
		return 0
	}
	return p.calls
}

// SplicedLen is the number of bytes parked in s's kernel pipe. Loop
// goroutine only.
func SplicedLen(s *Socket) int {
	if !s.has(fSpliced) {
		return 0
	}
	return s.splicedLen()
}

// SetPipeWaitHook sets a function run each time an inline pipe pauses its
// source for its destination's 'drain'; nil removes it.
func SetPipeWaitHook(fn func(src *Socket)) { pipeWaitHook = fn }

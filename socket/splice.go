package socket

import "sync/atomic"

// PipeSplice says when Pipe moves bytes inside the kernel with splice(2)
// instead of reading them into the loop's buffer and writing them out.
// Only Linux splices; elsewhere every setting copies.
//
// A pipe splices only when nothing in user space needs the bytes: the
// source has no 'data' listener, no encoding and no other pipe, neither end
// has a layer (TLS) on it, both ends
// are TCP or Unix stream sockets of the same loop, and the destination has
// nothing queued from Send and is not corked. Whenever one of these stops
// holding, or the kernel refuses (EINVAL, ENOSYS), the pipe copies as
// before, and no byte is lost or reordered either way.
type PipeSplice int32

const (
	// SpliceAuto (the default) splices while the source's reads are large
	// and copies while they are small, as HAProxy's splice-auto does and Go's
	// io.Copy does not (it splices every read): a source starts splicing
	// after a copied read of 16 KiB or more and copies again once the
	// running size of its splices (each weighing half, the earlier ones the
	// other half) falls below 4 KiB, so a large message's short tail does
	// not switch it off. Measured (docs/performance.md, "Pipe: when to
	// splice"): up to 16 KiB a splice costs as much CPU as the copy or more
	// (1 KiB: 1.08×); from 64 KiB it costs about 0.75× the copy, 0.6× when
	// streaming.
	SpliceAuto PipeSplice = iota
	// SpliceAlways splices every read of an eligible pipe (Go's io.Copy
	// between two TCP connections does the same).
	SpliceAlways
	// SpliceNever always copies through user space (Node's only way).
	SpliceNever
)

var pipeSplice atomic.Int32

// SetDefaultPipeSplice sets, for the whole process, when pipes splice. It
// applies from each pipe's next read. Safe from any goroutine.
func SetDefaultPipeSplice(m PipeSplice) {
	if m < SpliceAuto || m > SpliceNever {
		m = SpliceAuto
	}
	pipeSplice.Store(int32(m))
}

// DefaultPipeSplice reports the setting of SetDefaultPipeSplice.
func DefaultPipeSplice() PipeSplice { return PipeSplice(pipeSplice.Load()) }

// String names the setting ("auto", "always", "never").
func (m PipeSplice) String() string {
	switch m {
	case SpliceAlways:
		return "always"
	case SpliceNever:
		return "never"
	}
	return "auto"
}

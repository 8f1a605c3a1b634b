//go:build unix

package buffer

// FD is what Flush writes to: a file descriptor on Unix. It matches the root
// package's FD without importing it, so this layer stays below the kernel layer
// in the import graph's sense of "knows nothing about pollers".
type FD = int

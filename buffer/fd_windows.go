//go:build windows

package buffer

import "golang.org/x/sys/windows"

// FD is what Flush writes to: a SOCKET on Windows. It matches the root
// package's FD without importing it.
type FD = windows.Handle

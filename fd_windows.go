//go:build windows

package nodenet

import "golang.org/x/sys/windows"

// FD is the operating system's handle for a pollable object: a file descriptor
// on Unix, a SOCKET or HANDLE on Windows.
type FD = windows.Handle

// InvalidFD marks an event that must not be dispatched (Poller.Delete sets it on
// events of the current batch that belong to a descriptor just removed).
const InvalidFD FD = windows.InvalidHandle

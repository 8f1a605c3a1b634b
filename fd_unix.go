//go:build unix

package nodenet

// FD is the operating system's handle for a pollable object: a file descriptor
// on Unix, a SOCKET or HANDLE on Windows.
type FD = int

// InvalidFD marks an event that must not be dispatched (Poller.Delete sets it on
// events of the current batch that belong to a descriptor just removed).
const InvalidFD FD = -1

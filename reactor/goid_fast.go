//go:build amd64 || arm64

package reactor

// getg returns the address of the calling goroutine's runtime descriptor.
// It is unique among live goroutines, which is all InLoop needs, and reading
// it is a couple of instructions — cheap enough to run on every exported
// Socket method to decide between running inline and posting to the loop.
func getg() uintptr

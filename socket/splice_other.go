//go:build !linux

package socket

// Only Linux splices: elsewhere every pipe copies (PipeSplice).

type spliceState struct{}

func (s *Socket) spliceDst() *Socket    { return nil }
func (s *Socket) spliceIn(*Socket) bool { return false }
func (s *Socket) spliceLearn(int)       {}
func (s *Socket) splicedLen() int       { return 0 }
func (s *Socket) pumpSplice()           {}
func (s *Socket) dropSplice()           {}

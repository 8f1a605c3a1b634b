//go:build windows

package socket

import "github.com/nodenet/nodenet/internal/seam"

// layerHome is empty on Windows: the Socket's spare word holds the named
// pipe's transport (a pipe is never layered), so a layered socket keeps its
// seam.Slot in its cold part.
type layerHome struct{}

// coldPlatform holds the layer's slot on Windows.
type coldPlatform struct{ layer *seam.Slot }

func (s *Socket) lay() seam.Layer          { return s.c().plat.layer.Layer }
func (s *Socket) setLayer(slot *seam.Slot) { s.c().plat.layer = slot }

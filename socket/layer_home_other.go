//go:build !windows

package socket

import "github.com/nodenet/nodenet/internal/seam"

// layerHome holds a layered socket's seam.Slot in the Socket itself: one
// word, which keeps the struct at 128 bytes (TestSocketSize) and an idle TLS
// connection without a socketCold (TestLayerNeedsNoColdPart).
type layerHome struct{ slot *seam.Slot }

// coldPlatform is empty outside Windows.
//
//lint:ignore U1000 the Windows build uses it; elsewhere it is the empty placeholder
type coldPlatform struct{}

func (s *Socket) lay() seam.Layer          { return s.layer.slot.Layer }
func (s *Socket) setLayer(slot *seam.Slot) { s.layer.slot = slot }

package main

import (
	"math/bits"
	"sync/atomic"
)

// hist is a log-linear latency histogram (nanoseconds): 32 sub-buckets per
// power of two, so a reported percentile is within ~3% of the true value.
const subBits = 5

type hist struct {
	counts [64 << subBits]atomic.Uint64
}

func bucketOf(v uint64) int {
	if v < 1<<subBits {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1
	return (e+1)<<subBits | int(v>>uint(e))&(1<<subBits-1)
}

// bucketMid is the middle of bucket i, in the unit recorded.
func bucketMid(i int) float64 {
	if i < 1<<subBits {
		return float64(i)
	}
	e := i>>subBits - 1
	lo := uint64(1<<subBits|i&(1<<subBits-1)) << uint(e)
	return float64(lo) + float64(uint64(1)<<uint(e))/2
}

func (h *hist) add(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[bucketOf(uint64(ns))].Add(1)
}

// sparse is the JSON form: bucket index -> count.
func (h *hist) sparse() map[int]uint64 {
	m := map[int]uint64{}
	for i := range h.counts {
		if c := h.counts[i].Load(); c > 0 {
			m[i] = c
		}
	}
	return m
}

// percentiles of a sparse histogram, in microseconds.
func percentiles(m map[int]uint64, ps ...float64) []float64 {
	var total uint64
	maxIdx := 0
	for i, c := range m {
		total += c
		if i > maxIdx {
			maxIdx = i
		}
	}
	out := make([]float64, len(ps))
	if total == 0 {
		return out
	}
	for k, p := range ps {
		want := uint64(p*float64(total) + 0.5)
		if want < 1 {
			want = 1
		}
		var acc uint64
		for i := 0; i <= maxIdx; i++ {
			acc += m[i]
			if acc >= want {
				out[k] = bucketMid(i) / 1000
				break
			}
		}
	}
	return out
}

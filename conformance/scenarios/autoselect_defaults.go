package main

import (
	"time"

	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("autoselect_defaults", func() {
		ms := func(d time.Duration) int { return int(d / time.Millisecond) }
		trace("defaults", "initial", "autoSelectFamily", socket.GetDefaultAutoSelectFamily(), "attemptTimeout", ms(socket.GetDefaultAutoSelectFamilyAttemptTimeout()))
		socket.SetDefaultAutoSelectFamily(false)
		trace("defaults", "set-false", "autoSelectFamily", socket.GetDefaultAutoSelectFamily())
		socket.SetDefaultAutoSelectFamily(true)
		for _, v := range []int64{5, 250, 0, -1, 1 << 31} {
			if err := socket.SetDefaultAutoSelectFamilyAttemptTimeout(time.Duration(v) * time.Millisecond); err != nil {
				trace("defaults", "set-timeout", append(append([]any{"value", v}, errf(err)...), "now", ms(socket.GetDefaultAutoSelectFamilyAttemptTimeout()))...)
			} else {
				trace("defaults", "set-timeout", "value", v, "now", ms(socket.GetDefaultAutoSelectFamilyAttemptTimeout()))
			}
		}
	})
}

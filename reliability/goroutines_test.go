package reliability

import "runtime"

func runtimeGoroutines() int { return runtime.NumGoroutine() }

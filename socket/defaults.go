package socket

import (
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet"
)

// The process-wide defaults of Node's net.setDefaultAutoSelectFamily and
// net.setDefaultAutoSelectFamilyAttemptTimeout. Atomics: any goroutine may
// set or read them.
var (
	autoSelectFamilyOff atomic.Bool  // inverted so that the zero value is Node's default, true
	attemptTimeoutNs    atomic.Int64 // 0: DefaultAutoSelectFamilyAttemptTimeout
)

// SetDefaultAutoSelectFamily sets the process-wide default of
// ConnectOptions.AutoSelectFamily, used by every later Connect whose option
// is nil (Node's net.setDefaultAutoSelectFamily(value)). It starts true,
// Node 20's default. Safe from any goroutine; a connect already started
// keeps the value it read when Connect was called, as in Node. (Node's
// ERR_INVALID_ARG_TYPE for a non-boolean cannot happen with a typed bool.)
func SetDefaultAutoSelectFamily(on bool) { autoSelectFamilyOff.Store(!on) }

// GetDefaultAutoSelectFamily returns the process-wide default set with
// SetDefaultAutoSelectFamily (Node's net.getDefaultAutoSelectFamily()).
func GetDefaultAutoSelectFamily() bool { return !autoSelectFamilyOff.Load() }

// maxAttemptTimeout is Node's int32 bound on the attempt timeout, in ms.
const maxAttemptTimeout = math.MaxInt32 * time.Millisecond

// SetDefaultAutoSelectFamilyAttemptTimeout sets the process-wide default of
// ConnectOptions.AutoSelectFamilyAttemptTimeout, used by every later Connect
// that leaves it zero (Node's net.setDefaultAutoSelectFamilyAttemptTimeout).
// As in Node, a value below 10 ms is raised to 10 ms, and a value that is
// not positive or exceeds 2147483647 ms is ERR_OUT_OF_RANGE, leaving the
// default unchanged; so is a Duration that is not a whole number of
// milliseconds ("It must be an integer", as Node says of 1.5). It starts at
// DefaultAutoSelectFamilyAttemptTimeout (500 ms). Safe from any goroutine.
func SetDefaultAutoSelectFamilyAttemptTimeout(d time.Duration) error {
	if err := validateAttemptTimeout(d, "value"); err != nil {
		return err
	}
	attemptTimeoutNs.Store(int64(max(d, minAttemptTimeout)))
	return nil
}

// GetDefaultAutoSelectFamilyAttemptTimeout returns the process-wide default
// per-attempt timeout (Node's net.getDefaultAutoSelectFamilyAttemptTimeout()):
// DefaultAutoSelectFamilyAttemptTimeout until
// SetDefaultAutoSelectFamilyAttemptTimeout changes it.
func GetDefaultAutoSelectFamilyAttemptTimeout() time.Duration {
	if d := time.Duration(attemptTimeoutNs.Load()); d > 0 {
		return d
	}
	return DefaultAutoSelectFamilyAttemptTimeout
}

// minAttemptTimeout is Node's floor on the per-attempt timeout.
const minAttemptTimeout = 10 * time.Millisecond

// validateAttemptTimeout is Node's validateInt32(value, name, 1) on a
// Duration: ERR_OUT_OF_RANGE with Node's message, the value in ms.
//
// Node checks that the number is an integer first, so a Duration that is
// not a whole number of milliseconds is refused with "It must be an
// integer".
func validateAttemptTimeout(d time.Duration, name string) error {
	if d%time.Millisecond != 0 {
		return nodenet.NewError(nodenet.CodeOutOfRange, `The value of "`+name+`" is out of range. It must be an integer. Received `+jsMillis(d))
	}
	if d >= time.Millisecond && d <= maxAttemptTimeout {
		return nil
	}
	return nodenet.NewError(nodenet.CodeOutOfRange, `The value of "`+name+`" is out of range. It must be >= 1 && <= 2147483647. Received `+jsMillis(d))
}

// jsMillis prints d as the number of milliseconds a Node program would have
// passed, the way JavaScript prints that number: "-1" for -1 ms, "1.5" for
// 1500 µs, "-0.000001" for -1 ns.
func jsMillis(d time.Duration) string {
	if d%time.Millisecond == 0 {
		return strconv.FormatInt(d.Milliseconds(), 10)
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

// applyDefaults fills the options left unset with the process-wide
// defaults, when Connect is called (Node reads them in connect()).
func (o *ConnectOptions) applyDefaults() {
	if o.AutoSelectFamily == nil {
		on := GetDefaultAutoSelectFamily()
		o.AutoSelectFamily = &on
	}
	if o.AutoSelectFamilyAttemptTimeout == 0 {
		o.AutoSelectFamilyAttemptTimeout = GetDefaultAutoSelectFamilyAttemptTimeout()
	}
}

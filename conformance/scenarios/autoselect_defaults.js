'use strict';
// The process-wide autoSelectFamily defaults: their initial values, a
// change, the clamp to 10 ms and the range errors.
const net = require('net');
const { trace, errf } = require('./trace');

trace('defaults', 'initial', { autoSelectFamily: net.getDefaultAutoSelectFamily(), attemptTimeout: net.getDefaultAutoSelectFamilyAttemptTimeout() });
net.setDefaultAutoSelectFamily(false);
trace('defaults', 'set-false', { autoSelectFamily: net.getDefaultAutoSelectFamily() });
net.setDefaultAutoSelectFamily(true);
for (const v of [5, 250, 0, -1, 2 ** 31]) {
  try {
    net.setDefaultAutoSelectFamilyAttemptTimeout(v);
    trace('defaults', 'set-timeout', { value: v, now: net.getDefaultAutoSelectFamilyAttemptTimeout() });
  } catch (e) {
    trace('defaults', 'set-timeout', { value: v, ...errf(e), now: net.getDefaultAutoSelectFamilyAttemptTimeout() });
  }
}

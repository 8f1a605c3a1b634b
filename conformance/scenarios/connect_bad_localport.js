'use strict';
// A localPort outside 0-65535: Node does not check it and reports the
// truncated bind failure asynchronously ("bind EADDRINUSE 0.0.0.0:70000",
// close(true)); nodenet refuses it at the call (deliberate).
const net = require('net');
const { trace, errf, watch } = require('./trace');

try {
  const s = net.connect({ port: 9, host: '127.0.0.1', localPort: 70000 });
  trace('client', 'connect-called');
  watch('client', s);
} catch (e) {
  trace('client', 'threw', errf(e));
}

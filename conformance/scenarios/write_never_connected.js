'use strict';
// Issue 11 item 9: write() on a socket that was never connected returns
// false, calls back and emits 'error' ERR_SOCKET_CLOSED, then 'close'.
const net = require('net');
const { trace, errf, watch, state } = require('./trace');

const s = new net.Socket();
watch('client', s);
state('client', s, 'new');
const ok = s.write('x', (e) => trace('client', 'write-cb', errf(e)));
trace('client', 'write', { returned: ok });
state('client', s, 'after-write');

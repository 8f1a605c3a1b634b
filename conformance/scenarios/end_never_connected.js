'use strict';
// Issue 11 item 9: end() on a socket that was never connected does nothing
// until a connect: no 'finish', no 'close'; the process exits.
const net = require('net');
const { trace, errf, watch, state } = require('./trace');

const s = new net.Socket();
watch('client', s);
s.end((e) => trace('client', 'end-cb', errf(e)));
state('client', s, 'after-end');

'use strict';
// Issue 11 item 11: a socket destroyed while its lookup is pending: the
// process waits for the lookup's answer (it holds the loop), then exits;
// no 'lookup' or 'connect' follows.
const net = require('net');
const { trace, watch } = require('./trace');

function lookup(host, opts, cb) {
  setTimeout(() => {
    trace('resolver', 'answer', { host });
    if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]); else cb(null, '127.0.0.1', 4);
  }, 200);
}
const s = net.connect({ port: 9, host: 'slow.example', lookup });
watch('client', s);
s.destroy();

'use strict';
// Issue 11 item 1: a lookup that fails (the custom lookup answers ENOTFOUND,
// as the system resolver would for an unknown name): 'lookup' with the error,
// 'error', then close(true).
const net = require('net');
const { trace, watch, state } = require('./trace');

function lookup(host, opts, cb) {
  const e = new Error('getaddrinfo ENOTFOUND ' + host);
  e.code = 'ENOTFOUND';
  e.syscall = 'getaddrinfo';
  e.hostname = host;
  process.nextTick(() => cb(e));
}
const s = net.connect({ port: 80, host: 'no.such.host.invalid', lookup });
watch('client', s);
state('client', s, 'connecting');
s.on('close', () => state('client', s, 'close'));

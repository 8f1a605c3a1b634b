'use strict';
// A socket's idle timer never holds the process: an unrefed connection with
// a 5 s timeout lets the process exit at once.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => { c.unref(); c.resume(); });
listen(srv, (port) => {
  srv.unref();
  const s = net.connect(port, '127.0.0.1', () => {
    s.setTimeout(5000, () => trace('client', 'timeout'));
    s.unref();
    trace('client', 'connect');
  });
  s.resume();
});

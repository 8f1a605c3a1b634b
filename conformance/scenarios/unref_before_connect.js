'use strict';
// Issue 11 item 11: unref() before connect applies at connect: the process
// exits without waiting for the connection (nothing else holds it).
const net = require('net');
const { trace, watch, listen } = require('./trace');

const srv = net.createServer((c) => {
  trace('server', 'connection');
  c.unref();
  c.resume();
});
listen(srv, (port) => {
  srv.unref();
  const s = new net.Socket();
  s.unref();
  watch('client', s);
  s.connect(port, '127.0.0.1');
});

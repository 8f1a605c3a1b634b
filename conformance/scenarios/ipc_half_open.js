'use strict';
// Half-open over a Unix socket: the client ends, the allowHalfOpen server
// still writes, then ends; bytes counted both ways.
const net = require('net');
const { trace, watch } = require('./trace');

const srv = net.createServer({ allowHalfOpen: true }, (c) => {
  watch('server', c);
  c.on('end', () => c.end('reply after your end'));
  c.on('close', () => srv.close());
});
srv.listen('h.sock', () => {
  const s = net.connect('h.sock', () => s.end('request'));
  watch('client', s);
});

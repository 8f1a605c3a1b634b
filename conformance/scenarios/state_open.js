'use strict';
// The methods called on an open connection (inside 'connect').
const net = require('net');
const { trace, watch, state, probe, listen } = require('./trace');

const srv = net.createServer((c) => { c.on('data', () => c.end('bye')); c.on('close', () => srv.close()); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    state('client', s, 'open');
    probe('client', s, 'open');
    state('client', s, 'probed');
    s.write('x');
  });
  watch('client', s);
});

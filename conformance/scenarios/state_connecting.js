'use strict';
// The methods called while connecting (right after connect()), then the
// connection's events: what was remembered and applied at connect.
const net = require('net');
const { trace, watch, state, probe, listen } = require('./trace');

const srv = net.createServer((c) => { c.end('hello'); c.on('close', () => srv.close()); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  watch('client', s);
  state('client', s, 'connecting');
  probe('client', s, 'connecting');
  state('client', s, 'probed');
});

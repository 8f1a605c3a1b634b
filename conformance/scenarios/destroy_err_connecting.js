'use strict';
// Issue 11 item 1: destroy(err) while connecting: error(err) then close(true),
// and no 'connect'.
const net = require('net');
const { trace, watch, state, listen } = require('./trace');

const srv = net.createServer();
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  watch('client', s);
  s.destroy(new Error('boom'));
  state('client', s, 'destroyed');
  srv.close(() => trace('server', 'closed'));
});

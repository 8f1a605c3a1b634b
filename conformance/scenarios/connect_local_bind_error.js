'use strict';
// Issue 11 item 1: a bind failure of localAddress/localPort before the
// connect (the local port is a listening server's): error then close(true).
const net = require('net');
const { trace, watch, listen } = require('./trace');

const srv = net.createServer();
listen(srv, (port) => {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: port });
  watch('client', s);
  s.on('close', () => srv.close(() => trace('server', 'closed')));
});

'use strict';
// localAddress: the client binds 127.0.0.2 before connecting; both ends see
// it as the address.
const net = require('net');
const { trace, sub, listen } = require('./trace');

const srv = net.createServer((c) => {
  sub(c.remotePort, 'CPORT');
  trace('server', 'connection', { remoteAddress: c.remoteAddress, remotePort: c.remotePort });
  c.end();
});
listen(srv, (port) => {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' }, () => {
    sub(s.localPort, 'CPORT');
    trace('client', 'connect', { localAddress: s.localAddress, localPort: s.localPort });
  });
  s.resume();
  s.on('close', () => srv.close());
});

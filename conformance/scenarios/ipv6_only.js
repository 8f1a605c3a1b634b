'use strict';
// ipv6Only: a server on :: with ipv6Only refuses IPv4 clients
// (ECONNREFUSED on 127.0.0.1) and accepts ::1.
const net = require('net');
const { trace, sub, errf } = require('./trace');

const srv = net.createServer((c) => c.end('v6'));
srv.listen({ port: 0, host: '::', ipv6Only: true }, () => {
  const port = sub(srv.address().port, 'PORT');
  trace('server', 'listening', { address: JSON.stringify(srv.address()) });
  const v4 = net.connect(port, '127.0.0.1');
  v4.on('error', (e) => trace('v4', 'error', errf(e)));
  v4.on('close', () => {
    const v6 = net.connect(port, '::1');
    v6.on('data', (d) => trace('v6', 'data', { text: d.toString() }));
    v6.on('close', () => srv.close());
  });
});

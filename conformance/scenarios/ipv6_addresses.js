'use strict';
// IPv6 loopback: a server on ::1, the address properties of both ends; a
// dual-stack server (listen() on every address) sees an IPv4 client as
// ::ffff:127.0.0.1.
const net = require('net');
const { trace, sub } = require('./trace');

function addrs(side, s) {
  trace(side, 'addresses', {
    remoteAddress: s.remoteAddress, remoteFamily: s.remoteFamily, localAddress: s.localAddress, localFamily: s.localFamily,
    address: JSON.stringify(s.address()),
  });
}
const v6 = net.createServer((c) => { sub(c.remotePort, 'C6PORT'); addrs('v6-server', c); c.end(); });
v6.listen(0, '::1', () => {
  sub(v6.address().port, 'PORT6');
  const s = net.connect(v6.address().port, '::1', () => { sub(s.localPort, 'C6PORT'); addrs('v6-client', s); });
  s.resume();
  s.on('close', () => v6.close());
});
const dual = net.createServer((c) => { sub(c.remotePort, 'C4PORT'); addrs('dual-server', c); c.end(); });
dual.listen(0, () => {
  sub(dual.address().port, 'DUALPORT');
  trace('dual-server', 'listening', { address: JSON.stringify(dual.address()) });
  const s = net.connect(dual.address().port, '127.0.0.1', () => { sub(s.localPort, 'C4PORT'); addrs('dual-client', s); });
  s.resume();
  s.on('close', () => dual.close());
});

'use strict';
// Issue 11 item 3: the address properties of both ends of a Unix socket
// connection: Node has undefined for every one of them, {} for address().
const net = require('net');
const { trace } = require('./trace');

function addrs(side, s, at) {
  trace(side, 'addresses', {
    at, remoteAddress: s.remoteAddress, remoteFamily: s.remoteFamily, remotePort: s.remotePort,
    localAddress: s.localAddress, localFamily: s.localFamily, localPort: s.localPort,
    address: JSON.stringify(s.address()),
  });
}
const srv = net.createServer((c) => {
  addrs('server', c, 'connection');
  c.on('close', () => { addrs('server', c, 'close'); srv.close(); });
  c.resume();
});
srv.listen('s.sock', () => {
  trace('server', 'listening', { address: srv.address() });
  const s = net.connect('s.sock', () => {
    addrs('client', s, 'connect');
    s.end();
  });
  s.on('close', () => addrs('client', s, 'close'));
});

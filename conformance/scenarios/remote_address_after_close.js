'use strict';
// Issue 11 item 3: a socket whose remote address was never read while it was
// open has none after close (Node: undefined); one read while open keeps it.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => {
  c.resume();
  c.on('end', () => c.end());
});
listen(srv, (port) => {
  const unread = net.connect(port, '127.0.0.1', () => unread.end());
  unread.on('close', () => {
    trace('client', 'unread-close', { remoteAddress: unread.remoteAddress, remotePort: unread.remotePort, remoteFamily: unread.remoteFamily });
    const read = net.connect(port, '127.0.0.1', () => {
      trace('client', 'read-open', { remoteAddress: read.remoteAddress, remotePort: read.remotePort, remoteFamily: read.remoteFamily });
      read.end();
    });
    read.on('close', () => {
      trace('client', 'read-close', { remoteAddress: read.remoteAddress, remotePort: read.remotePort, remoteFamily: read.remoteFamily });
      srv.close();
    });
  });
});

'use strict';
// listen(handle) with another server as the handle: the second server
// takes over the listening socket, accepts on it, and address() reports the
// same port.
const net = require('net');
const { trace, sub, errf } = require('./trace');

const a = net.createServer(() => trace('a', 'connection'));
a.listen(0, '127.0.0.1', () => {
  const port = sub(a.address().port, 'PORT');
  const b = net.createServer((c) => { trace('b', 'connection'); c.end('from b'); });
  b.on('error', (e) => trace('b', 'error', errf(e)));
  b.listen(a, () => {
    trace('b', 'listening', { address: JSON.stringify(b.address()) });
    const s = net.connect(port, '127.0.0.1');
    s.on('data', (d) => trace('client', 'data', { text: d.toString() }));
    s.on('close', () => { b.close(); a.close(); });
  });
});

'use strict';
// An open, reading socket holds the process; unref() on both ends of an idle
// connection lets it exit; a ref() again holds it until the peer ends.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => {
  trace('server', 'connection');
  c.resume();
  c.unref();
  srv.unref();
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    trace('client', 'connect');
    s.unref();
    s.ref();
    s.unref();
  });
  s.resume();
  s.on('close', () => trace('client', 'close'));
});

const held = net.createServer((c) => {
  c.resume();
  c.unref(); // only the client's ref() holds the process
  setTimeout(() => c.end('bye'), 50).unref();
});
held.listen(0, '127.0.0.1', () => {
  const s = net.connect(held.address().port, '127.0.0.1', () => {
    s.unref();
    s.ref();
    held.close();
  });
  s.on('data', (d) => trace('held', 'data', { text: d.toString() }));
  s.on('close', () => trace('held', 'close'));
});

'use strict';
// maxConnections: a connection beyond the limit is closed at once and the
// server emits 'drop' with its addresses; the refused client sees its
// connection closed. maxConnections 0 refuses everything.
const net = require('net');
const { trace, sub, errf, listen } = require('./trace');

const srv = net.createServer((c) => {
  trace('server', 'connection');
  c.resume();
  srv.held = c;
});
srv.maxConnections = 1;
trace('server', 'max', { maxConnections: srv.maxConnections });
srv.on('drop', (d) => {
  sub(d.remotePort, 'DROPPED_PORT');
  trace('server', 'drop', { ...d });
  srv.held.end();
});
listen(srv, (port) => {
  const a = net.connect(port, '127.0.0.1', () => {
    trace('first', 'connect');
    const b = net.connect(port, '127.0.0.1', () => {
      sub(b.localPort, 'DROPPED_PORT');
      trace('second', 'connect');
    });
    b.on('error', (e) => trace('second', 'error', { code: e.code }));
    b.on('close', (h) => { trace('second', 'close'); srv.close(); });
    b.resume();
  });
  a.resume();
  a.on('close', () => trace('first', 'close'));
});

const zero = net.createServer(() => trace('zero', 'connection'));
zero.maxConnections = 0;
zero.on('drop', () => trace('zero', 'drop'));
zero.listen(0, '127.0.0.1', () => {
  const s = net.connect(zero.address().port, '127.0.0.1');
  s.on('error', (e) => trace('zero-client', 'error', { code: e.code }));
  s.on('close', () => { trace('zero-client', 'close'); zero.close(); });
  s.resume();
});

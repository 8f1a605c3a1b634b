'use strict';
// The peer's bare FIN while paused (after reading began): Node's pause()
// leaves the handle reading, so 'end' (then 'close') still comes.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => {
  c.write('x');
  c.once('data', () => c.end());
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('data', () => {
    s.pause();
    trace('client', 'paused', { isPaused: s.isPaused() });
    s.write('fin please');
  });
  s.on('end', () => trace('client', 'end', { isPaused: s.isPaused() }));
  s.on('close', () => { trace('client', 'close'); srv.close(); });
});

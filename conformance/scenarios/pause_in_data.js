'use strict';
// pause() inside 'data': what the peer sends next waits (no 'data', no
// 'end' while paused) until resume().
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => {
  c.write('first');
  c.once('data', () => c.end('second'));
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  s.on('data', (d) => {
    trace('client', 'data', { text: d.toString(), isPaused: s.isPaused() });
    if (d.toString() === 'first') {
      s.pause();
      s.write('go', () => setTimeout(() => {
        trace('client', 'resuming', { readableEnded: s.readableEnded });
        s.resume();
      }, 50));
    }
  });
  s.on('end', () => trace('client', 'end'));
  s.on('close', () => { trace('client', 'close'); srv.close(); });
});

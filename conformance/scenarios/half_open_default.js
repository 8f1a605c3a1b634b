'use strict';
// Without allowHalfOpen the socket that gets 'end' ends itself: 'finish'
// then close; its state as it goes (readyState writeOnly / readOnly).
const net = require('net');
const { trace, watch, state, listen } = require('./trace');

const srv = net.createServer((c) => {
  watch('server', c);
  c.on('end', () => state('server', c, 'end'));
  c.on('finish', () => state('server', c, 'finish'));
  c.on('close', () => { state('server', c, 'close'); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.end();
    state('client', s, 'after-end');
  });
  watch('client', s);
  s.on('finish', () => state('client', s, 'finish'));
  s.on('end', () => state('client', s, 'end'));
});

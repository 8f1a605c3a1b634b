'use strict';
// allowHalfOpen: the server's socket gets 'end' and stays writable; it
// writes after the client's FIN and ends later; the client, ended already,
// still receives that data and then closes.
const net = require('net');
const { trace, watch, state, listen } = require('./trace');

const srv = net.createServer({ allowHalfOpen: true }, (c) => {
  watch('server', c);
  c.on('end', () => {
    state('server', c, 'end');
    c.write('late reply', () => {
      state('server', c, 'wrote-after-end');
      c.end();
    });
  });
  c.on('close', () => { state('server', c, 'close'); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => s.end('request'));
  watch('client', s);
  s.on('finish', () => state('client', s, 'finish'));
  s.on('close', () => state('client', s, 'close'));
});

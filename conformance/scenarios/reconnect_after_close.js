'use strict';
// A socket connects again after it closed: counters and addresses are the
// new connection's, the events come again.
const net = require('net');
const { trace, sub, watch, state, listen } = require('./trace');

const srv = net.createServer((c) => { c.on('data', (d) => c.end(d)); });
listen(srv, (port) => {
  const s = new net.Socket();
  watch('client', s);
  let round = 0;
  s.on('connect', () => { sub(s.localPort, 'CPORT' + round); s.write('round ' + round); });
  s.on('close', () => {
    state('client', s, 'closed-' + round);
    if (++round < 2) s.connect(port, '127.0.0.1');
    else srv.close();
  });
  s.connect(port, '127.0.0.1');
});

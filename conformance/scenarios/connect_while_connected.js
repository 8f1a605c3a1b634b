'use strict';
// connect() on a socket that is connecting or connected: what Node does
// with the second call.
const net = require('net');
const { trace, sub, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('end', () => c.end()); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', (e) => { const m = /:(\d+)\)$/.exec(e.message); if (m) sub(Number(m[1]), 'LPORT'); });
  watch('connecting', s);
  try {
    s.connect(port, '127.0.0.1');
    trace('connecting', 'second-connect', { threw: false });
  } catch (e) {
    trace('connecting', 'second-connect', errf(e));
  }
  s.on('close', () => {
    const t = net.connect(port, '127.0.0.1', () => {
      try {
        t.connect(port, '127.0.0.1');
        trace('open', 'second-connect', { threw: false });
      } catch (e) {
        trace('open', 'second-connect', errf(e));
      }
      t.end();
    });
    watch('open', t);
    t.on('close', () => setTimeout(() => srv.close(), 50));
  });
  s.on('connect', () => s.end());
});

'use strict';
// Issue 11 item 2: while a live connection from LPORT holds the 4-tuple, a
// second connect from LPORT to the same server fails: EADDRNOTAVAIL, with the
// local details in the message.
const net = require('net');
const { trace, sub, watch, listen } = require('./trace');

const conns = [];
const srv = net.createServer((c) => conns.push(c));
listen(srv, (port) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const lport = sub(probe.address().port, 'LPORT');
    probe.close(() => {
      const opts = { port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: lport };
      const a = net.connect(opts, () => {
        trace('first', 'connected', { localPort: a.localPort });
        const b = net.connect(opts);
        watch('client', b);
        b.on('close', () => {
          a.destroy();
          for (const c of conns) c.destroy();
          srv.close();
        });
      });
      a.on('error', (e) => trace('first', 'error', { code: e.code }));
    });
  });
});

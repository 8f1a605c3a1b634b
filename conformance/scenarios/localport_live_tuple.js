'use strict';
// Issue 11 item 2: while a live connection from LPORT holds the 4-tuple, a
// second connect from LPORT to the same server fails: EADDRNOTAVAIL, with the
// local details in the message. The first connection binds 127.0.0.1 and
// the kernel picks LPORT (with SO_REUSEADDR, as every localAddress bind),
// so the port is held from the start and cannot be given to anyone else.
const net = require('net');
const { trace, sub, watch, listen } = require('./trace');

const conns = [];
const srv = net.createServer((c) => conns.push(c));
listen(srv, (port) => {
  const a = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' }, () => {
    const lport = sub(a.localPort, 'LPORT');
    trace('first', 'connected', { localPort: lport });
    const b = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: lport });
    watch('client', b);
    b.on('close', () => {
      a.destroy();
      for (const c of conns) c.destroy();
      srv.close();
    });
  });
  a.on('error', (e) => trace('first', 'error', { code: e.code }));
});

'use strict';
// Issue 11 item 2: localPort binding sets SO_REUSEADDR (libuv does): a
// connection from local port LPORT closes (our side first, so the port is in
// TIME_WAIT) and a second connect from LPORT succeeds.
const net = require('net');
const { trace, sub, watch, listen } = require('./trace');

const srv = net.createServer((c) => { c.on('end', () => c.end()); c.resume(); });
listen(srv, (port) => {
  // A port nobody uses: one a throwaway server got from the kernel.
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const lport = sub(probe.address().port, 'LPORT');
    probe.close(() => {
      const opts = { port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: lport };
      const a = net.connect(opts, () => {
        trace('first', 'connected', { localPort: a.localPort });
        a.end();
      });
      watch('first', a, { data: false });
      a.on('close', () => {
        const b = net.connect(opts, () => {
          trace('client', 'second-connected', { localPort: b.localPort });
          b.end();
        });
        watch('client', b, { data: false });
        b.on('close', () => srv.close());
      });
    });
  });
});

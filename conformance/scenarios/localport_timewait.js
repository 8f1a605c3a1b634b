'use strict';
// Issue 11 item 2: localPort binding sets SO_REUSEADDR (libuv does): a
// connection bound to 127.0.0.1 (the kernel picks its port, LPORT) closes,
// our side first, so LPORT is in TIME_WAIT; a second connect from LPORT
// succeeds. The first connection holds LPORT from its bind on (then its
// TIME_WAIT does), so no other process can be given it meanwhile.
const net = require('net');
const { trace, sub, watch, listen } = require('./trace');

const srv = net.createServer((c) => { c.on('end', () => c.end()); c.resume(); });
listen(srv, (port) => {
  let lport;
  const a = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' }, () => {
    lport = sub(a.localPort, 'LPORT');
    trace('first', 'connected', { localPort: lport });
    a.end();
  });
  watch('first', a, { data: false });
  a.on('close', () => {
    const b = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: lport }, () => {
      trace('client', 'second-connected', { localPort: b.localPort });
      b.end();
    });
    watch('client', b, { data: false });
    b.on('close', () => srv.close());
  });
});

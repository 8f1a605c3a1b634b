'use strict';
// destroySoon(): with bytes queued it ends and destroys once they are
// written ('finish' then 'close'); the peer receives everything.
const net = require('net');
const { trace, watch, listen } = require('./trace');

const srv = net.createServer((c) => {
  let n = 0;
  c.on('data', (d) => { n += d.length; });
  c.on('end', () => { trace('server', 'end', { bytes: n }); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.write(Buffer.alloc(1 << 20));
    s.destroySoon();
    trace('client', 'destroy-soon', { destroyed: s.destroyed, writable: s.writable });
  });
  watch('client', s, { data: false });
});

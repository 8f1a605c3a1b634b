'use strict';
// Writing from the 'end' listener of a socket that is not half-open: the
// write is still allowed (the automatic end comes after the listeners), and
// after 'finish' a write fails.
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => {
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('end', () => { trace('server', 'got', { text: got }); });
  c.end('bye');
  c.on('close', () => srv.close());
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  watch('client', s);
  s.on('end', () => {
    trace('client', 'in-end', { writable: s.writable });
    const ok = s.write('x', (e) => trace('client', 'write-cb', errf(e)));
    trace('client', 'write', { returned: ok });
  });
  s.on('finish', () => {
    const ok = s.write('y', (e) => trace('client', 'write-after-finish-cb', errf(e)));
    trace('client', 'write-after-finish', { returned: ok });
  });
});

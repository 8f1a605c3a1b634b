'use strict';
// write() after end(): the callback and 'error' get
// ERR_STREAM_WRITE_AFTER_END, then close(true).
const net = require('net');
const { trace, errf, watch, state, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('close', () => srv.close()); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.end();
    const ok = s.write('x', (e) => trace('client', 'write-cb', errf(e)));
    trace('client', 'write', { returned: ok });
    state('client', s, 'after-write');
  });
  watch('client', s);
});

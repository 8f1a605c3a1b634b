'use strict';
// Issue 11 item 5: end(cb) on a socket that errored and was destroyed: cb
// gets ERR_STREAM_DESTROYED.
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => c.on('close', () => srv.close()));
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.destroy(new Error('boom'));
    s.end((e) => trace('client', 'end-cb', errf(e)));
    s.end(Buffer.from('x'), (e) => trace('client', 'end-data-cb', errf(e)));
  });
  watch('client', s);
});

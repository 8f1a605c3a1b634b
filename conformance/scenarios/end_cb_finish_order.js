'use strict';
// Issue 11 item 6: the order of end()'s callback and 'finish' (Node 20 ran
// the callback first).
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('close', () => srv.close()); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.end(Buffer.from('bye'), (e) => trace('client', 'end-cb', errf(e)));
  });
  watch('client', s);
});

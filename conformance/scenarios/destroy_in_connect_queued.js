'use strict';
// Issue 11 item 8: destroy() inside 'connect' while writes queued before the
// connection are pending: their callbacks get ERR_SOCKET_CLOSED and
// bytesWritten stays 0.
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('close', () => srv.close()); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    trace('client', 'user-connect', { bytesWritten: s.bytesWritten });
    s.destroy();
    trace('client', 'destroyed', { bytesWritten: s.bytesWritten });
  });
  watch('client', s, { data: false });
  s.write('hello world', (e) => trace('client', 'write-cb', errf(e)));
});

'use strict';
// Issue 11 item 8: writes queued before the connection: Node flushes them
// from its own connect handler, registered before the user's, so their
// callbacks and 'drain' come before the user's 'connect' listener.
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => {
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('end', () => { trace('server', 'got', { text: got }); c.end(); });
  c.on('close', () => srv.close());
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  watch('client', s, { data: false });
  s.on('connect', () => trace('client', 'user-connect', { bufferSize: s.bufferSize, bytesWritten: s.bytesWritten }));
  const r1 = s.write('hello ', (e) => trace('client', 'write-cb-1', errf(e)));
  const r2 = s.write('world', (e) => trace('client', 'write-cb-2', errf(e)));
  trace('client', 'queued', { r1, r2, bufferSize: s.bufferSize, writableLength: s.writableLength, bytesWritten: s.bytesWritten });
  s.end();
});

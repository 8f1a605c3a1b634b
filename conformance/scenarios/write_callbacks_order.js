'use strict';
// Several writes with callbacks then end(data, cb): callbacks in order,
// bytesWritten counting bytes as they are handed over (queued included),
// 'finish' and the end callback.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const srv = net.createServer((c) => {
  let got = '';
  c.setEncoding('utf8');
  c.on('data', (d) => { got += d; });
  c.on('end', () => { trace('server', 'got', { got }); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  const cb = (name) => (e) => trace('client', name, { ...errf(e), bytesWritten: s.bytesWritten });
  s.write('one,', cb('cb-1'));
  trace('client', 'wrote-1', { bytesWritten: s.bytesWritten });
  s.on('connect', () => {
    s.write('two,', cb('cb-2'));
    s.write('\u00e9,', cb('cb-3'));
    trace('client', 'wrote-3', { bytesWritten: s.bytesWritten });
    s.end('end', cb('end-cb'));
    trace('client', 'ended', { bytesWritten: s.bytesWritten });
  });
  s.on('finish', () => trace('client', 'finish', { bytesWritten: s.bytesWritten }));
});

'use strict';
// cork() holds writes until uncork() (calls nest); writableCorked counts
// the levels; what is written while corked reaches the peer.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const srv = net.createServer((c) => {
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('end', () => { trace('server', 'got', { got }); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.cork();
    s.cork();
    trace('client', 'corked', { writableCorked: s.writableCorked });
    s.write('a', (e) => trace('client', 'cb-a', errf(e)));
    s.write('b', (e) => trace('client', 'cb-b', errf(e)));
    trace('client', 'queued', { bufferSize: s.bufferSize, writableLength: s.writableLength });
    s.uncork();
    trace('client', 'uncork-1', { writableCorked: s.writableCorked, bufferSize: s.bufferSize });
    s.uncork();
    trace('client', 'uncork-2', { writableCorked: s.writableCorked });
    s.uncork();
    trace('client', 'uncork-extra', { writableCorked: s.writableCorked });
    s.end('c');
  });
});

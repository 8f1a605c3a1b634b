'use strict';
// allowHalfOpen: the methods called after the peer's FIN ('end' emitted,
// our side still writable), then a write and end.
const net = require('net');
const { trace, errf, watch, state, probe, listen } = require('./trace');

const srv = net.createServer((c) => {
  c.end();
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('end', () => trace('server', 'got', { got }));
  c.on('close', () => srv.close());
});
listen(srv, (port) => {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  watch('client', s);
  s.on('end', () => {
    state('client', s, 'end');
    probe('client', s, 'end');
    state('client', s, 'probed');
    s.write('after-fin', (e) => trace('client', 'write-cb', errf(e)));
    s.end((e) => trace('client', 'end-cb', errf(e)));
  });
});

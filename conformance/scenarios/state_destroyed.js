'use strict';
// The methods called on a destroyed connection (destroyed inside
// 'connect'): nothing throws, writes and ends report the destroy.
const net = require('net');
const { trace, errf, watch, state, probe, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('close', () => srv.close()); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.destroy();
    state('client', s, 'destroyed');
    probe('client', s, 'destroyed');
    state('client', s, 'probed');
    const ok = s.write('x', (e) => trace('client', 'write-cb', errf(e)));
    trace('client', 'write', { returned: ok });
    s.end((e) => trace('client', 'end-cb', errf(e)));
    s.destroy();
    trace('client', 'destroyed-again', { destroyed: s.destroyed });
  });
  watch('client', s);
});

'use strict';
// The methods called after our end() finished ('finish': FIN sent) while
// the peer still sends, then reading the rest.
const net = require('net');
const { trace, errf, watch, state, probe, listen } = require('./trace');

const srv = net.createServer({ allowHalfOpen: true }, (c) => {
  c.resume();
  c.on('end', () => setImmediate(() => c.end('still talking')));
  c.on('close', () => srv.close());
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => s.end());
  watch('client', s);
  s.on('finish', () => {
    state('client', s, 'finish');
    probe('client', s, 'finish');
    state('client', s, 'probed');
    const ok = s.write('x', (e) => trace('client', 'write-cb', errf(e)));
    trace('client', 'write', { returned: ok });
  });
});

'use strict';
// reusePort: two servers listen on the same port at once (SO_REUSEPORT);
// without it the second gets EADDRINUSE.
const net = require('net');
const { trace, sub, errf } = require('./trace');

const a = net.createServer((c) => c.end('a'));
a.listen({ port: 0, host: '127.0.0.1', reusePort: true }, () => {
  const port = sub(a.address().port, 'PORT');
  trace('reuse', 'first', { port: a.address().port });
  const b = net.createServer((c) => c.end('b'));
  b.on('error', (e) => trace('reuse', 'second-error', errf(e)));
  b.listen({ port, host: '127.0.0.1', reusePort: true }, () => {
    trace('reuse', 'second', { port: b.address().port });
    const c = net.createServer();
    c.on('error', (e) => {
      trace('plain', 'error', errf(e));
      a.close();
      b.close();
    });
    c.listen({ port, host: '127.0.0.1' });
  });
});

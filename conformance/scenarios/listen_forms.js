'use strict';
// The listen forms: (port, host, cb), ({port, host}), (path), ({path}),
// ({port, host, backlog, exclusive}), () on every address; address() and
// listening for each, then close.
const net = require('net');
const { trace, sub, errf } = require('./trace');

function show(side, srv) {
  const a = srv.address();
  if (typeof a === 'object' && a !== null && a.port) sub(a.port, side.toUpperCase() + '_PORT');
  trace(side, 'listening', { address: typeof a === 'string' ? a : JSON.stringify(a), listening: srv.listening });
  srv.close((e) => trace(side, 'closed', { ...errf(e), address: srv.address(), listening: srv.listening }));
}
const forms = [
  ['positional', (s, cb) => s.listen(0, '127.0.0.1', cb)],
  ['options', (s, cb) => s.listen({ port: 0, host: '127.0.0.1' }, cb)],
  ['backlog', (s, cb) => s.listen({ port: 0, host: '127.0.0.1', backlog: 5, exclusive: true }, cb)],
  ['path', (s, cb) => s.listen('a.sock', cb)],
  ['path-options', (s, cb) => s.listen({ path: 'b.sock' }, cb)],
  ['any-address', (s, cb) => s.listen(cb)],
  ['ipv6', (s, cb) => s.listen(0, '::1', cb)],
];
for (const [side, fn] of forms) {
  const srv = net.createServer();
  trace(side, 'before', { address: srv.address(), listening: srv.listening });
  srv.on('error', (e) => trace(side, 'error', errf(e)));
  fn(srv, () => show(side, srv));
}

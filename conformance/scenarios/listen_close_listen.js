'use strict';
// listen(), close(cb) and listen() again in the same tick. close() ends the
// first listen inside the call, so the second binds at once, on the same
// port too. Each listen() queues a tick that emits 'listening' if the
// server has a handle by then, whichever listen made it: the first one's
// finds the second bound, so 'listening' (and both callbacks, once
// listeners) comes before the close()'s 'close', whose callback gets no
// error (the server was listening when close() was called); the second's
// emits 'listening' again. Three servers: the same port again (same), port
// 0 twice (any), a host twice (host: the lookups make close() find nothing
// bound, so its callback gets ERR_SERVER_NOT_RUNNING and 'close' comes
// first). Ports print as P1, P2 in the order they appear on each side.
const net = require('net');
const { trace, errf } = require('./trace');

// addr is srv.address() with its port named in order of appearance.
function addr(srv, names) {
  const a = srv.address();
  if (!a) return null;
  if (!names.has(a.port)) names.set(a.port, 'P' + (names.size + 1));
  return a.address + ' ' + names.get(a.port);
}

function run(side, first, second) {
  const srv = net.createServer();
  const names = new Map();
  const at = (what) => trace(side, what, { address: addr(srv, names), listening: srv.listening });
  srv.on('listening', () => at('listening'));
  srv.on('close', () => at('close-event'));
  srv.on('error', (e) => trace(side, 'error', errf(e)));
  let n = 0;
  // Closed once close-cb-1 and listen-cb-2 ran, on an immediate: after
  // the ticks queued by the calls.
  const end = () => {
    if (++n === 2) setImmediate(() => srv.close((e) => trace(side, 'close-cb-2', errf(e))));
  };
  first(srv, () => at('listen-cb-1'));
  at('listen-1-called');
  const bound = srv.address() && srv.address().port;
  srv.close((e) => { trace(side, 'close-cb-1', { ...errf(e), address: addr(srv, names), listening: srv.listening }); end(); });
  at('close-called');
  second(srv, () => { at('listen-cb-2'); end(); }, bound);
  at('listen-2-called');
}

run('same', (srv, cb) => srv.listen(0, cb), (srv, cb, p) => srv.listen(p, cb));
run('any', (srv, cb) => srv.listen(0, cb), (srv, cb) => srv.listen(0, cb));
run('host', (srv, cb) => srv.listen(0, '127.0.0.1', cb), (srv, cb) => srv.listen(0, '127.0.0.1', cb));

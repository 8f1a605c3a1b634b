'use strict';
// setTimeout(ms): 'timeout' after ms idle, nothing closed; the timeout
// property; setTimeout(0) disables; setTimeout(ms, cb) adds cb once;
// connect's timeout option.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('end', () => c.end()); });
let closed = 0;
const done = () => { if (++closed === 3) srv.close(); };
listen(srv, (port) => {
  const a = net.connect(port, '127.0.0.1', () => {
    a.setTimeout(40);
    trace('a', 'set', { timeout: a.timeout });
  });
  a.on('timeout', () => {
    trace('a', 'timeout', { destroyed: a.destroyed, readyState: a.readyState });
    a.setTimeout(0);
    trace('a', 'disabled', { timeout: a.timeout });
    setTimeout(() => { trace('a', 'no-second-timeout'); a.end(); }, 120);
  });
  a.on('close', done);

  const b = net.connect(port, '127.0.0.1', () => {
    b.setTimeout(30, () => { trace('b', 'cb', { listeners: b.listenerCount('timeout') }); b.end(); });
    trace('b', 'set', { listeners: b.listenerCount('timeout') });
  });
  b.on('close', done);

  const c = net.connect({ port, host: '127.0.0.1', timeout: 30 });
  trace('c', 'created', { timeout: c.timeout });
  c.on('timeout', () => { trace('c', 'timeout'); c.destroy(); });
  c.on('close', (h) => { trace('c', 'close', { hadError: h }); done(); });
});

'use strict';
// destroy() called inside each event of a client socket, one socket per
// event (each side is one socket): what is emitted after it.
const net = require('net');
const { REFUSED_PORT, trace, sub, watch, listen } = require('./trace');

// srv says "hi" and ends; quiet says nothing (so that the sockets that never
// read have nothing waiting: see no_data_listener for that case).
const srv = net.createServer((c) => { c.on('error', () => {}); c.end('hi'); c.resume(); });
const quiet = net.createServer((c) => { c.on('error', () => {}); c.resume(); });
const dead = net.createServer();
let left = 0;
function client(side, opts, when, o) {
  left++;
  const s = net.connect(opts);
  watch(side, s, o);
  s.on(when, () => {
    s.destroy();
    trace(side, 'destroyed-in-' + when, { destroyed: s.destroyed });
  });
  s.on('close', () => { if (--left === 0) { srv.close(); quiet.close(); } });
  return s;
}
listen(srv, (port) => {
  quiet.listen(0, '127.0.0.1', () => dead.listen(0, '127.0.0.1', () => {
    const q = { port: sub(quiet.address().port, 'QPORT'), host: '127.0.0.1' };
    dead.close(() => {
      const o = { port, host: '127.0.0.1' };
      client('in-connect', o, 'connect');
      client('in-ready', o, 'ready');
      client('in-data', o, 'data');
      client('in-end', o, 'end');
      const f = client('in-finish', q, 'finish', { data: false });
      f.on('connect', () => f.end());
      const t = client('in-timeout', q, 'timeout', { data: false });
      t.on('connect', () => t.setTimeout(20)); // idle from the connection on
      const d = client('in-drain', q, 'drain', { data: false });
      d.on('connect', () => trace('in-drain', 'write', { returned: d.write(Buffer.alloc(4 << 20)) }));
      const lookup = (h, opts, cb) => setImmediate(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
      client('in-lookup', { port, host: 'example.test', lookup }, 'lookup');
      client('in-error', { port: REFUSED_PORT, host: '127.0.0.1' }, 'error');
      client('in-close', o, 'close');
    });
  }));
});

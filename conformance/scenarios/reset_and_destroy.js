'use strict';
// resetAndDestroy(): the connection closes with a RST, the peer reads
// ECONNRESET; on a Unix socket it throws ERR_INVALID_HANDLE_TYPE; on a
// socket that never connected it destroys with ERR_SOCKET_CLOSED; while
// connecting it waits for the connection, then resets.
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

// The two peers' events interleave in any order: each peer's are joined
// into one line and the lines printed sorted once both closed.
const peers = [];
const srv = net.createServer((c) => {
  let seen = '';
  c.on('error', (e) => { seen += `error ${e.code} ${e.syscall} ${e.message}; `; });
  c.on('close', (h) => {
    peers.push(seen + `close hadError=${h}`);
    if (peers.length === 2) {
      for (const p of peers.sort()) trace('peer', 'events', { seen: p });
      srv.close();
    }
  });
  c.resume();
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    const r = s.resetAndDestroy();
    trace('open', 'reset', { returnsSocket: r === s, destroyed: s.destroyed });
  });
  watch('open', s);

  const c = net.connect(port, '127.0.0.1');
  watch('connecting', c);
  c.resetAndDestroy();
  trace('connecting', 'reset-called', { destroyed: c.destroyed, connecting: c.connecting });
});

const n = new net.Socket();
watch('never', n);
n.resetAndDestroy();
trace('never', 'reset-called', { destroyed: n.destroyed });

const ipc = net.createServer((c) => c.resume());
ipc.listen('r.sock', () => {
  const u = net.connect('r.sock', () => {
    try {
      u.resetAndDestroy();
      trace('ipc', 'reset', { threw: false });
    } catch (e) {
      trace('ipc', 'reset', errf(e));
    }
    u.destroy();
    ipc.close();
  });
});

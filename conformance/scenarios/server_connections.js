'use strict';
// getConnections() and the connection count as clients come and go;
// server.close() waits for the open connections: 'close' and its callback
// come after the last one ended.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const conns = [];
const srv = net.createServer((c) => {
  conns.push(c);
  c.resume();
  srv.getConnections((e, n) => {
    trace('server', 'connection', { ...errf(e), count: n });
    if (n === 3) {
      srv.close((e2) => trace('server', 'close-cb', errf(e2)));
      trace('server', 'close-called', { listening: srv.listening });
      srv.getConnections((e3, m) => trace('server', 'after-close-called', { ...errf(e3), count: m }));
      conns[0].end();
    }
  });
  c.on('close', () => srv.getConnections((e, n) => {
    trace('server', 'conn-closed', { count: n });
    if (n > 0) conns[3 - n].end();
  }));
});
srv.on('close', () => trace('server', 'close-event'));
listen(srv, (port) => {
  let i = 0;
  const next = () => {
    const s = net.connect(port, '127.0.0.1', () => { if (++i < 3) next(); });
    s.resume();
    s.on('end', () => s.end());
  };
  next();
});

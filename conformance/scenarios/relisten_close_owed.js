'use strict';
// A close() that waits for a connection, then listen() again: the closed
// listen's 'close' is not emitted when that connection ends (the server has
// a handle again); it comes once, when the relistened server is closed and
// drained, and it calls both close callbacks. Side a: the second close()
// after the old connection ended; side b: before it ended.
const net = require('net');
const { trace, errf, listen } = require('./trace');

function run(side, closeAgainFirst) {
  const srv = net.createServer();
  let closes = 0;
  srv.on('close', () => trace(side, 'close-event', { n: ++closes, listening: srv.listening }));
  srv.on('connection', (s) => {
    trace(side, 'connection');
    srv.close((e) => trace(side, 'close-cb-1', errf(e)));
    trace(side, 'closed', { listening: srv.listening });
    srv.listen(0, () => {
      trace(side, 'relistening', { listening: srv.listening });
      if (closeAgainFirst) {
        srv.close((e) => trace(side, 'close-cb-2', errf(e)));
        trace(side, 'closed-again', { listening: srv.listening });
      }
      s.end();
    });
    s.on('close', () => {
      trace(side, 'connection-close', { listening: srv.listening });
      srv.getConnections((e, n) => {
        trace(side, 'connections', { n });
        if (!closeAgainFirst) srv.close((e2) => trace(side, 'close-cb-2', errf(e2)));
      });
    });
  });
  listen(srv, (port) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('data', () => {});
    c.on('end', () => c.end());
  });
}

run('a', false);
run('b', true);

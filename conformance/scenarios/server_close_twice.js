'use strict';
// Issue 11 item 4: a second server.close(cb): cb gets ERR_SERVER_NOT_RUNNING
// and 'close' is emitted again.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const srv = net.createServer();
srv.on('close', () => trace('server', 'close-event', { listening: srv.listening }));
listen(srv, () => {
  srv.close((e) => {
    trace('server', 'close-cb-1', errf(e));
    srv.close((e2) => trace('server', 'close-cb-2', errf(e2)));
  });
});

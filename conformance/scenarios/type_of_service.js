'use strict';
// socket.setTypeOfService / getTypeOfService (Node 26): the IP TOS byte of
// a connection, 0 by default; a value above 255 is ERR_OUT_OF_RANGE.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const srv = net.createServer((c) => c.end());
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    trace('client', 'tos', { before: s.getTypeOfService() });
    s.setTypeOfService(0x10);
    trace('client', 'tos', { after: s.getTypeOfService() });
    try {
      s.setTypeOfService(300);
    } catch (e) {
      trace('client', 'tos-300', errf(e));
    }
  });
  s.resume();
  s.on('close', () => srv.close());
});

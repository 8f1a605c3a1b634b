'use strict';
// Issue 11 item 1: a connect refused before the connection exists: 'error'
// (ECONNREFUSED, syscall connect, address, port) then close(hadError=true).
const net = require('net');
const { REFUSED_PORT, trace, watch, state, listen } = require('./trace');

const srv = net.createServer();
listen(srv, () => {
  srv.close(() => {
    const s = net.connect(REFUSED_PORT, '127.0.0.1');
    watch('client', s);
    state('client', s, 'connecting');
    s.on('close', () => state('client', s, 'close'));
  });
});

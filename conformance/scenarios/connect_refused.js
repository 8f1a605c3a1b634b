'use strict';
// Issue 11 item 1: a connect refused before the connection exists: 'error'
// (ECONNREFUSED, syscall connect, address, port) then close(hadError=true).
const net = require('net');
const { trace, watch, state, listen } = require('./trace');

const srv = net.createServer();
listen(srv, (port) => {
  srv.close(() => {
    const s = net.connect(port, '127.0.0.1');
    watch('client', s);
    state('client', s, 'connecting');
    s.on('close', () => state('client', s, 'close'));
  });
});

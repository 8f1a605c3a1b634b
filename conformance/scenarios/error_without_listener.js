'use strict';
// An 'error' with no error listener: Node throws it (the process dies with
// the error, exit code 1, 'close' never comes); nodenet logs it and goes on
// (deliberate: a library must not kill its process).
const net = require('net');
const { REFUSED_PORT, trace, listen } = require('./trace');

const srv = net.createServer();
listen(srv, () => {
  srv.close(() => {
    const s = net.connect(REFUSED_PORT, '127.0.0.1');
    s.on('close', (h) => trace('client', 'close', { hadError: h }));
  });
});

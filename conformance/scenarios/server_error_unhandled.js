'use strict';
// A listen failure with no 'error' listener: Node throws it (the process
// dies, exit code 1); nodenet logs it (deliberate, as for sockets).
const net = require('net');
const { trace, listen } = require('./trace');

const a = net.createServer();
listen(a, (port) => {
  const b = net.createServer();
  b.listen(port, '127.0.0.1');
  setTimeout(() => { trace('server', 'still-running'); a.close(); b.close(); }, 100);
});

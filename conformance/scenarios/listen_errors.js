'use strict';
// Listen failures: EADDRINUSE on a TCP port and on a Unix path (as 'error'
// with syscall, address, port, message), listening stays false, close()
// afterwards gets ERR_SERVER_NOT_RUNNING; a second listen() while listening
// throws ERR_SERVER_ALREADY_LISTEN; listen() again after a failure works.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const first = net.createServer();
listen(first, (port) => {
  const second = net.createServer();
  second.on('error', (e) => {
    trace('tcp', 'error', { ...errf(e), listening: second.listening });
    second.close((e2) => {
      trace('tcp', 'close-cb', errf(e2));
      second.listen(0, '127.0.0.1', () => {
        trace('tcp', 'relisten', { listening: second.listening });
        second.close();
        first.close();
      });
    });
  });
  second.listen(port, '127.0.0.1');
  try {
    first.listen(0, '127.0.0.1');
    trace('tcp', 'second-listen', { threw: false });
  } catch (e) {
    trace('tcp', 'second-listen', errf(e));
  }
});

const ipc = net.createServer();
ipc.listen('in-use.sock', () => {
  const other = net.createServer();
  other.on('error', (e) => {
    trace('ipc', 'error', { ...errf(e), listening: other.listening });
    ipc.close(() => trace('ipc', 'closed'));
  });
  other.listen('in-use.sock');
});

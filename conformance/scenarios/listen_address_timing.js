'use strict';
// When server.address() and server.listening become true: at once for a
// listen without a host and for a Unix path (Node binds synchronously); for
// a host, even an IP literal, only once dns.lookup has answered (on the next
// tick), so right after listen() the address is null. 'listening' always
// comes later, with the address set.
const net = require('net');
const os = require('os');
const { trace } = require('./trace');

function run(side, args, next) {
  const srv = net.createServer();
  srv.on('listening', () => {
    trace(side, 'listening-event', { listening: srv.listening, hasAddress: srv.address() !== null });
    srv.close(() => { trace(side, 'closed'); next(); });
  });
  srv.listen(...args);
  trace(side, 'after-listen', { listening: srv.listening, hasAddress: srv.address() !== null });
  process.nextTick(() => trace(side, 'next-tick', { listening: srv.listening, hasAddress: srv.address() !== null }));
}

const path = os.tmpdir() + '/nodenet-addr-timing-' + process.pid + '.sock';
run('literal', [0, '127.0.0.1'], () =>
  run('nohost', [0], () =>
    run('path', [path], () => {})));

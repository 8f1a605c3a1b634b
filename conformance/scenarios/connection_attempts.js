'use strict';
// Node's connectionAttempt / connectionAttemptFailed events: a lone address
// (refused, then connected), several addresses (the refused ::1, then
// 127.0.0.1; one of them blocked by a BlockList), a Unix path that does not
// exist. (connectionAttemptTimeout needs an unanswered SYN: the socket
// package's tests cover it.)
const net = require('net');
const { trace, listen, REFUSED_PORT } = require('./trace');

const events = (side, s) => {
  s.on('connectionAttempt', (address, port, family) => trace(side, 'attempt', { address, port, family }));
  s.on('connectionAttemptFailed', (address, port, family, e) => trace(side, 'attempt-failed', { address, port, family, code: e.code }));
  s.on('connectionAttemptTimeout', (address, port, family) => trace(side, 'attempt-timeout', { address, port, family }));
  s.on('connect', () => trace(side, 'connect'));
  s.on('error', (e) => trace(side, 'error', { code: e.code }));
  s.on('close', (hadError) => trace(side, 'close', { hadError }));
  return s;
};
const answers = (list) => (host, opts, cb) => setImmediate(() => cb(null, list));

const srv = net.createServer((c) => c.end());
listen(srv, (port) => {
  const steps = [
    () => events('refused', net.connect(REFUSED_PORT, '127.0.0.1')),
    () => events('single', net.connect(port, '127.0.0.1')).resume(),
    () => events('multi', net.connect({ port, host: 'dual.test',
      lookup: answers([{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]) })).resume(),
    () => {
      const bl = new net.BlockList();
      bl.addAddress('::1', 'ipv6');
      return events('blocked', net.connect({ port, host: 'dual.test', blockList: bl,
        lookup: answers([{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]) })).resume();
    },
    () => events('unix', net.connect('nobody.sock')),
  ];
  const next = (i) => {
    if (i === steps.length) return srv.close();
    steps[i]().on('close', () => next(i + 1));
  };
  next(0);
});

'use strict';
// The blockList option of a client socket: connecting to a blocked address
// fails with ERR_IP_BLOCKED (error, then close(true)); with several
// addresses to try, a blocked one is skipped — and not listed in
// autoSelectFamilyAttemptedAddresses — and when every one is blocked the
// AggregateError holds an ERR_IP_BLOCKED per address.
const net = require('net');
const { trace, sub, watch, listen } = require('./trace');

const answers = (list) => (host, opts, cb) => setImmediate(() => cb(null, list));
const srv = net.createServer((c) => c.end());
listen(srv, (port) => {
  const bl = new net.BlockList();
  bl.addAddress('127.0.0.1');
  const s = net.connect({ port, host: '127.0.0.1', blockList: bl });
  watch('single', s);
  s.on('close', () => {
    const six = new net.BlockList();
    six.addAddress('::1', 'ipv6');
    const t = net.connect({ port, host: 'dual.test', blockList: six,
      lookup: answers([{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]) }, () => {
      trace('skip', 'attempted', { addresses: t.autoSelectFamilyAttemptedAddresses.join(' ') });
      t.end();
    });
    t.resume();
    t.on('close', (hadError) => {
      trace('skip', 'close', { hadError });
      const u = net.connect({ port, host: 'all.test', blockList: bl,
        lookup: answers([{ address: '127.0.0.1', family: 4 }, { address: '::ffff:127.0.0.1', family: 6 }]) });
      u.on('error', (e) => {
        trace('all', 'error', { code: e.code, errors: e.errors.map((x) => x.code + ' ' + x.message).join(' | ') });
      });
      u.on('close', (hadError) => {
        trace('all', 'close', { hadError, attempted: u.autoSelectFamilyAttemptedAddresses.length });
        srv.close();
      });
    });
  });
});

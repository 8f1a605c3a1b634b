'use strict';
// A name that resolves to ::1 and 127.0.0.1 (a custom lookup, as the system
// resolver does for localhost) with only 127.0.0.1 listening: with
// autoSelectFamily (the default) a 'lookup' per address, the refused ::1
// then the connection to 127.0.0.1, and autoSelectFamilyAttemptedAddresses;
// with autoSelectFamily false only the first address is tried.
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

function lookup(host, opts, cb) {
  trace('resolver', 'lookup', { host, all: opts.all ?? false, family: opts.family });
  const all = [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }];
  setImmediate(() => (opts.all ? cb(null, all) : cb(null, all[0].address, all[0].family)));
}
const srv = net.createServer((c) => c.end());
listen(srv, (port) => {
  const s = net.connect({ port, host: 'dual.test', lookup }, () => {
    trace('auto', 'attempted', { addresses: s.autoSelectFamilyAttemptedAddresses.join(' ') });
  });
  watch('auto', s);
  s.on('close', () => {
    const t = net.connect({ port, host: 'dual.test', lookup, autoSelectFamily: false });
    watch('first-only', t);
    t.on('close', () => {
      trace('first-only', 'attempted', { addresses: String(t.autoSelectFamilyAttemptedAddresses) });
      srv.close();
    });
  });
});

'use strict';
// The family and hints options reach the lookup; an IP-literal host does no
// lookup and emits no 'lookup'; family 6 with a name; with neither family
// nor hints the lookup is asked hints ADDRCONFIG (not on Windows), and all
// addresses only while autoSelectFamily is on; a custom lookup gets a family
// and hints dns.lookup would refuse, unchecked. One connection at a time, so
// that the resolver's lines come in order.
const net = require('net');
const dns = require('dns');
const { trace, watch, listen } = require('./trace');

function lookup(host, opts, cb) {
  trace('resolver', 'lookup', { host, family: opts.family, hints: opts.hints, all: opts.all ?? false });
  setImmediate(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
}
const cases = [
  ['family4', { host: 'four.test', family: 4, hints: dns.ADDRCONFIG }],
  ['literal', { host: '127.0.0.1', family: 4 }],
  ['family6', { host: 'six.test', family: 6, autoSelectFamily: false }],
  ['default', { host: 'any.test' }],
  ['one', { host: 'one.test', autoSelectFamily: false }],
  ['odd', { host: 'odd.test', family: 5, hints: 12345 }],
];
const srv = net.createServer((c) => c.end());
listen(srv, (port) => {
  const next = (i) => {
    if (i === cases.length) return srv.close();
    const [name, opts] = cases[i];
    const s = net.connect({ port, lookup, ...opts });
    watch(name, s).on('close', () => next(i + 1));
  };
  next(0);
});

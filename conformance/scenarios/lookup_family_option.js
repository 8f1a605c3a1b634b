'use strict';
// The family and hints options reach the lookup; an IP-literal host does no
// lookup and emits no 'lookup'; family 6 with a name.
const net = require('net');
const { trace, watch, listen } = require('./trace');

function lookup(host, opts, cb) {
  trace('resolver', 'lookup', { host, family: opts.family, hints: opts.hints, all: opts.all ?? false });
  setImmediate(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
}
const srv = net.createServer((c) => c.end());
listen(srv, (port) => {
  let left = 3;
  const done = () => { if (--left === 0) srv.close(); };
  const a = net.connect({ port, host: 'four.test', family: 4, hints: require('dns').ADDRCONFIG, lookup });
  watch('family4', a).on('close', done);
  const b = net.connect({ port, host: '127.0.0.1', family: 4, lookup });
  watch('literal', b).on('close', done);
  const c = net.connect({ port, host: 'six.test', family: 6, lookup, autoSelectFamily: false });
  watch('family6', c).on('close', done);
});

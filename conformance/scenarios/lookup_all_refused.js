'use strict';
// Every address of a name refused (autoSelectFamily): the error is an
// AggregateError with one error per attempt, code of the first.
const net = require('net');
const { REFUSED_PORT, trace, errf, watch } = require('./trace');

const dead = net.createServer().listen(0, '127.0.0.1', () => {
  dead.close(() => {
    function lookup(host, opts, cb) {
      setImmediate(() => cb(null, [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]));
    }
    const s = net.connect({ port: REFUSED_PORT, host: 'gone.test', lookup });
    watch('client', s);
    s.on('error', (e) => {
      for (const sub1 of e.errors ?? []) trace('client', 'attempt', errf(sub1));
    });
  });
});

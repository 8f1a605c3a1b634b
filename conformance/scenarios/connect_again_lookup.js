'use strict';
// 'lookup' of a connect whose socket is no longer connecting when the answer
// comes: a second connect() with a host name while the first is refused, and
// a socket destroyed during its lookup. With a family (one address asked)
// Node emits 'lookup' whatever became of the socket; without one (every
// address asked, autoSelectFamily) it emits nothing. Each lookup is answered
// from the socket's 'close', so the order is fixed; each case's resolver
// prints on a side of its own (in Go the lookups run on other goroutines).
const net = require('net');
const { trace, watch, REFUSED_PORT } = require('./trace');

const held = [];
const lookupFor = (name) => (host, opts, cb) => {
  trace(name + '-resolver', 'lookup', { host, all: opts.all ?? false });
  held.push(() => {
    trace(name + '-resolver', 'answer', { host });
    if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]); else cb(null, '127.0.0.1', 4);
  });
};

const cases = [
  ['again-one', { host: 'one.test', family: 4 }, false],
  ['again-all', { host: 'all.test' }, false],
  ['destroyed-one', { host: 'one.test', family: 4 }, true],
  ['destroyed-all', { host: 'all.test' }, true],
];
const next = (i) => {
  if (i === cases.length) return;
  const [name, opts, destroy] = cases[i];
  let s;
  const lookup = lookupFor(name);
  if (destroy) {
    s = net.connect({ port: REFUSED_PORT, lookup, ...opts });
    watch(name, s);
    s.destroy();
  } else {
    s = net.connect({ port: REFUSED_PORT, host: '127.0.0.1' });
    watch(name, s);
    s.connect({ port: REFUSED_PORT, lookup, ...opts });
  }
  s.on('close', () => { held.shift()(); next(i + 1); });
};
next(0);

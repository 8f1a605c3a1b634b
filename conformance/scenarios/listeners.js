'use strict';
// once(), removeListener(), removeAllListeners() and listenerCount() on a
// socket's events.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => { c.write('a'); c.on('data', () => c.end('b')); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  const count = (at) => trace('client', 'count', { at, connect: s.listenerCount('connect'), data: s.listenerCount('data') });
  count('start');
  s.once('connect', () => trace('client', 'once-connect'));
  s.on('ready', () => count('ready'));
  const onData = () => trace('client', 'removed-data-listener');
  s.on('data', onData);
  s.once('data', (d) => {
    trace('client', 'once-data', { text: d.toString() });
    s.removeListener('data', onData);
    count('after-remove');
    s.on('data', (d2) => trace('client', 'data', { text: d2.toString() }));
    s.write('x');
  });
  count('added');
  s.on('end', () => { s.removeAllListeners('data'); count('end'); });
  s.on('close', () => { trace('client', 'close'); srv.close(); });
});

'use strict';
// A listener removed during an emit by an earlier listener of that emit
// still runs in it, and in no later emit: Node's emit walks a copy of the
// listener array, and a once-listener removed that way had not fired. For
// the Server's 'listening', 'connection' and 'close' and the Socket's
// 'connect', 'data', 'end' and 'close': the first of four listeners removes
// the second (on) and the fourth (once), and prints how many that removed
// from listenerCount; the fourth prints whether the count is still the one
// left after the removals. (The counts themselves are not compared: Node's
// socket has 'connect' and 'end' listeners of its own.)
const net = require('net');
const { trace, listen } = require('./trace');

function four(side, em, ev) {
  const second = () => trace(side, ev + '-second');
  let left;
  const fourth = () => trace(side, ev + '-fourth', { unchanged: em.listenerCount(ev) === left });
  em.on(ev, () => {
    const before = em.listenerCount(ev);
    em.removeListener(ev, second);
    em.removeListener(ev, fourth);
    left = em.listenerCount(ev);
    trace(side, ev + '-first', { removed: before - left });
  });
  em.on(ev, second);
  em.on(ev, () => trace(side, ev + '-third'));
  em.once(ev, fourth);
}

const srv = net.createServer();
for (const ev of ['listening', 'connection', 'close']) four('server', srv, ev);
srv.on('connection', (s) => s.end('x'));
listen(srv, (port) => {
  const c = net.connect(port, '127.0.0.1');
  for (const ev of ['connect', 'data', 'end', 'close']) four('client', c, ev);
  c.on('close', () => {
    srv.close();
  });
});

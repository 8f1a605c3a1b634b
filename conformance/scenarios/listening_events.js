'use strict';
// 'listening': the listen callback is a once listener added after the
// earlier 'listening' listeners; listening is true inside; a listen callback
// of a failed attempt stays attached and fires on the next listen that works.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const srv = net.createServer();
srv.on('listening', () => trace('server', 'listening-1', { listening: srv.listening }));
srv.listen(0, '127.0.0.1', () => {
  trace('server', 'cb', { count: srv.listenerCount('listening') });
  srv.close(() => {
    trace('server', 'closed', { count: srv.listenerCount('listening') });
    const other = net.createServer();
    listen(other, (port) => {
      const s2 = net.createServer();
      s2.on('error', (e) => {
        trace('retry', 'error', { code: e.code, count: s2.listenerCount('listening') });
        s2.listen(0, '127.0.0.1');
      });
      s2.listen(port, '127.0.0.1', () => {
        trace('retry', 'listening-cb', { count: s2.listenerCount('listening') });
        s2.close();
        other.close();
      });
    });
  });
});
srv.on('listening', () => trace('server', 'listening-2'));

'use strict';
// createServer options as the accepted socket shows them: allowHalfOpen,
// pauseOnConnect (no data until resume()), highWaterMark; and the socket's
// server property.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, highWaterMark: 1024, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 }, (c) => {
  trace('server', 'connection', {
    allowHalfOpen: c.allowHalfOpen, isPaused: c.isPaused(), writableHighWaterMark: c.writableHighWaterMark,
    readableHighWaterMark: c.readableHighWaterMark, server: c.server === srv,
  });
  let got = '';
  c.on('data', (d) => { got += d; });
  setTimeout(() => {
    trace('server', 'before-resume', { got });
    c.resume();
  }, 30);
  c.on('end', () => {
    trace('server', 'end', { got, writable: c.writable });
    c.end('half-open reply');
    srv.close();
  });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => s.end('data'));
  let got = '';
  s.on('data', (d) => { got += d; });
  s.on('close', () => trace('client', 'close', { got }));
});

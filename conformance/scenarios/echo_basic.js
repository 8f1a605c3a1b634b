'use strict';
// A client sends one line to an echo server and ends; every event of both
// ends, with the addresses and byte counters each side sees.
const net = require('net');
const { trace, sub, errf } = require('./trace');

const server = net.createServer((c) => {
  sub(c.remotePort, 'CPORT');
  trace('server', 'connection', {
    remoteAddress: c.remoteAddress, remoteFamily: c.remoteFamily, remotePort: c.remotePort,
    localAddress: c.localAddress, localPort: c.localPort,
  });
  c.on('data', (d) => {
    trace('server', 'data', { text: d.toString() });
    c.write(d);
  });
  c.on('end', () => trace('server', 'end', { bytesRead: c.bytesRead }));
  c.on('finish', () => trace('server', 'finish', { bytesWritten: c.bytesWritten }));
  c.on('error', (e) => trace('server', 'error', errf(e)));
  c.on('close', (hadError) => {
    trace('server', 'close', { hadError, destroyed: c.destroyed });
    server.close(() => trace('server', 'closed'));
  });
});
server.listen(0, '127.0.0.1', () => {
  const port = sub(server.address().port, 'PORT');
  trace('server', 'listening', server.address());
  const s = net.connect(port, '127.0.0.1', () => {
    sub(s.localPort, 'CPORT');
    trace('client', 'connect', {
      remoteAddress: s.remoteAddress, remotePort: s.remotePort, localPort: s.localPort,
      readyState: s.readyState, connecting: s.connecting, pending: s.pending,
    });
    s.write('hello');
  });
  trace('client', 'created', { connecting: s.connecting, pending: s.pending, readyState: s.readyState });
  s.on('ready', () => trace('client', 'ready'));
  s.on('data', (d) => {
    trace('client', 'data', { text: d.toString(), bytesRead: s.bytesRead });
    s.end();
  });
  s.on('end', () => trace('client', 'end'));
  s.on('finish', () => trace('client', 'finish', { bytesWritten: s.bytesWritten, readyState: s.readyState }));
  s.on('error', (e) => trace('client', 'error', errf(e)));
  s.on('close', (hadError) => trace('client', 'close', { hadError, destroyed: s.destroyed, readyState: s.readyState }));
});

'use strict';
// The stream.Duplex state a Node user reads off a socket (writableEnded,
// writableFinished, writableNeedDrain, writableCorked, writableLength,
// readableEnded, readableFlowing, readableLength) at each step of a
// connection's life.
const net = require('net');
const { trace, streamState, listen } = require('./trace');

const srv = net.createServer((c) => {
  c.on('data', () => {});
  c.on('end', () => { c.end('bye'); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  streamState('client', s, 'connecting');
  s.on('connect', () => {
    streamState('client', s, 'connect');
    s.cork();
    streamState('client', s, 'corked');
    s.uncork();
    s.end('x');
    streamState('client', s, 'after-end');
  });
  s.on('finish', () => streamState('client', s, 'finish'));
  s.on('data', () => streamState('client', s, 'data'));
  s.on('end', () => streamState('client', s, 'end'));
  s.on('close', () => streamState('client', s, 'close'));
});

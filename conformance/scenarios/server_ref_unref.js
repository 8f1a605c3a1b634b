'use strict';
// A listening server holds the process; unref() lets it exit (the
// 'listening' callback still runs first); ref() again holds it until a timer
// closes it; unref() before listen() is remembered.
const net = require('net');
const { trace } = require('./trace');

const held = net.createServer();
held.listen(0, '127.0.0.1', () => {
  trace('held', 'listening');
  held.unref();
  held.ref();
  setTimeout(() => held.close(() => trace('held', 'closed')), 50).unref();
});

const early = net.createServer();
early.unref();
early.listen(0, '127.0.0.1', () => trace('early', 'listening'));
early.on('close', () => trace('early', 'close'));

const late = net.createServer();
late.listen(0, '127.0.0.1', () => {
  trace('late', 'listening');
  late.unref();
});

'use strict';
// The connect forms: net.connect(port, host, cb), net.createConnection({port,
// host}), net.connect(path, cb), new Socket().connect(port, host, cb), and
// connect(port) with the host left out (localhost, looked up: 'lookup').
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => c.end('hi'));
listen(srv, (port) => {
  const ipc = net.createServer((c) => c.end('ipc'));
  ipc.listen('f.sock', () => {
    let left = 5;
    const done = () => { if (--left === 0) { srv.close(); ipc.close(); } };
    const read = (side, s) => {
      s.on('lookup', (err, address, family) => trace(side, 'lookup', { address, family }));
      s.on('data', (d) => trace(side, 'data', { text: d.toString() }));
      s.on('close', done);
      return s;
    };
    read('positional', net.connect(port, '127.0.0.1', () => trace('positional', 'connect')));
    read('options', net.createConnection({ port, host: '127.0.0.1' })).on('connect', () => trace('options', 'connect'));
    read('path', net.connect('f.sock', () => trace('path', 'connect')));
    read('method', new net.Socket().connect(port, '127.0.0.1', () => trace('method', 'connect')));
    read('default-host', net.connect({ port, family: 4 }, () => trace('default-host', 'connect')));
  });
});

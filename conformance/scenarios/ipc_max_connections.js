'use strict';
// maxConnections on a Unix socket server: the 'drop' event's info has no
// addresses.
const net = require('net');
const { trace } = require('./trace');

const srv = net.createServer((c) => { srv.held = c; c.resume(); });
srv.maxConnections = 1;
srv.on('drop', (d) => { trace('server', 'drop', { info: JSON.stringify(d) }); srv.held.end(); });
srv.listen('m.sock', () => {
  const a = net.connect('m.sock', () => {
    const b = net.connect('m.sock');
    b.resume();
    b.on('close', () => { trace('second', 'close'); srv.close(); });
  });
  a.resume();
});

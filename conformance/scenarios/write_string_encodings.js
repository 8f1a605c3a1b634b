'use strict';
// write(string, encoding) and end(string, encoding): the bytes that arrive,
// and bytesWritten (bytes, not characters).
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => {
  const parts = [];
  c.on('data', (d) => parts.push(d));
  c.on('end', () => {
    trace('server', 'got', { hex: Buffer.concat(parts).toString('hex') });
    c.end();
    srv.close();
  });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.write('68656c6c6f', 'hex');
    s.write('d29ybGQ=', 'base64');
    s.write('\u00e9', 'latin1');
    s.write('\u00e9', 'utf8');
    s.write('\u20ac', 'utf16le');
    s.write('aGk', 'base64url');
    s.write('ab', 'ascii');
    trace('client', 'written', { bytesWritten: s.bytesWritten });
    s.end('\u00fc', 'latin1');
    trace('client', 'ended', { bytesWritten: s.bytesWritten });
  });
  s.on('close', () => trace('client', 'close', { bytesWritten: s.bytesWritten }));
});

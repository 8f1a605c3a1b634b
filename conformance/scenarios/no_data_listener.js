'use strict';
// A socket with no data listener that never resumes: Node reads what
// arrives into its buffer anyway (bytesRead counts it, readableLength holds
// it); nodenet does not read, so the kernel pushes back on the peer
// (deliberate: see docs/porting.md).
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => {
  // Look until the five bytes were read, for at most a second: Node reads
  // them within a loop iteration or two; nodenet never does.
  c.write('hello', () => {
    const t0 = Date.now();
    const look = () => {
      if (srv.client.bytesRead < 5 && Date.now() - t0 < 1000) return setTimeout(look, 10);
      trace('client', 'later', { bytesRead: srv.client.bytesRead });
      srv.client.destroy();
      c.destroy();
      srv.close();
    };
    look();
  });
});
listen(srv, (port) => {
  srv.client = net.connect(port, '127.0.0.1', () => trace('client', 'connect', { bytesRead: srv.client.bytesRead }));
});

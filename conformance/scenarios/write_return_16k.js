'use strict';
// Issue 11 item 7: write()'s return value is decided after the write attempt:
// a 16 KiB write the kernel takes at once returns true and no 'drain' follows.
// Also the default high-water marks (Node 26: 64 KiB).
const net = require('net');
const { trace, watch, listen } = require('./trace');

const srv = net.createServer((c) => {
  let n = 0;
  c.on('data', (d) => { n += d.length; if (n === 16384) c.end(); });
  c.on('close', () => srv.close());
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    trace('client', 'hwm', { writableHighWaterMark: s.writableHighWaterMark, readableHighWaterMark: s.readableHighWaterMark });
    const ok = s.write(Buffer.alloc(16384, 'a'), (e) => trace('client', 'write-cb', { err: e ?? null, bufferSize: s.bufferSize }));
    trace('client', 'write', { returned: ok, bufferSize: s.bufferSize, writableLength: s.writableLength });
  });
  watch('client', s);
});

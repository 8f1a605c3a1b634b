'use strict';
// A write far above the high-water mark: it returns false, 'drain' comes
// once when the queue empties (bufferSize 0 then), the callback after all of
// it reached the kernel; a small write after drain returns true and no
// second 'drain' follows.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const srv = net.createServer((c) => {
  let n = 0;
  c.on('data', (d) => { n += d.length; });
  c.on('end', () => { trace('server', 'got', { bytes: n }); c.end(); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    const ok = s.write(Buffer.alloc(8 << 20, 'x'), (e) => trace('client', 'write-cb', { ...errf(e), bufferSize: s.bufferSize }));
    trace('client', 'write', { returned: ok, writableNeedDrain: s.writableNeedDrain, bytesWritten: s.bytesWritten, queued: s.bufferSize > 0 });
  });
  let drains = 0;
  s.on('drain', () => {
    trace('client', 'drain', { n: ++drains, bufferSize: s.bufferSize, writableNeedDrain: s.writableNeedDrain });
    if (drains === 1) {
      const ok = s.write('tail', (e) => {
        trace('client', 'tail-cb', errf(e));
        s.end();
      });
      trace('client', 'tail-write', { returned: ok });
    }
  });
  s.on('close', () => trace('client', 'close', { drains, bytesWritten: s.bytesWritten }));
});

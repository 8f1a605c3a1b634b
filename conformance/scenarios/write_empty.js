'use strict';
// Empty writes: write('') and write(Buffer.alloc(0)) return true and call
// back; end('') ends normally.
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('end', () => { trace('server', 'end', { bytesRead: c.bytesRead }); srv.close(); }); });
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    trace('client', 'write-string', { returned: s.write('', (e) => trace('client', 'cb-string', errf(e))) });
    trace('client', 'write-buffer', { returned: s.write(Buffer.alloc(0), (e) => trace('client', 'cb-buffer', errf(e))) });
    s.end('');
  });
  watch('client', s);
});

'use strict';
// pipe(): a half-open proxy pipes its client to an upstream echo and back;
// each source's 'end' ends its destination, so the client's FIN travels to
// the upstream and the upstream's comes back after the echo.
const net = require('net');
const { trace, listen } = require('./trace');

const upstream = net.createServer((u) => { u.pipe(u); });
upstream.listen(0, '127.0.0.1', () => {
  const up = upstream.address().port;
  const proxy = net.createServer({ allowHalfOpen: true }, (c) => {
    const u = net.connect(up, '127.0.0.1');
    c.pipe(u);
    u.pipe(c);
    c.on('end', () => trace('proxy', 'client-end'));
    u.on('end', () => trace('proxy', 'upstream-end'));
    u.on('close', () => { trace('proxy', 'upstream-close'); proxy.close(); upstream.close(); });
  });
  listen(proxy, (port) => {
    const s = net.connect(port, '127.0.0.1', () => s.end('through the proxy'));
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('end', () => trace('client', 'end', { got }));
    s.on('close', () => trace('client', 'close'));
  });
});

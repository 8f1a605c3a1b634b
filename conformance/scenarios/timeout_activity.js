'use strict';
// The idle timer restarts on activity: data every 20 ms keeps a 1 s timeout
// (set when the first byte arrives) from firing; after the peer stops,
// 'timeout' fires once.
const net = require('net');
const { trace, listen } = require('./trace');

const srv = net.createServer((c) => {
  let n = 0;
  const t = setInterval(() => {
    c.write('.');
    if (++n === 5) { clearInterval(t); trace('server', 'stopped'); }
  }, 20);
  c.on('error', () => {}); // the client's destroy may reset it
  c.on('close', () => srv.close());
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  let got = 0;
  s.on('data', (d) => { if (got === 0) s.setTimeout(1000); got += d.length; });
  s.on('timeout', () => { trace('client', 'timeout', { got }); s.destroy(); });
});

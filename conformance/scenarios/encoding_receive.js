'use strict';
// setEncoding on the receiving side: utf8 (a character split across two
// writes is never split across two 'data' events), hex, base64, latin1;
// setEncoding() with no name is utf8; readableEncoding.
const net = require('net');
const { trace, listen } = require('./trace');

const encs = ['utf8', 'hex', 'base64', 'latin1', undefined];
let n = 0;
const srv = net.createServer((c) => {
  c.once('data', (d) => {
    const enc = encs[Number(d[0]) - 48];
    const side = 'recv-' + (enc ?? 'default');
    if (enc === undefined) c.setEncoding(); else c.setEncoding(enc);
    trace(side, 'encoding', { readableEncoding: c.readableEncoding });
    let text = '';
    c.on('data', (s) => { text += s; });
    c.on('end', () => { trace(side, 'end', { text }); c.end(); });
    c.write('k');
  });
  c.on('close', () => { if (++n === encs.length) srv.close(); });
});
listen(srv, (port) => {
  encs.forEach((enc, i) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(String(i)));
    s.once('data', () => {
      // "h€!" with the euro sign's three bytes split across two writes.
      const b = Buffer.from('h\u20ac!', 'utf8');
      s.write(b.subarray(0, 2), () => s.end(b.subarray(2)));
    });
    s.resume();
  });
});

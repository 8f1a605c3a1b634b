'use strict';
// pipe(dst, {end: false}) leaves dst open when the source ends; unpipe(dst)
// stops forwarding (and the flow: Node leaves the source not flowing); what
// comes after it is not forwarded.
const net = require('net');
const { trace, listen } = require('./trace');

const sink = net.createServer((c) => {
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('end', () => { trace('sink', 'end', { got }); c.end(); });
});
sink.listen(0, '127.0.0.1', () => {
  const dst = net.connect(sink.address().port, '127.0.0.1');
  const srv = net.createServer((c) => {
    c.pipe(dst, { end: false });
    c.once('data', (d) => {
      trace('src', 'first', { text: d.toString() });
      c.unpipe(dst);
      trace('src', 'unpiped', { isPaused: c.isPaused(), readableFlowing: c.readableFlowing });
      c.on('data', (d2) => trace('src', 'after-unpipe', { text: d2.toString() }));
      c.resume(); // unpipe stopped the flow (Node); start it again
      c.write('go on');
    });
    c.on('end', () => {
      trace('src', 'end', { dstWritable: dst.writable });
      dst.end('bye');
    });
  });
  dst.on('close', () => { trace('dst', 'close'); srv.close(); sink.close(); });
  listen(srv, (port) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('one'));
    s.once('data', () => s.end('two'));
  });
});

'use strict';
// src pipes into dst (its peer reads) and into other (its peer never
// reads). other fills and needs 'drain', which pauses src. unpipe(other)
// then counts other's drain as come (the pipe's cleanup calls ondrain): src
// flows on and dst gets every byte.
const net = require('net');
const { trace, listen } = require('./trace');

const total = 8 << 20;
const conns = [];
let srcPeer, dstPeer, otherPeer;
const srv = net.createServer((c) => {
  conns.push(c);
  if (conns.length === 3) go();
});

function go() {
  const [src, dst, other] = conns;
  let got = 0;
  dstPeer.on('data', (b) => {
    got += b.length;
    if (got === total) {
      trace('dst-peer', 'all', { got });
      for (const s of [srcPeer, dstPeer, otherPeer]) s.destroy();
      for (const s of conns) s.destroy();
      srv.close(() => trace('server', 'close'));
    }
  });
  src.pipe(dst);
  src.pipe(other);
  srcPeer.write(Buffer.alloc(total, 7));
  const watch = setInterval(() => {
    if (other.writableNeedDrain && src.isPaused()) {
      clearInterval(watch);
      trace('src', 'held-back', { otherNeedDrain: other.writableNeedDrain, isPaused: src.isPaused() });
      src.unpipe(other);
      trace('src', 'unpiped', { isPaused: src.isPaused(), readableFlowing: src.readableFlowing });
    }
  }, 1);
}

// The three peers connect one after another, so the server sees them in
// this order: src, dst, other.
listen(srv, (port) => {
  srcPeer = net.connect(port, '127.0.0.1');
  srv.once('connection', () => {
    dstPeer = net.connect(port, '127.0.0.1');
    srv.once('connection', () => {
      otherPeer = net.connect(port, '127.0.0.1');
      otherPeer.pause();
    });
  });
});

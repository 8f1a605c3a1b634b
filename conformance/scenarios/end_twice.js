'use strict';
// end() twice and end() after 'finish': the second callback's error
// (Node: the callback of an end() after finish gets
// ERR_STREAM_ALREADY_FINISHED).
const net = require('net');
const { trace, errf, watch, listen } = require('./trace');

const srv = net.createServer((c) => { c.resume(); c.on('close', () => srv.close()); });
listen(srv, (port) => {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
    s.end((e) => trace('client', 'end-cb-1', errf(e)));
    s.end((e) => trace('client', 'end-cb-2', errf(e)));
  });
  watch('client', s);
  s.on('finish', () => {
    s.end((e) => {
      trace('client', 'end-cb-3', errf(e));
      s.destroy();
    });
  });
});

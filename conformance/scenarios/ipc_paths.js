'use strict';
// A Unix socket server's file: created at listen, removed at close;
// readableAll/writableAll make it world read/writable; a Linux abstract name
// ('\0...') leaves no file; echo over each.
const net = require('net');
const fs = require('fs');
const { trace, sub, errf } = require('./trace');

function mode(p) { try { return (fs.statSync(p).mode & 0o777).toString(8); } catch (e) { return e.code; } }
function run(side, opts, file, next) {
  const srv = net.createServer((c) => c.pipe(c));
  srv.on('error', (e) => trace(side, 'error', errf(e)));
  srv.listen(opts, () => {
    trace(side, 'listening', { address: srv.address(), exists: file ? fs.existsSync(file) : 'abstract', all: file && opts.readableAll ? mode(file) : undefined });
    const s = net.connect(opts.path, () => s.end('ping'));
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('close', () => {
      trace(side, 'echo', { got });
      srv.close(() => {
        trace(side, 'closed', { exists: file ? fs.existsSync(file) : 'abstract' });
        next();
      });
    });
  });
}
run('plain', { path: 'plain.sock' }, 'plain.sock', () =>
  run('all', { path: 'all.sock', readableAll: true, writableAll: true }, 'all.sock', () =>
    run('abstract', { path: sub('\0nodenet-conformance-' + process.pid, 'ABSTRACT') }, null, () => {})));

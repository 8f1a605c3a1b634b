'use strict';
// net.BlockList and createServer's blockList option: a connection from a
// blocked address is closed at once (no 'connection', no 'drop'); check().
// A dual-stack server sees an IPv4 client as ::ffff:a.b.c.d, which an IPv4
// rule still blocks; maxConnections is checked before the block list, so a
// blocked connection over the limit is a 'drop'.
const net = require('net');
const { trace, listen } = require('./trace');

const bl = new net.BlockList();
bl.addAddress('127.0.0.2');
trace('blocklist', 'check', { blocked: bl.check('127.0.0.2'), other: bl.check('127.0.0.1') });
const srv = net.createServer({ blockList: bl }, (c) => { trace('server', 'connection', { remoteAddress: c.remoteAddress }); c.end(); });
srv.on('drop', () => trace('server', 'drop'));
listen(srv, (port) => {
  const blocked = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
  blocked.on('error', (e) => trace('blocked', 'error', { code: e.code }));
  blocked.resume();
  blocked.on('close', () => {
    trace('blocked', 'close');
    const ok = net.connect(port, '127.0.0.1');
    ok.resume();
    ok.on('close', () => { trace('allowed', 'close'); srv.close(); dual(); });
  });
});

function dual() {
  const d = net.createServer({ blockList: bl }, (c) => { trace('dual', 'connection', { remoteAddress: c.remoteAddress }); c.end(); });
  d.listen(0, () => {
    const port = d.address().port;
    const blocked = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    blocked.on('error', (e) => trace('dual-blocked', 'error', { code: e.code }));
    blocked.resume();
    blocked.on('close', () => {
      trace('dual-blocked', 'close');
      const ok = net.connect(port, '127.0.0.1');
      ok.resume();
      ok.on('close', () => { trace('dual-allowed', 'close'); d.close(); full(); });
    });
  });
}

function full() {
  const f = net.createServer({ blockList: bl }, () => trace('full', 'connection'));
  f.maxConnections = 0;
  f.on('drop', (info) => trace('full', 'drop', { remoteAddress: info.remoteAddress }));
  f.listen(0, '127.0.0.1', () => {
    const blocked = net.connect({ port: f.address().port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    blocked.on('error', (e) => trace('full-blocked', 'error', { code: e.code }));
    blocked.resume();
    blocked.on('close', () => { trace('full-blocked', 'close'); f.close(); });
  });
}

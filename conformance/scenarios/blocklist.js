'use strict';
// net.BlockList and createServer's blockList option: a connection from a
// blocked address is closed at once (no 'connection', no 'drop'); check().
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
    ok.on('close', () => { trace('allowed', 'close'); srv.close(); });
  });
});

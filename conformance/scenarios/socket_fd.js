'use strict';
// new net.Socket({fd, readable, writable}): a connected socket's descriptor,
// given to a child process as its fd 3 (the only way a Node program gets a
// descriptor libuv does not already watch), wrapped there: no 'connect',
// the addresses are the connection's, data flows both ways, end() sends the
// FIN. The parent stops reading its own copy first and waits for the child.
const net = require('net');
const { spawn } = require('child_process');
const { trace, sub, watch, state, listen } = require('./trace');

if (process.argv[2] === 'child') {
  sub(Number(process.argv[3]), 'PORT');
  sub(Number(process.argv[4]), 'CPORT');
  const s = new net.Socket({ fd: 3, readable: true, writable: true });
  watch('child', s);
  state('child', s, 'wrapped');
  trace('child', 'addresses', { remoteAddress: s.remoteAddress, remotePort: s.remotePort, localAddress: s.localAddress, localPort: s.localPort });
  s.setEncoding('utf8');
  s.on('data', () => s.end('bye'));
  s.write('hello');
} else {
  const srv = net.createServer((c) => {
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d) => { got += d; if (got === 'hello') c.write('welcome'); });
    c.on('end', () => { trace('server', 'got', { got }); c.end(); });
  });
  listen(srv, (port) => {
    const s = net.connect(port, '127.0.0.1', () => {
      sub(s.localPort, 'CPORT');
      s.pause();
      const child = spawn(process.execPath, [__filename, 'child', port, s.localPort], { stdio: ['ignore', 'inherit', 'inherit', s] });
      child.on('exit', (code) => {
        trace('parent', 'child-exit', { code });
        s.destroy();
        srv.close();
      });
    });
  });
}

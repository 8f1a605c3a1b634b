'use strict';
// pause() and resume(): a paused socket emits no 'data' while bytes wait;
// resume() delivers them; isPaused() and readableFlowing at each step.
const net = require('net');
const { trace, listen } = require('./trace');

let client;
const srv = net.createServer((c) => {
  c.pause();
  trace('server', 'paused', { isPaused: c.isPaused(), readableFlowing: c.readableFlowing });
  let got = '';
  c.on('data', (d) => { got += d; });
  trace('server', 'data-listener', { isPaused: c.isPaused(), readableFlowing: c.readableFlowing });
  c.on('end', () => { trace('server', 'end', { got }); srv.close(); });
  // The bytes are in the server's receive queue once the client's write
  // callback ran (loopback): nothing may be delivered until resume().
  client.write('abc', () => setImmediate(() => {
    trace('server', 'before-resume', { got });
    c.resume();
    trace('server', 'resumed', { isPaused: c.isPaused(), readableFlowing: c.readableFlowing });
  }));
  client.end();
});
listen(srv, (port) => {
  client = net.connect(port, '127.0.0.1');
});

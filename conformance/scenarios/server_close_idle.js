'use strict';
// close() on a server that never listened: the callback gets
// ERR_SERVER_NOT_RUNNING and 'close' is emitted; address() is null;
// getConnections still answers.
const net = require('net');
const { trace, errf } = require('./trace');

const srv = net.createServer();
srv.on('close', () => trace('server', 'close-event'));
srv.getConnections((e, n) => trace('server', 'connections', { ...errf(e), count: n }));
srv.close((e) => trace('server', 'close-cb', { ...errf(e), address: srv.address(), listening: srv.listening }));

'use strict';
// Issue 11 item 11: top-level code is one tick: listen() then close() in the
// same tick emits no 'listening' (only 'close' and the callback). With a
// host the listen waits for a lookup, so close() finds nothing running; with
// none it binds at once and close() succeeds.
const net = require('net');
const { trace, errf } = require('./trace');

const srv = net.createServer();
srv.on('listening', () => trace('server', 'listening'));
srv.on('close', () => trace('server', 'close-event'));
srv.listen(0, '127.0.0.1');
trace('server', 'listen-called', { listening: srv.listening });
srv.close((e) => trace('server', 'close-cb', errf(e)));
trace('server', 'close-called', { listening: srv.listening });

const any = net.createServer();
any.on('listening', () => trace('anyhost', 'listening'));
any.on('close', () => trace('anyhost', 'close-event'));
any.listen(0);
trace('anyhost', 'listen-called', { listening: any.listening });
any.close((e) => trace('anyhost', 'close-cb', errf(e)));
trace('anyhost', 'close-called', { listening: any.listening });

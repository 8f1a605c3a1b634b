'use strict';
// listen() argument errors thrown at the call: an abstract path with
// readableAll, a port out of range in the options form, a negative backlog
// (listen({}) is listen_empty_options).
const net = require('net');
const { trace, sub, errf } = require('./trace');

function t(label, opts) {
  const srv = net.createServer();
  srv.on('error', (e) => trace(label, 'error', errf(e)));
  try {
    srv.listen(opts, () => { sub(srv.address().port, 'PORT'); trace(label, 'listening', { address: JSON.stringify(srv.address()) }); srv.close(); });
    trace(label, 'called', { threw: false });
  } catch (e) {
    trace(label, 'threw', errf(e));
  }
}
t('abstract-readable', { path: '\0nodenet-abs', readableAll: true });
t('abstract-writable', { path: '\0nodenet-abs', writableAll: true });
t('port-70000', { port: 70000 });
t('backlog-negative', { port: 0, host: '127.0.0.1', backlog: -1 });

'use strict';
// Issue 11 item 10: the codes and messages of argument errors Node throws.
const net = require('net');
const { trace, errf } = require('./trace');

function t(label, fn) {
  try {
    fn();
    trace('client', label, { threw: false });
  } catch (e) {
    trace('client', label, errf(e));
  }
}
t('connect-port-70000', () => net.connect(70000, '127.0.0.1').destroy());
t('connect-port-neg', () => net.connect(-1, '127.0.0.1').destroy());
t('connect-family-5', () => net.connect({ port: 80, host: '127.0.0.1', family: 5 }).destroy());
t('connect-family-5-name', () => net.connect({ port: 80, host: 'localhost', family: 5 }).destroy());
t('connect-bad-localaddress', () => net.connect({ port: 80, host: '127.0.0.1', localAddress: 'nope' }).destroy());
t('connect-no-port', () => net.connect({ host: '127.0.0.1' }).destroy());
t('settimeout-neg', () => new net.Socket().setTimeout(-1));
t('listen-port-70000', () => net.createServer().listen(70000));
t('listen-port-neg', () => net.createServer().listen(-1));
t('setencoding-bad', () => new net.Socket().setEncoding('nope'));
t('write-bad-encoding', () => new net.Socket().write('x', 'nope'));

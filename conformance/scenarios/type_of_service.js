'use strict';
// socket.setTypeOfService / getTypeOfService (Node 26): the IP TOS byte (the
// IPv6 traffic class on an IPv6 socket) of a connection, 0 by default; a
// value outside 0-255 is ERR_OUT_OF_RANGE; before the connection (a new
// socket), after it (destroyed) and on a Unix socket the value is only
// remembered, and a remembered value or the typeOfService option is applied
// at connect; an accepted socket has its own.
const net = require('net');
const { trace, errf, listen } = require('./trace');

const tryTos = (side, what, s, v) => {
  try {
    s.setTypeOfService(v);
  } catch (e) {
    trace(side, what, errf(e));
  }
};

const srv = net.createServer((c) => {
  trace('server', 'tos', { accepted: c.getTypeOfService() });
  c.setTypeOfService(0x10);
  trace('server', 'tos', { set: c.getTypeOfService() });
  c.end();
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1', () => {
    trace('client', 'tos', { before: s.getTypeOfService() });
    s.setTypeOfService(0x10);
    trace('client', 'tos', { after: s.getTypeOfService() });
    s.setTypeOfService(0x10);
    trace('client', 'tos', { again: s.getTypeOfService() });
    tryTos('client', 'tos-300', s, 300);
    tryTos('client', 'tos-neg', s, -1);
    trace('client', 'tos', { kept: s.getTypeOfService() });
  });
  s.resume();
  s.on('close', () => {
    trace('client', 'tos', { closed: s.getTypeOfService() });
    s.setTypeOfService(4);
    trace('client', 'tos', { 'closed-set': s.getTypeOfService() });
    step2();
  });

  function step2() {
    const n = new net.Socket();
    trace('new', 'tos', { fresh: n.getTypeOfService() });
    n.setTypeOfService(8);
    trace('new', 'tos', { remembered: n.getTypeOfService() });
    n.connect(port, '127.0.0.1', () => {
      trace('new', 'tos', { connected: n.getTypeOfService() });
      n.end();
    });
    n.resume();
    n.on('close', step3);
  }

  function step3() {
    try {
      net.connect({ port, host: '127.0.0.1', typeOfService: 256 });
    } catch (e) {
      trace('option', 'tos-256', errf(e));
    }
    const o = net.connect({ port, host: '127.0.0.1', typeOfService: 0x28 }, () => {
      trace('option', 'tos', { connected: o.getTypeOfService() });
      o.end();
    });
    o.resume();
    o.on('close', step4);
  }

  function step4() {
    const v6 = net.createServer((c) => c.end());
    v6.listen(0, '::1', () => {
      const t = net.connect(v6.address().port, '::1', () => {
        trace('v6', 'tos', { before: t.getTypeOfService() });
        t.setTypeOfService(0x20);
        trace('v6', 'tos', { after: t.getTypeOfService() });
      });
      t.resume();
      t.on('close', () => { v6.close(); step5(); });
    });
  }

  function step5() {
    const u = net.createServer((c) => c.end());
    u.listen('tos.sock', () => {
      const p = net.connect('tos.sock', () => {
        trace('unix', 'tos', { before: p.getTypeOfService() });
        p.setTypeOfService(5);
        trace('unix', 'tos', { after: p.getTypeOfService() });
      });
      p.resume();
      p.on('close', () => { u.close(); srv.close(); });
    });
  }
});

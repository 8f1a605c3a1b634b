'use strict';
// The default lookup (dns.lookup; in Go socket.DefaultLookup) honours the
// family and the getaddrinfo hints: ADDRCONFIG (a family only if the
// machine has a non-loopback address of it), V4MAPPED with family 6
// (IPv4 answers as ::ffff:a.b.c.d), ALL with it; then a connect with family
// 6 and V4MAPPED to a server on 127.0.0.1 reaches it over IPv6 as the
// mapped address. The answers depend on the machine; both runtimes ask the
// same one.
const net = require('net');
const dns = require('dns');
const { trace, sub, watch, listen } = require('./trace');

const hintNames = (h) => [['ADDRCONFIG', dns.ADDRCONFIG], ['V4MAPPED', dns.V4MAPPED], ['ALL', dns.ALL]]
  .filter(([, v]) => h & v).map(([n]) => n).join('|') || '0';
const cases = [];
for (const family of [0, 4, 6]) {
  for (const hints of [0, dns.ADDRCONFIG, dns.V4MAPPED, dns.V4MAPPED | dns.ALL, dns.ALL, dns.ADDRCONFIG | dns.V4MAPPED]) {
    for (const all of [false, true]) cases.push({ family, hints, all });
  }
}
const next = (i) => {
  if (i === cases.length) return connectMapped();
  const { family, hints, all } = cases[i];
  dns.lookup('localhost', { family, hints, all }, (err, address, fam) => {
    const out = err ? { code: err.code }
      : { answers: (all ? address : [{ address, family: fam }]).map((a) => `${a.address}/${a.family}`).join(' ') };
    trace('lookup', `family=${family} hints=${hintNames(hints)} all=${all}`, out);
    next(i + 1);
  });
};
function connectMapped() {
  const srv = net.createServer((c) => {
    trace('server', 'connection', { remoteAddress: c.remoteAddress, remoteFamily: c.remoteFamily });
    c.end();
  });
  listen(srv, (port) => {
    const s = net.connect({ port, host: 'localhost', family: 6, hints: dns.V4MAPPED });
    watch('client', s);
    s.on('connect', () => {
      trace('client', 'addresses', { remoteAddress: s.remoteAddress, remoteFamily: s.remoteFamily, localAddress: s.localAddress });
      sub(s.localPort, 'CPORT');
    });
    s.resume();
    s.on('close', () => srv.close());
  });
}
next(0);

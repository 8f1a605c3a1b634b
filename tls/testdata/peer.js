// A TLS peer for the tls package's differential tests: the same scenarios
// as peers_test.go, run by Node v26. Each side prints one line per event
// with the values that matter; the Go test compares them with nodenet's.
//
//   node peer.js server <scenario> <certdir>        prints "PORT <n>", serves until stdin ends
//   node peer.js client <scenario> <port> <certdir> connects, prints its trace
'use strict';
const tls = require('tls');
const fs = require('fs');
const path = require('path');

const [role, scenario, a3, a4] = process.argv.slice(2);
const dir = role === 'server' ? a3 : a4;
const rd = (f) => fs.readFileSync(path.join(dir, f));
const out = (s) => process.stdout.write(s + '\n');
const errLine = (who, e) => `${who} error code=${e.code} message=${e.message}`;
const orNone = (v) => (v === false || v === null || v === undefined || v === '' ? '-' : String(v));

const selfSigned = scenario === 'self-signed' || scenario === 'noreject';

if (role === 'server') {
  const opts = selfSigned
    ? { key: rd('self-key.pem'), cert: rd('self.pem') }
    : { key: rd('leaf-key.pem'), cert: rd('leaf.pem') };
  if (scenario === 'alpn') opts.ALPNProtocols = ['h2', 'http/1.1'];
  if (scenario === 'halfopen') opts.allowHalfOpen = true;
  const srv = tls.createServer(opts, (s) => {
    out(`S secureConnection authorized=${s.authorized} protocol=${s.getProtocol()} servername=${orNone(s.servername)} alpn=${orNone(s.alpnProtocol)}`);
    let data = '';
    s.setEncoding('latin1');
    s.on('data', (d) => {
      data += d;
      if (scenario !== 'halfopen' && scenario !== 'server-ends') s.write(d);
    });
    s.on('end', () => {
      out(`S end data=${data.length > 20 ? data.length + ' bytes' : data} bytesRead=${s.bytesRead}`);
      if (scenario === 'halfopen') s.end('after-end');
    });
    s.on('error', (e) => out(errLine('S', e)));
    s.on('close', (h) => out(`S close hadError=${h} bytesWritten=${s.bytesWritten}`));
    if (scenario === 'server-ends') s.end('bye');
  });
  srv.listen(0, '127.0.0.1', () => out(`PORT ${srv.address().port}`));
  process.stdin.resume();
  process.stdin.on('end', () => srv.close());
} else {
  const port = Number(a3);
  let reconnected = false;
  const connect = (session) => {
    const opts = { port, host: '127.0.0.1', servername: 'localhost' };
    if (!selfSigned) opts.ca = rd('ca.pem');
    if (scenario === 'noreject') opts.rejectUnauthorized = false;
    if (scenario === 'altname') opts.servername = 'wrong.example';
    if (scenario === 'alpn') opts.ALPNProtocols = ['http/1.1'];
    if (scenario === 'halfopen') opts.allowHalfOpen = true;
    if (session) opts.session = session;
    const c = tls.connect(opts);
    let data = '';
    let last = null;
    c.setEncoding('latin1');
    c.on('session', (s) => { last = s; });
    c.on('secureConnect', () => {
      out(`C secureConnect authorized=${c.authorized} authorizationError=${orNone(c.authorizationError)} protocol=${c.getProtocol()} alpn=${orNone(c.alpnProtocol)} reused=${c.isSessionReused()}`);
      if (scenario === 'halfopen') {
        c.end('a');
      } else if (scenario === 'bytes') {
        c.write(Buffer.alloc(1000, 'b'));
        out(`C bytesWritten=${c.bytesWritten}`);
      } else if (scenario !== 'server-ends') {
        c.write('hello');
      }
    });
    c.on('data', (d) => {
      data += d;
      if ((scenario !== 'halfopen' && scenario !== 'server-ends' && data.length >= (scenario === 'bytes' ? 1000 : 5))) c.end();
    });
    c.on('end', () => out(`C end data=${data.length > 20 ? data.length + ' bytes' : data} bytesRead=${c.bytesRead}`));
    c.on('error', (e) => out(errLine('C', e)));
    c.on('close', (h) => {
      out(`C close hadError=${h} bytesWritten=${c.bytesWritten}`);
      if (scenario === 'resume' && !reconnected) {
        reconnected = true;
        out(`C session saved=${last !== null}`);
        connect(last);
      }
    });
  };
  connect(null);
}

// Node's TLS echo server for the nodenet benchmarks:
// tls.createServer({key, cert}, c => c.pipe(c)).
// Usage: node tlsecho.js -addr 127.0.0.1:7000 -cert cert.pem -key key.pem
'use strict';
const tls = require('tls');
const fs = require('fs');
let addr = '127.0.0.1:7000', cert = '', key = '';
for (let i = 2; i + 1 < process.argv.length; i++) {
  if (process.argv[i] === '-addr') addr = process.argv[++i];
  else if (process.argv[i] === '-cert') cert = process.argv[++i];
  else if (process.argv[i] === '-key') key = process.argv[++i];
}
const i = addr.lastIndexOf(':');
const host = addr.slice(0, i), port = Number(addr.slice(i + 1));
const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (c) => {
  c.on('error', () => {});
  c.pipe(c);
});
server.on('tlsClientError', () => {});
server.listen({ host, port, backlog: 4096 }, () => console.log(`node tls echo listening on ${addr}`));

// Node's TCP proxy for the nodenet proxy benchmarks: each accepted connection
// piped both ways to its own connection to the upstream, half-closes
// forwarded (allowHalfOpen), an error on one side destroys the other.
// Usage: node proxy.js -addr 127.0.0.1:8000 -upstream 127.0.0.1:7000
'use strict';
const net = require('net');
let addr = '127.0.0.1:8000', upstream = '';
for (let i = 2; i + 1 < process.argv.length; i++) {
  if (process.argv[i] === '-addr') addr = process.argv[++i];
  else if (process.argv[i] === '-upstream') upstream = process.argv[++i];
}
const split = a => { const i = a.lastIndexOf(':'); return [a.slice(0, i), Number(a.slice(i + 1))]; };
const [host, port] = split(addr), [uhost, uport] = split(upstream);
const server = net.createServer({ allowHalfOpen: true }, c => {
  const u = net.connect({ host: uhost, port: uport, allowHalfOpen: true });
  c.pipe(u);
  u.pipe(c);
  c.on('error', () => u.destroy());
  u.on('error', () => c.destroy());
});
server.listen({ host, port, backlog: 4096 }, () => console.log(`node proxy listening on ${addr}, forwarding to ${upstream}`));

// Node's echo server for the nodenet benchmarks: net.createServer(c => c.pipe(c)).
// Usage: node echo.js -addr 127.0.0.1:7000 [-loops N (ignored: one loop)]
'use strict';
const net = require('net');
let addr = '127.0.0.1:7000';
for (let i = 2; i + 1 < process.argv.length; i++) if (process.argv[i] === '-addr') addr = process.argv[++i];
const i = addr.lastIndexOf(':');
const host = addr.slice(0, i), port = Number(addr.slice(i + 1));
const server = net.createServer(c => { c.on('error', () => {}); c.pipe(c); });
server.listen({ host, port, backlog: 4096 }, () => console.log(`node echo listening on ${addr}`));

// Node's HTTP server for the nodenet protocol benchmarks: TechEmpower's
// /plaintext and /json on http.createServer (Node adds Date).
// Usage: node http.js -addr 127.0.0.1:8080 [-loops N (ignored: one loop)]
'use strict';
const http = require('http');
let addr = '127.0.0.1:8080';
for (let i = 2; i + 1 < process.argv.length; i++) if (process.argv[i] === '-addr') addr = process.argv[++i];
const i = addr.lastIndexOf(':');
const host = addr.slice(0, i), port = Number(addr.slice(i + 1));
const hello = Buffer.from('Hello, World!');
const server = http.createServer((req, res) => {
  if (req.url === '/plaintext') {
    res.writeHead(200, { 'Server': 'node', 'Content-Type': 'text/plain', 'Content-Length': hello.length });
    res.end(hello);
  } else if (req.url === '/json') {
    const body = JSON.stringify({ message: 'Hello, World!' });
    res.writeHead(200, { 'Server': 'node', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }
});
server.keepAliveTimeout = 60000;
server.listen({ host, port, backlog: 4096 }, () => console.log(`node http listening on ${addr}`));

'use strict';
// trace.js: the Node half of the differential suite's trace format. Every
// scenario prints one line per event, "<side> <event> key=value ...", through
// trace(); trace.go prints the same format for the nodenet port. Values:
// strings JSON-quoted, numbers and booleans bare, undefined and null as words.
// Values that vary from run to run (ephemeral ports, temp paths) are named
// with sub(value, 'NAME') by the scenario and printed as NAME.
const fs = require('fs');

const subs = [];

// sub registers a value that varies per run (a port, a path) and returns it:
// numbers equal to it print as name; strings have it replaced by name
// (numbers only where not part of a longer number).
function sub(value, name) {
  subs.push([value, name]);
  return value;
}

function norm(s) {
  for (const [v, n] of subs) {
    if (typeof v === 'number') {
      s = s.replace(new RegExp('(?<![0-9])' + v + '(?![0-9])', 'g'), n);
    } else if (v !== '') {
      s = s.split(v).join(n);
    }
  }
  return s;
}

function fmt(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      for (const [x, n] of subs) if (x === v) return n;
      return String(v);
    case 'boolean':
      return String(v);
    case 'string':
      return JSON.stringify(norm(v));
    default:
      if (Buffer.isBuffer(v)) return JSON.stringify(norm(v.toString('latin1')));
      return JSON.stringify(norm(JSON.stringify(v)));
  }
}

// trace prints one event of one side. fields is an object whose keys print
// in insertion order.
function trace(side, event, fields) {
  let line = side + ' ' + event;
  if (fields) {
    for (const k of Object.keys(fields)) line += ' ' + k + '=' + fmt(fields[k]);
  }
  fs.writeSync(1, line + '\n');
}

// errf is the fields of an error as Node users read them: code, syscall,
// address, port, localAddress, localPort, hostname when present, and the
// message. null and undefined (no error) are both err=null: a Go error is
// nil either way.
function errf(e) {
  if (e == null) return { err: null };
  const f = {};
  for (const k of ['code', 'syscall', 'address', 'port', 'localAddress', 'localPort', 'hostname']) {
    if (e[k] !== undefined) f[k] = e[k];
  }
  if (Array.isArray(e.errors)) f.errors = e.errors.length;
  f.message = e.message;
  return f;
}

// watch traces every event of socket s as side (in this order of
// registration: connect, ready, lookup, data, end, finish, drain, timeout,
// error, close). o.data === false leaves 'data' alone (big transfers count
// bytes themselves; adding a data listener starts the flow).
function watch(side, s, o = {}) {
  s.on('connect', () => trace(side, 'connect'));
  s.on('ready', () => trace(side, 'ready'));
  s.on('lookup', (err, address, family, host) => trace(side, 'lookup', { ...errf(err), address, family, host }));
  if (o.data !== false) s.on('data', (d) => trace(side, 'data', { text: d.toString() }));
  s.on('end', () => trace(side, 'end'));
  s.on('finish', () => trace(side, 'finish'));
  s.on('drain', () => trace(side, 'drain', { bufferSize: s.bufferSize }));
  s.on('timeout', () => trace(side, 'timeout'));
  s.on('error', (e) => trace(side, 'error', errf(e)));
  s.on('close', (hadError) => trace(side, 'close', { hadError, bytesRead: s.bytesRead, bytesWritten: s.bytesWritten }));
  return s;
}

// state traces what a Node user reads off socket s at this moment.
function state(side, s, label) {
  trace(side, 'state', {
    at: label, readyState: s.readyState, connecting: s.connecting, pending: s.pending,
    destroyed: s.destroyed, readable: s.readable, writable: s.writable,
    writableLength: s.writableLength, bytesRead: s.bytesRead, bytesWritten: s.bytesWritten,
  });
}

// streamState traces the stream.Duplex state a Node user reads off s.
function streamState(side, s, label) {
  trace(side, 'stream', {
    at: label, writableEnded: s.writableEnded, writableFinished: s.writableFinished,
    writableNeedDrain: s.writableNeedDrain, writableCorked: s.writableCorked,
    writableLength: s.writableLength, readableEnded: s.readableEnded,
    readableFlowing: s.readableFlowing, readableLength: s.readableLength,
  });
}

// probe calls the methods that change no data flow on s and traces what
// each returned or threw: address(), setEncoding, setNoDelay, setKeepAlive,
// setTimeout (then 0 again), pause/resume with isPaused, unref/ref.
function probe(side, s, label) {
  const t = (name, fn) => {
    try {
      const v = fn();
      trace(side, 'probe', { at: label, call: name, result: v });
    } catch (e) {
      trace(side, 'probe', { at: label, call: name, ...errf(e) });
    }
  };
  if (s.localPort !== undefined) sub(s.localPort, 'LPORT');
  t('address', () => JSON.stringify(s.address()));
  t('setEncoding', () => { s.setEncoding('utf8'); return 'ok'; });
  t('setNoDelay', () => { s.setNoDelay(true); return 'ok'; });
  t('setKeepAlive', () => { s.setKeepAlive(true, 1000); return 'ok'; });
  t('setTimeout', () => { s.setTimeout(1000); return s.timeout; });
  t('setTimeout0', () => { s.setTimeout(0); return s.timeout; });
  t('pause', () => { s.pause(); return s.isPaused(); });
  t('resume', () => { s.resume(); return s.isPaused(); });
  t('unref-ref', () => { s.unref(); s.ref(); return 'ok'; });
}

// listen makes server listen on an ephemeral port of 127.0.0.1 and calls
// cb(port) from its 'listening' event, the port named PORT in the trace.
function listen(server, cb) {
  server.listen(0, '127.0.0.1', () => cb(sub(server.address().port, 'PORT')));
}

// REFUSED_PORT is a port nothing listens on, on 127.0.0.1 and ::1 (the
// runner checks that before it starts): a connect there is refused. A port
// taken from a server that was then closed is not safe, since another
// process on the machine may be given it meanwhile.
const REFUSED_PORT = 1;

// lifetime: the process exits when nothing is left (the Go side: Run returned).
process.on('exit', () => trace('process', 'exit'));

module.exports = { REFUSED_PORT, trace, sub, errf, watch, state, streamState, listen, probe };

'use strict';
// end(data) while connecting: the data and the FIN go out once connected;
// 'finish' after 'connect'.
const net = require('net');
const { trace, errf, watch, state, listen } = require('./trace');

const srv = net.createServer((c) => {
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('end', () => { trace('server', 'end', { got }); srv.close(); });
});
listen(srv, (port) => {
  const s = net.connect(port, '127.0.0.1');
  watch('client', s);
  s.end('early', (e) => trace('client', 'end-cb', errf(e)));
  state('client', s, 'ended-while-connecting');
});

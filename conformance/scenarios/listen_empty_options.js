'use strict';
// listen({}): Node throws ERR_INVALID_ARG_VALUE (neither port nor path); a
// Go ListenOptions{} cannot say "neither" — its zero value is documented as
// port 0 on every address (deliberate: typed zero values).
const net = require('net');
const { trace, sub, errf } = require('./trace');

const srv = net.createServer();
try {
  srv.listen({}, () => {
    sub(srv.address().port, 'PORT');
    trace('server', 'listening', { address: JSON.stringify(srv.address()) });
    srv.close();
  });
  trace('server', 'called', { threw: false });
} catch (e) {
  trace('server', 'threw', errf(e));
}

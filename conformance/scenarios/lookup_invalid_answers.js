'use strict';
// A custom lookup that answers something that is not an IP, or a family
// other than 4 and 6: ERR_INVALID_IP_ADDRESS, ERR_INVALID_ADDRESS_FAMILY.
const net = require('net');
const { trace, watch } = require('./trace');

const answers = {
  'not-ip': [{ address: 'banana', family: 4 }],
  'bad-family': [{ address: '127.0.0.1', family: 7 }],
};
for (const side of Object.keys(answers)) {
  const lookup = (host, opts, cb) => setImmediate(() => (opts.all ? cb(null, answers[side]) : cb(null, answers[side][0].address, answers[side][0].family)));
  const s = net.connect({ port: 9, host: side + '.test', lookup });
  watch(side, s);
}

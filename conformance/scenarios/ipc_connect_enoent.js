'use strict';
// Issue 11 item 1: connecting to a Unix path nobody listens on: error ENOENT
// then close(true).
const net = require('net');
const { trace, watch, state } = require('./trace');

const s = net.connect('nobody.sock');
watch('client', s);
state('client', s, 'connecting');
s.on('close', () => state('client', s, 'close'));

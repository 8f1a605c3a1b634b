'use strict';
// Every non-destructive method on a socket that was never connected, then
// destroy(): what each returns or throws, and the events.
const net = require('net');
const { trace, watch, state, probe } = require('./trace');

const s = new net.Socket();
watch('client', s);
state('client', s, 'new');
probe('client', s, 'new');
state('client', s, 'probed');
s.destroy();
state('client', s, 'destroyed');
